-- Issue 16 (as data grows): the SQL a slots request runs, made cheap at scale.
--
-- 1. get_calendar_health: what the slots route needs from the calendar cache — per active source its sync state —
--    without the busy intervals. get_calendar_cache builds every source's busy array from external_busy (the
--    busiest provider of a 1,000,000-row cache: thousands of rows read on every uncached month request) and the
--    slots route threw it away, because get_busy returns the same intervals. get_calendar_cache stays for the
--    callers that read the intervals (tests, tooling); the server's slots and booking paths call this one.
--
-- 2. The read functions of the slots path are PL/pgSQL: a LANGUAGE sql function that cannot be inlined (these are
--    SECURITY DEFINER with a search_path) is parsed and planned again on every call; PL/pgSQL keeps its plans for the
--    session (the server's pooled connections). Bodies are the newest definitions, unchanged in what they return:
--    get_public_provider of 20261201000400_service_limits.sql, busy_between of 20261130000500_provider_app.sql,
--    get_busy of 20261130000100_booking_rules.sql.
--
-- 3. busy_between's external-busy condition also says `tstzrange(starts_at, ends_at, '[)') && tstzrange(p_from, p_to, '[)')`
--    (the same rows as the two comparisons beside it): the GiST index on
--    external_busy (provider_id, tstzrange(starts_at, ends_at, '[)')) of 20261201000900 serves it as an index condition
--    (the very expression: the planner does not match the two-argument tstzrange to it)
--    with provider_id, instead of the (provider_id, starts_at) b-tree reading every row of the provider that starts
--    before the window's end (years of history). Until that index exists the b-tree still serves the comparisons.

create or replace function public.get_calendar_health(p_provider_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
begin
  return (
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
          'failingSince', st.failing_since
        ) order by src.source)
          from public.integrations i
          join public.integration_secrets s on s.integration_id = i.id
          cross join lateral (select public.calendar_kind(i.integration_type) || ':' || i.id::text as source) src
          left join public.calendar_sync_state st on st.provider_id = p.id and st.source = src.source
         where i.user_id = p.owner_user_id and i.status = 'active' and public.calendar_kind(i.integration_type) is not null
      ), '[]'::jsonb))
    from public.providers p
    where p.id = p_provider_id);
end
$$;
-- Like get_calendar_cache: the server (service role) only.
revoke execute on function public.get_calendar_health(uuid) from public, anon, authenticated;
grant execute on function public.get_calendar_health(uuid) to service_role;

create or replace function public.get_public_provider(p_slug text) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
begin
  return (
    select jsonb_build_object(
      'id', p.id,
      'slug', p.public_slug,
      'name', p.display_name,
      'timezone', p.timezone,
      'settings', jsonb_strip_nulls(jsonb_build_object(
        'workingHours', p.settings -> 'workingHours',
        'booking', p.settings -> 'booking',
        'whatsapp', p.settings -> 'whatsapp',
        'embed', p.settings -> 'embed',
        'appearance', p.settings -> 'appearance',
        'personName', p.settings #> '{profile,personName}',
        'calendarOnError', p.settings #> '{calendar,onError}')),
      'services', coalesce((
        select jsonb_agg(jsonb_build_object(
            'id', s.id, 'slug', s.slug, 'title', s.title, 'description', s.description,
            'durationMinutes', s.duration_minutes, 'priceCents', s.price_cents, 'currency', s.currency,
            'bufferBeforeMinutes', (public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings))[1],
            'bufferAfterMinutes', (public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings))[2],
            'location', s.location,
            'minNoticeMinutes', s.min_notice_minutes, 'horizonDays', s.horizon_days, 'maxPerDay', s.max_per_day)
          order by s.position, s.title)
        from public.services s where s.provider_id = p.id and s.is_active), '[]'::jsonb))
    from public.providers p
    where p.public_slug = p_slug and p.is_public);
end
$$;

create or replace function public.busy_between(p_provider_id uuid, p_from timestamptz, p_to timestamptz, p_except uuid)
returns jsonb
language plpgsql stable security definer set search_path = public
as $$
begin
  return (
    with live as (
      select lower(occupied) as s, upper(occupied) as e, starts_at
      from public.bookings
      where provider_id = p_provider_id
        and occupied && tstzrange(p_from, p_to, '[)')
        and (status = 'confirmed' or (status = 'pending' and (hold_expires_at > now() or awaiting_approval)))
        and id is distinct from p_except
    ), ext as (
      select starts_at as s, ends_at as e
      from public.external_busy
      where provider_id = p_provider_id and starts_at < p_to and ends_at > p_from
        and tstzrange(starts_at, ends_at, '[)') && tstzrange(p_from, p_to, '[)')
    )
    select jsonb_build_object(
      'busy', coalesce((select jsonb_agg(jsonb_build_object('start', s, 'end', e) order by s)
                        from (select s, e from live union all select s, e from ext) b), '[]'::jsonb),
      'bookings', coalesce((select jsonb_agg(starts_at order by starts_at) from live), '[]'::jsonb)));
end
$$;

create or replace function public.get_busy(p_provider_id uuid, p_from timestamptz, p_to timestamptz) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
begin
  return public.busy_between(p_provider_id, p_from, p_to, null);
end
$$;
