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
returns jsonb
language plpgsql security definer set search_path = public
as $$
begin
  update public.calendar_sync_state set last_warning = left(p_warning, 500)
   where provider_id = p_provider_id and source = p_source;
  return jsonb_build_object('recorded', found);
end
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

-- ---------------------------------------------------------------------------------------------
-- 4. The provider app connects calendars (server/app-api/calendars.ts). Every function is owner-checked like the
--    other app_* functions: SL404 'provider_not_found' unless p_user_id owns p_provider_id. Secrets arrive already
--    encrypted {ciphertext, iv, tag}; only app_calendar_secret hands one back, still encrypted, to the server (which
--    needs it to list that account's calendars again) and the server never returns it to the app.
-- ---------------------------------------------------------------------------------------------

-- Each connected source with its health (no secrets), and the calendar choice.
create or replace function public.app_calendar_sources(p_user_id uuid, p_provider_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  return jsonb_build_object(
    'timezone', v.timezone,
    'calendar', coalesce(v.settings -> 'calendar', '{}'::jsonb),
    'sources', coalesce((
      select jsonb_agg(jsonb_build_object(
        'source', src.source,
        'kind', public.calendar_kind(i.integration_type),
        'label', i.label,
        'account', coalesce(i.external_email, i.external_username),
        'connectedAt', i.created_at,
        'lastAttemptAt', st.last_attempt_at,
        'lastSuccessAt', st.last_success_at,
        'lastError', st.last_error,
        'lastWarning', st.last_warning,
        'failingSince', st.failing_since
      ) order by src.source)
        from public.integrations i
        join public.integration_secrets s on s.integration_id = i.id
        cross join lateral (select public.calendar_kind(i.integration_type) || ':' || i.id::text as source) src
        left join public.calendar_sync_state st on st.provider_id = v.id and st.source = src.source
       where i.user_id = v.owner_user_id and i.status = 'active' and public.calendar_kind(i.integration_type) is not null
    ), '[]'::jsonb));
end
$$;

-- The encrypted secret of the owner's source of one kind (to list its calendars again); null when not connected.
create or replace function public.app_calendar_secret(p_user_id uuid, p_provider_id uuid, p_kind text) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  return (select jsonb_build_object('secret', s.secret, 'externalUsername', i.external_username, 'externalEmail', i.external_email)
            from public.integrations i join public.integration_secrets s on s.integration_id = i.id
           where i.user_id = v.owner_user_id and public.calendar_kind(i.integration_type) = lower(p_kind)
           order by i.created_at limit 1);
end
$$;

-- Sets which calendars of one account count as busy (p_selected_calendar_ids, replacing that account's ids in the
-- shared list: p_account_calendar_ids are all of its calendars) and, when given, the one new bookings are written to
-- (settings.calendar.writeCalendarId for CalDAV, writeGoogleCalendarId for Google, as write-back reads them).
create or replace function public.app_set_calendar_choice(
  p_user_id uuid, p_provider_id uuid, p_kind text, p_selected_calendar_ids jsonb, p_account_calendar_ids jsonb, p_write_calendar_id text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_calendar jsonb := case when jsonb_typeof(v.settings -> 'calendar') = 'object' then v.settings -> 'calendar' else '{}'::jsonb end;
begin
  v_calendar := jsonb_set(v_calendar, '{selectedCalendarIds}', coalesce((
    select jsonb_agg(id) from (
      select e.id from jsonb_array_elements(
        case when jsonb_typeof(v_calendar -> 'selectedCalendarIds') = 'array' then v_calendar -> 'selectedCalendarIds' else '[]'::jsonb end) e(id)
       where not (coalesce(p_account_calendar_ids, '[]'::jsonb) @> jsonb_build_array(e.id))
      union all
      select n.id from jsonb_array_elements(coalesce(p_selected_calendar_ids, '[]'::jsonb)) n(id)
    ) ids), '[]'::jsonb));
  if p_write_calendar_id is not null then
    v_calendar := v_calendar || jsonb_build_object(
      case when lower(p_kind) = 'google' then 'writeGoogleCalendarId' else 'writeCalendarId' end, p_write_calendar_id);
  end if;
  update public.providers set settings = settings || jsonb_build_object('calendar', v_calendar) where id = v.id;
  return v_calendar;
end
$$;

-- Connects (or reconnects) a calendar for the owner's provider: connect_calendar's rules, owner-checked, plus the
-- write-back calendar. Returns {providerId, integrationId, source}.
create or replace function public.app_connect_calendar(
  p_user_id uuid, p_provider_id uuid, p_kind text, p_label text, p_external_username text, p_external_email text,
  p_secret jsonb, p_selected_calendar_ids jsonb, p_account_calendar_ids jsonb, p_write_calendar_id text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_result jsonb;
begin
  v_result := public.connect_calendar(v.public_slug, p_kind, p_label, p_external_username, p_external_email, p_secret,
                                      p_selected_calendar_ids, p_account_calendar_ids);
  if p_write_calendar_id is not null then
    perform public.app_set_calendar_choice(p_user_id, p_provider_id, p_kind, p_selected_calendar_ids, p_account_calendar_ids, p_write_calendar_id);
  end if;
  return v_result;
end
$$;

-- Disconnects the owner's calendar of one kind: integration, secret (cascade), cached busy time and sync state.
create or replace function public.app_disconnect_calendar(p_user_id uuid, p_provider_id uuid, p_kind text) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  return public.disconnect_calendar(v.public_slug, p_kind);
end
$$;

revoke execute on function public.app_calendar_sources(uuid, uuid) from public, anon, authenticated;
revoke execute on function public.app_calendar_secret(uuid, uuid, text) from public, anon, authenticated;
revoke execute on function public.app_set_calendar_choice(uuid, uuid, text, jsonb, jsonb, text) from public, anon, authenticated;
revoke execute on function public.app_connect_calendar(uuid, uuid, text, text, text, text, jsonb, jsonb, jsonb, text) from public, anon, authenticated;
revoke execute on function public.app_disconnect_calendar(uuid, uuid, text) from public, anon, authenticated;
grant execute on function public.app_calendar_sources(uuid, uuid) to service_role;
grant execute on function public.app_calendar_secret(uuid, uuid, text) to service_role;
grant execute on function public.app_set_calendar_choice(uuid, uuid, text, jsonb, jsonb, text) to service_role;
grant execute on function public.app_connect_calendar(uuid, uuid, text, text, text, text, jsonb, jsonb, jsonb, text) to service_role;
grant execute on function public.app_disconnect_calendar(uuid, uuid, text) to service_role;
