-- Booking rules held by the database (issue 10):
--   1. effective buffers (the service's own value, else the provider's policy) computed in one function, stored on
--      every booking and covered by the exclusion constraint;
--   2. idempotency keys bound to a fingerprint of the request, and a replay never rotates the manage link;
--   3. at most `settings.booking.maxHoldsPerContact` (default 2) live unpaid holds per contact and provider.

-- ---------------------------------------------------------------------------------------------
-- 1. Buffers
-- ---------------------------------------------------------------------------------------------

-- A service's buffer is now "not set" (null: the provider's policy applies) or an explicit number of minutes (an
-- explicit 0 means "no buffer", whatever the policy). Until now 0 stood for both, and the engine read it as "not
-- set" (`service || policy`): existing zeros become null so every service keeps the times it was offering.
alter table public.services alter column buffer_before_minutes drop not null;
alter table public.services alter column buffer_before_minutes drop default;
alter table public.services alter column buffer_after_minutes drop not null;
alter table public.services alter column buffer_after_minutes drop default;
update public.services
   set buffer_before_minutes = nullif(buffer_before_minutes, 0),
       buffer_after_minutes = nullif(buffer_after_minutes, 0);

-- THE buffer rule, the only place it is written: {before, after} minutes for a service's own (nullable) buffers under
-- a provider's settings — the service's value if set (0 included), else `settings.booking.buffer*Minutes`, else 0.
-- `create_booking_if_free` stores its result on the booking; `get_public_provider` hands it to the engine.
create or replace function public.effective_buffers(p_service_before int, p_service_after int, p_settings jsonb)
returns int[]
language sql immutable set search_path = public
as $$
  select array[
    greatest(0, coalesce(p_service_before, (p_settings #>> '{booking,bufferBeforeMinutes}')::numeric::int, 0)),
    greatest(0, coalesce(p_service_after, (p_settings #>> '{booking,bufferAfterMinutes}')::numeric::int, 0))]
$$;

-- The range a booking occupies: [start − before, end + after). Used by the trigger below and by every conflict
-- check, so the constraint and the checks can never disagree.
create or replace function public.booking_occupied(p_starts_at timestamptz, p_ends_at timestamptz, p_before int, p_after int)
returns tstzrange
language sql stable set search_path = public
as $$
  select tstzrange(p_starts_at - make_interval(mins => p_before), p_ends_at + make_interval(mins => p_after), '[)')
$$;

-- `occupied` always follows the booking's stored times and stored buffers. Security definer so that any writer
-- (service role, or an owner through RLS) may fire it without being granted booking_occupied itself.
create or replace function public.bookings_set_occupied() returns trigger
language plpgsql security definer set search_path = public
as $$
begin
  new.occupied := public.booking_occupied(new.starts_at, new.ends_at, new.buffer_before_minutes, new.buffer_after_minutes);
  return new;
end
$$;

-- Backfill: every existing booking stores its effective buffers. A live booking whose wider range would now overlap
-- another live booking keeps its old buffers (the constraint refuses the change; both bookings stay as they were).
do $$
declare
  v_id uuid;
begin
  begin
    update public.bookings b
       set buffer_before_minutes = (public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings))[1],
           buffer_after_minutes = (public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings))[2]
      from public.services s, public.providers p
     where s.id = b.service_id and p.id = b.provider_id;
  exception when exclusion_violation then
    for v_id in select id from public.bookings order by starts_at loop
      begin
        update public.bookings b
           set buffer_before_minutes = (public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings))[1],
               buffer_after_minutes = (public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings))[2]
          from public.services s, public.providers p
         where b.id = v_id and s.id = b.service_id and p.id = b.provider_id;
      exception when exclusion_violation then
        raise notice 'booking % keeps its old buffers: the provider''s buffers would overlap another booking', v_id;
      end;
    end loop;
  end;
end
$$;

-- The public face of a provider, as before, except that each service's buffers are the effective ones
-- (effective_buffers): the engine uses exactly what create_booking_if_free will store.
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
      'calendarOnError', p.settings #> '{calendar,onError}')),
    'services', coalesce((
      select jsonb_agg(jsonb_build_object(
          'id', s.id, 'slug', s.slug, 'title', s.title, 'description', s.description,
          'durationMinutes', s.duration_minutes, 'priceCents', s.price_cents, 'currency', s.currency,
          'bufferBeforeMinutes', (public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings))[1],
          'bufferAfterMinutes', (public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings))[2],
          'location', s.location)
        order by s.position, s.title)
      from public.services s where s.provider_id = p.id and s.is_active), '[]'::jsonb))
  from public.providers p
  where p.public_slug = p_slug and p.is_public
