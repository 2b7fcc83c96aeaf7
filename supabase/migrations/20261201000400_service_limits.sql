-- Per-service notice and limits (issue 12, Settings): a service may override the provider's minimum notice
-- (minutes), horizon (days) and hold its own maximum of bookings per provider-local day. Null = the provider's
-- booking policy applies (`settings.booking.minNoticeMinutes` / `horizonDays`; no per-service daily limit).
-- The engine honours all three (server/slots/offered.ts → rule 8 of server/availability/); the database holds the
-- service's daily limit and the provider's `booking.maxPerDay` at booking time (trigger at the end), under the
-- provider lock create_booking_if_free and reschedule_booking already take, so concurrent bookings cannot exceed them.

alter table public.services
  add column min_notice_minutes int check (min_notice_minutes between 0 and 525600),
  add column horizon_days int check (horizon_days between 1 and 730),
  add column max_per_day int check (max_per_day between 1 and 1000);

-- The owner's service as before, plus its own notice and limits (null: the provider's policy).
create or replace function public.app_service_json(s public.services) returns jsonb
language sql stable set search_path = public
as $$
  select jsonb_build_object(
    'id', s.id, 'slug', s.slug, 'title', s.title, 'description', s.description,
    'durationMinutes', s.duration_minutes, 'priceCents', s.price_cents, 'currency', s.currency,
    'bufferBeforeMinutes', s.buffer_before_minutes, 'bufferAfterMinutes', s.buffer_after_minutes,
    'effectiveBufferBeforeMinutes', e.buffers[1], 'effectiveBufferAfterMinutes', e.buffers[2],
    'location', s.location, 'bookingMode', s.booking_mode, 'hidden', not s.is_active, 'position', s.position,
    'minNoticeMinutes', s.min_notice_minutes, 'horizonDays', s.horizon_days, 'maxPerDay', s.max_per_day)
  from (select public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings) as buffers
          from public.providers p where p.id = s.provider_id) e
$$;

-- One of `minNoticeMinutes`, `horizonDays`, `maxPerDay` of a service body: SL422 naming the field unless it is a
-- whole number in [p_min, p_max] or null (the server checks first; this is the backstop for any other caller).
create or replace function public.service_limit_value(p_service jsonb, p_field text, p_min int, p_max int) returns int
language plpgsql immutable set search_path = public
as $$
declare
  v jsonb := p_service -> p_field;
