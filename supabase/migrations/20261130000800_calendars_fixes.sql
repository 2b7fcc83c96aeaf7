-- Calendar fixes (issue 14).
--
-- 1. claim_calendar_refresh: the minimum interval is a back-off for failures and a guard against refreshing a
--    source twice at once, not a throttle on success. When the source's last attempt succeeded (nothing in flight,
--    not failing), a new attempt may start at once: a visitor paging to a month the last refresh did not cover must
--    get its busy time within seconds, not after 30 s of a blank booking page.
create or replace function public.claim_calendar_refresh(p_provider_id uuid, p_source text, p_min_interval_seconds int)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_claimed boolean;
begin
  insert into public.calendar_sync_state as st (provider_id, source, last_attempt_at)
  values (p_provider_id, p_source, now())
  on conflict (provider_id, source) do update set last_attempt_at = now()
   where st.last_attempt_at is null
      or st.last_attempt_at <= now() - make_interval(secs => greatest(p_min_interval_seconds, 0))
      or (st.failing_since is null and st.last_success_at is not null and st.last_success_at >= st.last_attempt_at)
  returning true into v_claimed;
  return to_jsonb(coalesce(v_claimed, false));
end
$$;

-- 2. Source health: what a successful refresh had to leave out (events that could not be read), in plain words.
--    Null when the last refresh read everything. The server hands it out through get_calendar_cache.
alter table public.calendar_sync_state add column if not exists last_warning text;

-- Records (or clears, with null) the warning of the refresh just saved. Credential-free text, at most 500 characters.
create or replace function public.record_calendar_warning(p_provider_id uuid, p_source text, p_warning text)
returns void
language sql security definer set search_path = public
as $$
  update public.calendar_sync_state set last_warning = left(p_warning, 500)
   where provider_id = p_provider_id and source = p_source
$$;
revoke execute on function public.record_calendar_warning(uuid, text, text) from public, anon, authenticated;
grant execute on function public.record_calendar_warning(uuid, text, text) to service_role;

-- get_calendar_cache as before, with each source's lastWarning.
create or replace function public.get_calendar_cache(p_provider_id uuid, p_from timestamptz, p_to timestamptz)
returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'timezone', p.timezone,
    'calendar', coalesce(p.settings -> 'calendar', '{}'::jsonb),
    'sources', coalesce((
      select jsonb_agg(jsonb_build_object(
        'source', src.source,
        'integrationId', i.id,
        'kind', public.calendar_kind(i.integration_type),
        'label', i.label,
        'coveredFrom', st.covered_from,
        'coveredTo', st.covered_to,
        'lastAttemptAt', st.last_attempt_at,
        'lastSuccessAt', st.last_success_at,
        'lastError', st.last_error,
        'lastWarning', st.last_warning,
        'failingSince', st.failing_since,
        'busy', coalesce((
          select jsonb_agg(jsonb_build_object('start', b.starts_at, 'end', b.ends_at) order by b.starts_at, b.ends_at)
            from public.external_busy b
           where b.provider_id = p.id and b.source = src.source and b.starts_at < p_to and b.ends_at > p_from
        ), '[]'::jsonb)
      ) order by src.source)
        from public.integrations i
        join public.integration_secrets s on s.integration_id = i.id
        cross join lateral (select public.calendar_kind(i.integration_type) || ':' || i.id::text as source) src
        left join public.calendar_sync_state st on st.provider_id = p.id and st.source = src.source
       where i.user_id = p.owner_user_id and i.status = 'active' and public.calendar_kind(i.integration_type) is not null
    ), '[]'::jsonb))
  from public.providers p
  where p.id = p_provider_id
$$;

-- 3. The provider's feed keeps cancelled bookings, as STATUS:CANCELLED events with their raised SEQUENCE
--    (server/ics/booking-ics.ts), instead of dropping them: a calendar app that subscribed to the feed removes a
--    dropped event only if it notices the absence, which many do late or never; a cancelled event it replaces at once.
create or replace function public.get_ics_feed(p_token_hash text) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'slug', p.public_slug, 'name', p.display_name, 'timezone', p.timezone,
    'bookings', coalesce((
      select jsonb_agg(public.booking_json(b) || jsonb_build_object('serviceTitle', s.title, 'location', s.location)
                       order by b.starts_at)
        from public.bookings b join public.services s on s.id = b.service_id
       where b.provider_id = p.id and b.status in ('confirmed', 'cancelled')
         and b.ends_at > now() - interval '90 days'), '[]'::jsonb))
  from public.providers p
  where p.ics_feed_token_hash = p_token_hash
$$;