$$;

-- A provider file that leaves a service's buffer out stores null ("use the provider's policy"); an explicit 0 is
-- kept as 0. Otherwise as before.
create or replace function public.apply_provider(
  p_slug text, p_name text, p_timezone text, p_is_public boolean, p_settings jsonb, p_services jsonb
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers;
  v_owner uuid;
  v_service jsonb;
  v_position int := 0;
begin
  select * into v_provider from public.providers where public_slug = p_slug;
  if not found then
    insert into auth.users (id, email) values (gen_random_uuid(), p_slug || '@providers.slotline.invalid')
    returning id into v_owner;
    insert into public.providers (owner_user_id, public_slug, display_name, is_public, timezone, settings)
    values (v_owner, p_slug, p_name, p_is_public, p_timezone, p_settings)
    returning * into v_provider;
  else
    -- Calendar choices made by the connect commands survive a file that does not mention them.
    update public.providers
       set display_name = p_name, is_public = p_is_public, timezone = p_timezone,
           settings = p_settings || case when not (p_settings ? 'calendar') and settings ? 'calendar'
                                         then jsonb_build_object('calendar', settings -> 'calendar')
                                         else '{}'::jsonb end
     where id = v_provider.id
    returning * into v_provider;
  end if;

  update public.services set is_active = false
   where provider_id = v_provider.id
     and slug not in (select value ->> 'slug' from jsonb_array_elements(p_services));

  for v_service in select value from jsonb_array_elements(p_services) loop
    v_position := v_position + 1;
    insert into public.services (provider_id, slug, title, description, duration_minutes, price_cents,
                                 currency, buffer_before_minutes, buffer_after_minutes, location,
                                 is_active, position)
    values (v_provider.id, v_service ->> 'slug', v_service ->> 'title',
            coalesce(v_service ->> 'description', ''), (v_service ->> 'durationMinutes')::int,
            coalesce((v_service ->> 'priceCents')::int, 0), coalesce(v_service ->> 'currency', 'AED'),
            (v_service ->> 'bufferBeforeMinutes')::int,
            (v_service ->> 'bufferAfterMinutes')::int,
            coalesce(v_service -> 'location', '{}'::jsonb), true, v_position)
    on conflict (provider_id, slug) do update
      set title = excluded.title, description = excluded.description,
          duration_minutes = excluded.duration_minutes, price_cents = excluded.price_cents,
          currency = excluded.currency, buffer_before_minutes = excluded.buffer_before_minutes,
          buffer_after_minutes = excluded.buffer_after_minutes, location = excluded.location,
          is_active = true, position = excluded.position;
  end loop;

  return jsonb_build_object('id', v_provider.id, 'slug', v_provider.public_slug);
end
$$;

-- Busy time of a provider in [from, to), leaving out one booking (or none): the one definition behind get_busy and
-- get_busy_for_move. Live bookings count with their stored occupied range (buffers included).
create or replace function public.busy_between(p_provider_id uuid, p_from timestamptz, p_to timestamptz, p_except uuid)
returns jsonb
language sql stable security definer set search_path = public
as $$
  with live as (
    select lower(occupied) as s, upper(occupied) as e, starts_at
    from public.bookings
    where provider_id = p_provider_id
      and occupied && tstzrange(p_from, p_to, '[)')
      and (status = 'confirmed' or (status = 'pending' and hold_expires_at > now()))
      and id is distinct from p_except
  ), ext as (
    select starts_at as s, ends_at as e
    from public.external_busy
    where provider_id = p_provider_id and starts_at < p_to and ends_at > p_from
  )
  select jsonb_build_object(
    'busy', coalesce((select jsonb_agg(jsonb_build_object('start', s, 'end', e) order by s)
                      from (select s, e from live union all select s, e from ext) b), '[]'::jsonb),
    'bookings', coalesce((select jsonb_agg(starts_at order by starts_at) from live), '[]'::jsonb))
$$;

create or replace function public.get_busy(p_provider_id uuid, p_from timestamptz, p_to timestamptz) returns jsonb
language sql stable security definer set search_path = public
as $$
  select public.busy_between(p_provider_id, p_from, p_to, null)
$$;

-- What a move of the booking behind a manage link must respect: the provider's busy time without the booking itself,
-- and the booking's stored buffers (it keeps them when it moves). Null for an unknown, expired or ended booking.
create or replace function public.get_busy_for_move(p_token_hash text, p_from timestamptz, p_to timestamptz) returns jsonb
language sql stable security definer set search_path = public
as $$
  select public.busy_between(b.provider_id, p_from, p_to, b.id)
         || jsonb_build_object('bufferBeforeMinutes', b.buffer_before_minutes, 'bufferAfterMinutes', b.buffer_after_minutes)
    from public.bookings b
   where b.manage_token_hash = p_token_hash and b.status in ('pending', 'confirmed')
     and (b.manage_token_expires_at is null or b.manage_token_expires_at > now())
$$;

-- Moves a live booking to a new start in one UPDATE. The booking keeps its stored buffers; the trigger rebuilds
-- `occupied` from them, and the exclusion constraint compares the new range with every other live booking, so the
-- move either happens whole or not at all (SL409).
create or replace function public.reschedule_booking(p_token_hash text, p_starts_at timestamptz) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
  v_length interval;
begin
  perform public.lock_provider_bookings(b.provider_id) from public.bookings b where b.manage_token_hash = p_token_hash;
  select b.* into v_booking from public.bookings b
   where b.manage_token_hash = p_token_hash and b.status in ('pending', 'confirmed')
     and (b.manage_token_expires_at is null or b.manage_token_expires_at > now())
   for update;
  if not found then
    raise exception using errcode = 'SL404', message = 'booking_not_found';
  end if;
  v_length := v_booking.ends_at - v_booking.starts_at;

  if exists (select 1 from public.external_busy e
              where e.provider_id = v_booking.provider_id
                and tstzrange(e.starts_at, e.ends_at, '[)') && public.booking_occupied(
                      p_starts_at, p_starts_at + v_length, v_booking.buffer_before_minutes, v_booking.buffer_after_minutes)) then
    raise exception using errcode = 'SL409', message = 'slot_taken', detail = 'external_busy';
  end if;

  begin
    update public.bookings
       set starts_at = p_starts_at,
           ends_at = p_starts_at + v_length,
           manage_token_expires_at = p_starts_at + v_length + interval '30 days'
     where id = v_booking.id
    returning * into v_booking;
  exception when exclusion_violation then
    raise exception using errcode = 'SL409', message = 'slot_taken', detail = 'booking';
  end;
  return public.booking_json(v_booking);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- 2. Idempotency keys bound to the request
-- ---------------------------------------------------------------------------------------------

-- sha256 of the canonical request a booking was made from. Same provider, service, instant, name, email (any case),
-- phone, notes and time zone → same fingerprint; any difference → another one.
create or replace function public.booking_request_fingerprint(
  p_provider_id uuid, p_service_id uuid, p_starts_at timestamptz, p_name text, p_email text, p_phone text,
  p_notes text, p_timezone text
) returns text
language sql stable set search_path = public
as $$
  select encode(sha256(convert_to(jsonb_build_array(
    p_provider_id, p_service_id, extract(epoch from p_starts_at), coalesce(p_name, ''), lower(p_email), p_phone,
    coalesce(p_notes, ''), p_timezone)::text, 'UTF8')), 'hex')
$$;

alter table public.bookings add column idempotency_fingerprint text;
update public.bookings
   set idempotency_fingerprint = public.booking_request_fingerprint(provider_id, service_id, starts_at, customer_name,
         customer_email, customer_phone, notes, customer_timezone)
 where idempotency_key is not null;

-- The server's key for manage links of requests that carry an idempotency key: the link is HMAC(key, provider,
-- idempotency key), so a replay of the same request answers with the link already handed out instead of a new one.
-- Made here once from the database's strong random source; only the service role can read it.
create table public.manage_link_keys (
  id int primary key default 1 check (id = 1),
  key text not null check (length(key) = 64),
  created_at timestamptz not null default now()
);
alter table public.manage_link_keys enable row level security;
revoke all on table public.manage_link_keys from public, anon, authenticated;
grant all on table public.manage_link_keys to service_role;
insert into public.manage_link_keys (id, key)
values (1, encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text
                                    || clock_timestamp()::text, 'UTF8')), 'hex'))