begin
  if v is null or jsonb_typeof(v) = 'null' then
    return null;
  end if;
  if jsonb_typeof(v) <> 'number' or (v #>> '{}')::numeric <> trunc((v #>> '{}')::numeric)
     or (v #>> '{}')::numeric not between p_min and p_max then
    raise exception using errcode = 'SL422', message = p_field || ' must be a whole number from ' || p_min || ' to ' || p_max;
  end if;
  return (v #>> '{}')::int;
end
$$;

-- app_save_service of 20261130000500_provider_app.sql (create or update, ownership, slug conflicts) unchanged, then
-- the three limits: a key present sets it (null = back to the provider's policy), a key left out keeps it.
-- Wrapped rather than redefined: the original stays the one place the other fields are written.
create or replace function public.app_save_service_limits(p_user_id uuid, p_provider_id uuid, p_service_id uuid, p_service jsonb)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  -- Ownership first: another provider's id answers 404 whatever the body holds.
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_notice int := public.service_limit_value(p_service, 'minNoticeMinutes', 0, 525600);
  v_horizon int := public.service_limit_value(p_service, 'horizonDays', 1, 730);
  v_max int := public.service_limit_value(p_service, 'maxPerDay', 1, 1000);
  v_saved jsonb := public.app_save_service(p_user_id, p_provider_id, p_service_id,
                     p_service - 'minNoticeMinutes' - 'horizonDays' - 'maxPerDay');
  v public.services;
begin
  update public.services
     set min_notice_minutes = case when p_service ? 'minNoticeMinutes' then v_notice else min_notice_minutes end,
         horizon_days = case when p_service ? 'horizonDays' then v_horizon else horizon_days end,
         max_per_day = case when p_service ? 'maxPerDay' then v_max else max_per_day end
   where id = (v_saved ->> 'id')::uuid
  returning * into v;
  return public.app_service_json(v);
end
$$;

-- The public face of a provider as in 20261130000100_booking_rules.sql, each service with its own notice and limits
-- (null: the provider's policy), so the public slots API and the booking check offer what the service allows, and
-- the profile's person name for the visitor page's copy.
create or replace function public.get_public_provider(p_slug text) returns jsonb
language sql stable security definer set search_path = public
as $$
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
      -- The person's name, so visitor copy reads "so Layla can reach you" (the business name is `name`).
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
  where p.public_slug = p_slug and p.is_public
$$;

-- A booking is live while it holds its time: confirmed, an unexpired hold, or a request awaiting approval (as
-- busy_between of 20261130000500_provider_app.sql counts them).
create or replace function public.booking_is_live(b public.bookings) returns boolean
language sql stable set search_path = public
as $$
  select b.status = 'confirmed' or (b.status = 'pending' and (b.hold_expires_at > now() or b.awaiting_approval))
$$;

-- Starts of one service's live bookings in [from, to): what the engine counts for the service's daily limit.
create or replace function public.service_booked_starts(p_service_id uuid, p_from timestamptz, p_to timestamptz) returns jsonb
language sql stable security definer set search_path = public
as $$
  select coalesce(jsonb_agg(b.starts_at order by b.starts_at), '[]'::jsonb)
    from public.bookings b
   where b.service_id = p_service_id and b.starts_at >= p_from and b.starts_at < p_to and public.booking_is_live(b)
$$;

-- The database holds the daily limits: a visitor's booking (create_booking_if_free) or a move (reschedule_booking)
-- onto a provider-local day that already holds the service's `max_per_day` live bookings of that service, or the
-- provider's `settings.booking.maxPerDay` live bookings of any service (until now only the engine checked that one),
-- is refused with SL409 'day_full' (the booking API answers slot-taken: the last time of the day just went). Both
-- functions take lock_provider_bookings before writing, so concurrent bookings are counted one after the other.
-- The provider's own manual bookings (app_create_booking sets slotline.owner_booking) may go over, like they may go
-- outside hours. A move within the same local day never makes the day fuller, so it is not checked.
create or replace function public.bookings_check_day_limits() returns trigger
language plpgsql security definer set search_path = public
as $$
declare
  v_service_max int;
  v_provider_max int;
  v_zone text;
  v_day date;
  v_from timestamptz;
  v_to timestamptz;
begin
  if not public.booking_is_live(new)
     or coalesce(current_setting('slotline.owner_booking', true), '') = 'on' then
    return new;
  end if;
  select s.max_per_day, (p.settings #>> '{booking,maxPerDay}')::numeric::int,
         coalesce(p.settings #>> '{workingHours,timezone}', p.timezone)
    into v_service_max, v_provider_max, v_zone
    from public.services s join public.providers p on p.id = s.provider_id
   where s.id = new.service_id;
  if v_service_max is null and v_provider_max is null then
    return new;
  end if;
  v_day := (new.starts_at at time zone v_zone)::date;
  if tg_op = 'UPDATE' and public.booking_is_live(old) and (old.starts_at at time zone v_zone)::date = v_day then
    return new;
  end if;
  -- The local day as instants: [its midnight, the next midnight) in the provider's zone.
  v_from := v_day::timestamp at time zone v_zone;
  v_to := (v_day + 1)::timestamp at time zone v_zone;
  if v_service_max is not null and v_service_max <= (
       select count(*) from public.bookings b
        where b.service_id = new.service_id and b.id <> new.id
          and b.starts_at >= v_from and b.starts_at < v_to and public.booking_is_live(b)) then
    raise exception using errcode = 'SL409', message = 'day_full', detail = v_service_max::text;
  end if;
  if v_provider_max is not null and v_provider_max <= (
       select count(*) from public.bookings b
        where b.provider_id = new.provider_id and b.id <> new.id
          and b.starts_at >= v_from and b.starts_at < v_to and public.booking_is_live(b)) then
    raise exception using errcode = 'SL409', message = 'day_full', detail = v_provider_max::text;
  end if;
  return new;
end
$$;
-- Named to fire after the other before-insert triggers (they fire in name order), on the status they settle. Status changes
-- (approval, payment of a hold) never add a booking to a day, so only inserts and moves are checked.
create trigger bookings_zz_day_limits before insert or update of starts_at on public.bookings
  for each row execute function public.bookings_check_day_limits();

-- ---------------------------------------------------------------------------------------------
-- The provider file carries the limits too (`npm run provider`, the app's export and import). Wrappers around the
-- functions of 20261130000100_booking_rules.sql / 20261130000500_provider_app.sql, which stay as they are.
-- ---------------------------------------------------------------------------------------------

-- Sets the limits of a provider's services from the file's services (by slug): a key present sets it (null = the
-- provider's policy), a key left out keeps it, as `bookingMode` does. SL422 for a value out of range.
create or replace function public.apply_service_limits(p_provider_id uuid, p_services jsonb) returns void
language plpgsql security definer set search_path = public
as $$
declare
  v jsonb;
begin
  for v in select value from jsonb_array_elements(coalesce(p_services, '[]'::jsonb)) loop
    update public.services
       set min_notice_minutes = case when v ? 'minNoticeMinutes'
                                     then public.service_limit_value(v, 'minNoticeMinutes', 0, 525600) else min_notice_minutes end,
           horizon_days = case when v ? 'horizonDays'
                               then public.service_limit_value(v, 'horizonDays', 1, 730) else horizon_days end,
           max_per_day = case when v ? 'maxPerDay'
                              then public.service_limit_value(v, 'maxPerDay', 1, 1000) else max_per_day end
     where provider_id = p_provider_id and slug = v ->> 'slug';
  end loop;
end
$$;

-- apply_provider (the CLI's path), then the services' limits, in one transaction.
create or replace function public.apply_provider_with_limits(
  p_slug text, p_name text, p_timezone text, p_is_public boolean, p_settings jsonb, p_services jsonb
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_result jsonb := public.apply_provider(p_slug, p_name, p_timezone, p_is_public, p_settings, p_services);
begin
  perform public.apply_service_limits((v_result ->> 'id')::uuid, p_services);
  return v_result;
end
$$;

-- app_import_provider (ownership, rename, apply_provider), then the services' limits, in one transaction.
create or replace function public.app_import_provider_with_limits(p_user_id uuid, p_provider_id uuid, p_file jsonb) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_result jsonb := public.app_import_provider(p_user_id, p_provider_id, p_file);
begin
  perform public.apply_service_limits(p_provider_id, p_file -> 'services');
  return v_result;
end
$$;

-- app_export_provider with each service's own limits (left out when not set).
create or replace function public.app_export_provider_with_limits(p_user_id uuid, p_provider_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v_file jsonb := public.app_export_provider(p_user_id, p_provider_id);
begin
  return jsonb_set(v_file, '{services}', coalesce((
    select jsonb_agg(f.value || jsonb_strip_nulls(jsonb_build_object(
             'minNoticeMinutes', s.min_notice_minutes, 'horizonDays', s.horizon_days, 'maxPerDay', s.max_per_day))
           order by f.ordinality)
      from jsonb_array_elements(v_file -> 'services') with ordinality f
      left join public.services s on s.provider_id = p_provider_id and s.slug = f.value ->> 'slug'), '[]'::jsonb));
end
$$;