on conflict (id) do nothing;

create or replace function public.get_manage_link_key() returns text
language sql stable security definer set search_path = public
as $$
  select key from public.manage_link_keys where id = 1
$$;

-- Gives back a hold whose checkout could not be started, and forgets its idempotency key and manage link (never
-- handed out): the visitor was told "not booked, try again", so the same request must make a new attempt — with
-- the same derived link — rather than replay a cancelled booking.
create or replace function public.abandon_hold(p_token_hash text, p_reason text) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
begin
  update public.bookings
     set status = 'cancelled', cancel_reason = nullif(p_reason, ''), cancelled_at = now(),
         idempotency_key = null, idempotency_fingerprint = null, manage_token_hash = null
   where manage_token_hash = p_token_hash and status = 'pending'
  returning * into v_booking;
  if not found then
    return null;
  end if;
  return public.booking_json(v_booking);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- 3 + the booking itself
-- ---------------------------------------------------------------------------------------------

-- Books [start, start + duration) for a service if the occupied range is free. The booking stores its effective
-- buffers (effective_buffers), so the exclusion constraint covers the provider's policy too.
-- Errors (SQLSTATE, message):
--   SL404 service_not_found   unknown or inactive service;
--   SL409 slot_taken          a live booking or cached external busy time overlaps;
--   SL422 idempotency_key_reused   the key was used for a different request (nothing changes);
--   SL429 too_many_holds      the contact already has settings.booking.maxHoldsPerContact (default 2) live unpaid
--                             holds at this provider (detail: the limit).
-- The same key with the same request returns the same booking (`replayed: true`) and never touches its manage token:
-- `manageTokenMatches` says whether the hash given is the one stored (false only for bookings made before this rule,
-- whose random link cannot be given again).
create or replace function public.create_booking_if_free(
  p_provider_id uuid,
  p_service_id uuid,
  p_starts_at timestamptz,
  p_customer_name text,
  p_customer_email text,
  p_customer_phone text,
  p_notes text,
  p_customer_timezone text,
  p_idempotency_key text,
  p_manage_token_hash text,
  p_hold_minutes int default null
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_service public.services;
  v_settings jsonb;
  v_booking public.bookings;
  v_buffers int[];
  v_ends_at timestamptz;
  v_occupied tstzrange;
  v_fingerprint text;
  v_max_holds int;
  v_holds int;
begin
  perform public.lock_provider_bookings(p_provider_id);

  v_fingerprint := public.booking_request_fingerprint(p_provider_id, p_service_id, p_starts_at, p_customer_name,
                     p_customer_email, p_customer_phone, p_notes, p_customer_timezone);
  if p_idempotency_key is not null then
    select * into v_booking from public.bookings
     where provider_id = p_provider_id and idempotency_key = p_idempotency_key;
    if found then
      if v_booking.idempotency_fingerprint is distinct from v_fingerprint then
        raise exception using errcode = 'SL422', message = 'idempotency_key_reused';
      end if;
      return jsonb_build_object('booking', public.booking_json(v_booking), 'replayed', true,
                                'manageTokenMatches', v_booking.manage_token_hash = p_manage_token_hash);
    end if;
  end if;

  select * into v_service from public.services
   where id = p_service_id and provider_id = p_provider_id and is_active;
  if not found then
    raise exception using errcode = 'SL404', message = 'service_not_found';
  end if;
  select settings into v_settings from public.providers where id = p_provider_id;

  if p_hold_minutes is not null then
    v_max_holds := coalesce((v_settings #>> '{booking,maxHoldsPerContact}')::numeric::int, 2);
    select count(*) into v_holds from public.bookings
     where provider_id = p_provider_id and status = 'pending' and hold_expires_at > now()
       and ((p_customer_email is not null and lower(customer_email) = lower(p_customer_email))
            or (p_customer_phone is not null
                and regexp_replace(customer_phone, '[^0-9]', '', 'g') = regexp_replace(p_customer_phone, '[^0-9]', '', 'g')));
    if v_holds >= v_max_holds then
      raise exception using errcode = 'SL429', message = 'too_many_holds', detail = v_max_holds::text;
    end if;
  end if;

  v_buffers := public.effective_buffers(v_service.buffer_before_minutes, v_service.buffer_after_minutes, v_settings);
  v_ends_at := p_starts_at + make_interval(mins => v_service.duration_minutes);
  v_occupied := public.booking_occupied(p_starts_at, v_ends_at, v_buffers[1], v_buffers[2]);

  -- Expired holds stop blocking before we look for conflicts.
  update public.bookings
     set status = 'expired'
   where provider_id = p_provider_id and status = 'pending' and hold_expires_at <= now()
     and occupied && v_occupied;

  if exists (select 1 from public.external_busy
              where provider_id = p_provider_id
                and tstzrange(starts_at, ends_at, '[)') && v_occupied) then
    raise exception using errcode = 'SL409', message = 'slot_taken', detail = 'external_busy';
  end if;

  begin
    insert into public.bookings (
      provider_id, service_id, starts_at, ends_at, buffer_before_minutes, buffer_after_minutes,
      occupied, status, hold_expires_at, customer_name, customer_email, customer_phone,
      customer_timezone, notes, price_cents, currency, idempotency_key, idempotency_fingerprint,
      manage_token_hash, manage_token_expires_at)
    values (
      p_provider_id, p_service_id, p_starts_at, v_ends_at, v_buffers[1], v_buffers[2], v_occupied,
      case when p_hold_minutes is null then 'confirmed' else 'pending' end,
      case when p_hold_minutes is null then null else now() + make_interval(mins => p_hold_minutes) end,
      coalesce(p_customer_name, ''), p_customer_email, p_customer_phone, p_customer_timezone,
      coalesce(p_notes, ''), v_service.price_cents, v_service.currency, p_idempotency_key,
      case when p_idempotency_key is null then null else v_fingerprint end,
      p_manage_token_hash, v_ends_at + interval '30 days')
    returning * into v_booking;
  exception
    when exclusion_violation then
      raise exception using errcode = 'SL409', message = 'slot_taken', detail = 'booking';
    when unique_violation then
      -- A concurrent request with the same idempotency key won the race (the provider lock makes this rare).
      select * into v_booking from public.bookings
       where provider_id = p_provider_id and idempotency_key = p_idempotency_key;
      if not found then
        raise;
      end if;
      if v_booking.idempotency_fingerprint is distinct from v_fingerprint then
        raise exception using errcode = 'SL422', message = 'idempotency_key_reused';
      end if;
      return jsonb_build_object('booking', public.booking_json(v_booking), 'replayed', true,
                                'manageTokenMatches', v_booking.manage_token_hash = p_manage_token_hash);
  end;

  return jsonb_build_object('booking', public.booking_json(v_booking), 'replayed', false, 'manageTokenMatches', true);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Who may call what: only the server (service role).
-- ---------------------------------------------------------------------------------------------

revoke execute on function public.effective_buffers(int, int, jsonb) from public, anon, authenticated;
revoke execute on function public.booking_occupied(timestamptz, timestamptz, int, int) from public, anon, authenticated;
revoke execute on function public.busy_between(uuid, timestamptz, timestamptz, uuid) from public, anon, authenticated;
revoke execute on function public.get_busy_for_move(text, timestamptz, timestamptz) from public, anon, authenticated;
revoke execute on function public.booking_request_fingerprint(uuid, uuid, timestamptz, text, text, text, text, text) from public, anon, authenticated;
revoke execute on function public.get_manage_link_key() from public, anon, authenticated;
revoke execute on function public.abandon_hold(text, text) from public, anon, authenticated;

grant execute on function public.effective_buffers(int, int, jsonb) to service_role;
grant execute on function public.booking_occupied(timestamptz, timestamptz, int, int) to service_role;
grant execute on function public.busy_between(uuid, timestamptz, timestamptz, uuid) to service_role;
grant execute on function public.get_busy_for_move(text, timestamptz, timestamptz) to service_role;
grant execute on function public.booking_request_fingerprint(uuid, uuid, timestamptz, text, text, text, text, text) to service_role;
grant execute on function public.get_manage_link_key() to service_role;
grant execute on function public.abandon_hold(text, text) to service_role;
