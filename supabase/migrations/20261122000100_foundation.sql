-- Slotline foundation: providers, integrations, services, bookings, busy cache, payments,
-- owner-only RLS, and the SQL functions that own every write and every public read.
-- Runs unchanged on Supabase (PostgreSQL 15) and PGlite (PostgreSQL 18).

create extension if not exists btree_gist;

-- ---------------------------------------------------------------------------------------------
-- Shared trigger functions (seeds: touch_updated_at, enforce_integration_owner)
-- ---------------------------------------------------------------------------------------------

create or replace function public.touch_updated_at() returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Providers (seeds 003)
-- ---------------------------------------------------------------------------------------------

create table public.providers (
  id uuid primary key default gen_random_uuid(),
  owner_user_id uuid not null references auth.users (id) on delete cascade,
  public_slug text,
  display_name text not null default '',
  is_public boolean not null default false,
  timezone text not null default 'Asia/Dubai',
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint providers_public_slug_format check (public_slug ~ '^[a-z0-9][a-z0-9-]{0,62}$')
);
create unique index providers_owner_user_id_uq on public.providers (owner_user_id);
create unique index providers_public_slug_uq on public.providers (public_slug);
create trigger providers_touch before update on public.providers
  for each row execute function public.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Integrations and their secrets (seeds 003). Secrets are AES-256-GCM {ciphertext, iv, tag}.
-- ---------------------------------------------------------------------------------------------

create table public.integrations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  integration_type text not null,
  label text,
  status text not null default 'active' check (status in ('active', 'disabled', 'error')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  external_username text,
  external_email text
);
create index integrations_user_id_idx on public.integrations (user_id);
create unique index integrations_user_type_uq on public.integrations (user_id, integration_type);
create trigger integrations_touch before update on public.integrations
  for each row execute function public.touch_updated_at();

create table public.integration_secrets (
  integration_id uuid primary key references public.integrations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  secret jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint integration_secrets_encrypted check (secret ?& array['ciphertext', 'iv', 'tag'])
);
create index integration_secrets_user_id_idx on public.integration_secrets (user_id);

create or replace function public.enforce_integration_owner() returns trigger
language plpgsql
security definer
set search_path = public
as $$
declare
  v_owner uuid;
begin
  select user_id into v_owner from public.integrations where id = new.integration_id;
  if v_owner is null then
    raise exception 'integration % does not exist', new.integration_id;
  end if;
  if new.user_id is null then
    new.user_id := v_owner;
  elsif new.user_id <> v_owner then
    raise exception 'integration_secrets.user_id must match the integration owner';
  end if;
  return new;
end
$$;

create trigger integration_secrets_owner before insert or update on public.integration_secrets
  for each row execute function public.enforce_integration_owner();
create trigger integration_secrets_touch before update on public.integration_secrets
  for each row execute function public.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Services (event types)
-- ---------------------------------------------------------------------------------------------

create table public.services (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid not null references public.providers (id) on delete cascade,
  slug text not null check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  title text not null check (length(title) between 1 and 200),
  description text not null default '',
  duration_minutes int not null check (duration_minutes between 5 and 1440),
  price_cents int not null default 0 check (price_cents >= 0),
  currency text not null default 'AED' check (currency ~ '^[A-Z]{3}$'),
  buffer_before_minutes int not null default 0 check (buffer_before_minutes between 0 and 1440),
  buffer_after_minutes int not null default 0 check (buffer_after_minutes between 0 and 1440),
  location jsonb not null default '{}'::jsonb,
  is_active boolean not null default true,
  position int not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider_id, slug)
);
create trigger services_touch before update on public.services
  for each row execute function public.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Bookings. `occupied` = [start − buffer_before, end + buffer_after); the exclusion constraint
-- makes overlapping live bookings impossible, whatever the application does.
-- ---------------------------------------------------------------------------------------------

create table public.bookings (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid not null references public.providers (id) on delete cascade,
  service_id uuid not null references public.services (id) on delete restrict,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  buffer_before_minutes int not null default 0,
  buffer_after_minutes int not null default 0,
  occupied tstzrange not null,
  status text not null default 'confirmed'
    check (status in ('pending', 'confirmed', 'cancelled', 'declined', 'completed', 'expired')),
  hold_expires_at timestamptz,
  customer_name text not null default '',
  customer_email text,
  customer_phone text,
  customer_timezone text,
  notes text not null default '',
  price_cents int not null default 0,
  currency text not null default 'AED',
  idempotency_key text,
  manage_token_hash text,
  manage_token_expires_at timestamptz,
  meeting_provider text not null default 'jitsi',
  meeting_room text,
  meeting_url text,
  cancel_reason text,
  cancelled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint bookings_time_order check (ends_at > starts_at),
  constraint bookings_contact check (customer_email is not null or customer_phone is not null),
  constraint bookings_hold_has_expiry check (status <> 'pending' or hold_expires_at is not null),
  constraint bookings_no_overlap exclude using gist (provider_id with =, occupied with &&)
    where (status in ('pending', 'confirmed'))
);
create unique index bookings_idempotency_uq on public.bookings (provider_id, idempotency_key)
  where idempotency_key is not null;
create unique index bookings_manage_token_uq on public.bookings (manage_token_hash)
  where manage_token_hash is not null;
create index bookings_provider_start_idx on public.bookings (provider_id, starts_at);

-- Keeps `occupied` in step with the times and buffers (generated columns cannot use
-- timestamptz arithmetic, which is only STABLE).
create or replace function public.bookings_set_occupied() returns trigger
language plpgsql
as $$
begin
  new.occupied := tstzrange(
    new.starts_at - make_interval(mins => new.buffer_before_minutes),
    new.ends_at + make_interval(mins => new.buffer_after_minutes),
    '[)');
  return new;
end
$$;
create trigger bookings_occupied before insert or update of starts_at, ends_at, buffer_before_minutes, buffer_after_minutes
  on public.bookings for each row execute function public.bookings_set_occupied();
create trigger bookings_touch before update on public.bookings
  for each row execute function public.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- External busy cache (CalDAV / Google / ICS), refreshed by the server.
-- ---------------------------------------------------------------------------------------------

create table public.external_busy (
  id bigint generated always as identity primary key,
  provider_id uuid not null references public.providers (id) on delete cascade,
  source text not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  created_at timestamptz not null default now(),
  check (ends_at > starts_at)
);
create index external_busy_provider_idx on public.external_busy (provider_id, starts_at);

-- ---------------------------------------------------------------------------------------------
-- Payments (seeds 000)
-- ---------------------------------------------------------------------------------------------

create table public.payments (
  id uuid primary key default gen_random_uuid(),
  booking_id uuid not null references public.bookings (id) on delete cascade,
  status text not null,
  amount_cents int not null,
  currency text not null default 'AED',
  provider text not null,
  txn_id text,
  refund_txn_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index payments_provider_txn_uq on public.payments (provider, txn_id) where txn_id is not null;
create trigger payments_touch before update on public.payments
  for each row execute function public.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Row level security: owner-only, as in the seeds. Visitors never read tables.
-- ---------------------------------------------------------------------------------------------

alter table public.providers enable row level security;
alter table public.integrations enable row level security;
alter table public.integration_secrets enable row level security;
alter table public.services enable row level security;
alter table public.bookings enable row level security;
alter table public.external_busy enable row level security;
alter table public.payments enable row level security;

create policy providers_owner_select on public.providers for select to authenticated using (auth.uid() = owner_user_id);
create policy providers_owner_insert on public.providers for insert to authenticated with check (auth.uid() = owner_user_id);
create policy providers_owner_update on public.providers for update to authenticated
  using (auth.uid() = owner_user_id) with check (auth.uid() = owner_user_id);
create policy providers_owner_delete on public.providers for delete to authenticated using (auth.uid() = owner_user_id);

create policy integrations_owner_select on public.integrations for select to authenticated using (auth.uid() = user_id);
create policy integrations_owner_insert on public.integrations for insert to authenticated with check (auth.uid() = user_id);
create policy integrations_owner_update on public.integrations for update to authenticated
  using (auth.uid() = user_id) with check (auth.uid() = user_id);
create policy integrations_owner_delete on public.integrations for delete to authenticated using (auth.uid() = user_id);

create policy integration_secrets_owner_select on public.integration_secrets for select to authenticated using (auth.uid() = user_id);
create policy integration_secrets_owner_insert on public.integration_secrets for insert to authenticated with check (auth.uid() = user_id);
create policy integration_secrets_owner_update on public.integration_secrets for update to authenticated
  using (auth.uid() = user_id) with check (auth.uid() = user_id);
create policy integration_secrets_owner_delete on public.integration_secrets for delete to authenticated using (auth.uid() = user_id);

-- Tables that hang off a provider: the provider's owner may manage them.
create or replace function public.owns_provider(p_provider_id uuid) returns boolean
language sql stable security definer set search_path = public
as $$
  select exists (select 1 from public.providers where id = p_provider_id and owner_user_id = auth.uid())
$$;

create policy services_owner_all on public.services for all to authenticated
  using (public.owns_provider(provider_id)) with check (public.owns_provider(provider_id));
create policy bookings_owner_all on public.bookings for all to authenticated
  using (public.owns_provider(provider_id)) with check (public.owns_provider(provider_id));
create policy external_busy_owner_select on public.external_busy for select to authenticated
  using (public.owns_provider(provider_id));
create policy payments_owner_select on public.payments for select to authenticated
  using (exists (select 1 from public.bookings b where b.id = booking_id and public.owns_provider(b.provider_id)));

revoke all on all tables in schema public from anon;
grant select, insert, update, delete on public.providers, public.integrations, public.integration_secrets,
  public.services, public.bookings to authenticated;
grant select on public.external_busy, public.payments to authenticated;
grant all on all tables in schema public to service_role;

-- ---------------------------------------------------------------------------------------------
-- Public reads
-- ---------------------------------------------------------------------------------------------

-- The public face of a provider: only what a booking page needs (no owner id, no calendar
-- settings, no secrets). Null when unknown or not public.
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
          'bufferBeforeMinutes', s.buffer_before_minutes, 'bufferAfterMinutes', s.buffer_after_minutes,
          'location', s.location)
        order by s.position, s.title)
      from public.services s where s.provider_id = p.id and s.is_active), '[]'::jsonb))
  from public.providers p
  where p.public_slug = p_slug and p.is_public
$$;

-- Busy time of a provider in [from, to): occupied ranges of live bookings and holds, and the
-- cached external calendars. `bookings` lists the live bookings' starts (for per-day limits).
create or replace function public.get_busy(p_provider_id uuid, p_from timestamptz, p_to timestamptz) returns jsonb
language sql stable security definer set search_path = public
as $$
  with live as (
    select lower(occupied) as s, upper(occupied) as e, starts_at
    from public.bookings
    where provider_id = p_provider_id
      and occupied && tstzrange(p_from, p_to, '[)')
      and (status = 'confirmed' or (status = 'pending' and hold_expires_at > now()))
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

-- ---------------------------------------------------------------------------------------------
-- Writes
-- ---------------------------------------------------------------------------------------------

-- Releases the provider's holds whose time ran out (all providers when null).
create or replace function public.expire_holds(p_provider_id uuid default null) returns int
language plpgsql security definer set search_path = public
as $$
declare
  v_count int;
begin
  update public.bookings
     set status = 'expired'
   where status = 'pending'
     and hold_expires_at <= now()
     and (p_provider_id is null or provider_id = p_provider_id);
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

create or replace function public.booking_json(b public.bookings) returns jsonb
language sql stable set search_path = public
as $$
  select jsonb_build_object(
    'id', b.id, 'status', b.status, 'start', b.starts_at, 'end', b.ends_at,
    'providerId', b.provider_id, 'serviceId', b.service_id,
    'holdExpiresAt', b.hold_expires_at, 'name', b.customer_name,
    'email', b.customer_email, 'phone', b.customer_phone, 'notes', b.notes,
    'timezone', b.customer_timezone, 'priceCents', b.price_cents, 'currency', b.currency,
    'meetingUrl', b.meeting_url, 'cancelReason', b.cancel_reason, 'createdAt', b.created_at)
$$;

-- Writes that can put a booking's range into the exclusion constraint take this lock first, so
-- two of them for one provider never wait on each other's uncommitted rows (which PostgreSQL
-- resolves only by aborting one as a deadlock victim after deadlock_timeout). The constraint
-- stays the guarantee; the lock just makes conflicting writers queue instead of deadlocking.
create or replace function public.lock_provider_bookings(p_provider_id uuid) returns void
language sql volatile set search_path = public
as $$
  select pg_advisory_xact_lock(7081222, hashtext(p_provider_id::text))
$$;

-- Books [start, start + duration) for a service if the occupied range is free.
-- Raises SQLSTATE 'SL409' (message 'slot_taken') when a live booking or cached external busy
-- time overlaps; 'SL404' for an unknown or inactive service. The same idempotency key returns the
-- same booking (with `replayed: true`), and rotates its manage token to the one given.
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
  v_booking public.bookings;
  v_ends_at timestamptz;
  v_occupied tstzrange;
begin
  perform public.lock_provider_bookings(p_provider_id);

  if p_idempotency_key is not null then
    select * into v_booking from public.bookings
     where provider_id = p_provider_id and idempotency_key = p_idempotency_key;
    if found then
      update public.bookings set manage_token_hash = coalesce(p_manage_token_hash, manage_token_hash)
       where id = v_booking.id returning * into v_booking;
      return jsonb_build_object('booking', public.booking_json(v_booking), 'replayed', true);
    end if;
  end if;

  select * into v_service from public.services
   where id = p_service_id and provider_id = p_provider_id and is_active;
  if not found then
    raise exception using errcode = 'SL404', message = 'service_not_found';
  end if;

  v_ends_at := p_starts_at + make_interval(mins => v_service.duration_minutes);
  v_occupied := tstzrange(p_starts_at - make_interval(mins => v_service.buffer_before_minutes),
                          v_ends_at + make_interval(mins => v_service.buffer_after_minutes), '[)');

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
      customer_timezone, notes, price_cents, currency, idempotency_key, manage_token_hash,
      manage_token_expires_at)
    values (
      p_provider_id, p_service_id, p_starts_at, v_ends_at, v_service.buffer_before_minutes,
      v_service.buffer_after_minutes, v_occupied,
      case when p_hold_minutes is null then 'confirmed' else 'pending' end,
      case when p_hold_minutes is null then null else now() + make_interval(mins => p_hold_minutes) end,
      coalesce(p_customer_name, ''), p_customer_email, p_customer_phone, p_customer_timezone,
      coalesce(p_notes, ''), v_service.price_cents, v_service.currency, p_idempotency_key,
      p_manage_token_hash, v_ends_at + interval '30 days')
    returning * into v_booking;
  exception
    when exclusion_violation then
      raise exception using errcode = 'SL409', message = 'slot_taken', detail = 'booking';
    when unique_violation then
      -- A concurrent request with the same idempotency key won the race: answer with its booking.
      select * into v_booking from public.bookings
       where provider_id = p_provider_id and idempotency_key = p_idempotency_key;
      if not found then
        raise;
      end if;
      return jsonb_build_object('booking', public.booking_json(v_booking), 'replayed', true);
  end;

  return jsonb_build_object('booking', public.booking_json(v_booking), 'replayed', false);
end
$$;

-- Cancels a live booking found by its manage token hash; frees the range at once.
create or replace function public.cancel_booking(p_token_hash text, p_reason text) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
begin
  update public.bookings
     set status = 'cancelled', cancel_reason = nullif(p_reason, ''), cancelled_at = now()
   where manage_token_hash = p_token_hash
     and status in ('pending', 'confirmed')
     and (manage_token_expires_at is null or manage_token_expires_at > now())
  returning * into v_booking;
  if not found then
    raise exception using errcode = 'SL404', message = 'booking_not_found';
  end if;
  return public.booking_json(v_booking);
end
$$;

-- Creates or updates a provider and its services from a provider file (idempotent by slug).
-- Services missing from the file are deactivated, never deleted (bookings point at them).
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
            coalesce((v_service ->> 'bufferBeforeMinutes')::int, 0),
            coalesce((v_service ->> 'bufferAfterMinutes')::int, 0),
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

-- ---------------------------------------------------------------------------------------------
-- Who may call what: visitors may call the public reads; only the server (service role) writes.
-- ---------------------------------------------------------------------------------------------

revoke execute on function public.get_public_provider(text) from public;
revoke execute on function public.get_busy(uuid, timestamptz, timestamptz) from public;
grant execute on function public.get_public_provider(text) to anon, authenticated, service_role;
grant execute on function public.get_busy(uuid, timestamptz, timestamptz) to anon, authenticated, service_role;

revoke execute on function public.expire_holds(uuid) from public, anon, authenticated;
revoke execute on function public.lock_provider_bookings(uuid) from public, anon, authenticated;
revoke execute on function public.booking_json(public.bookings) from public, anon, authenticated;
revoke execute on function public.create_booking_if_free(uuid, uuid, timestamptz, text, text, text, text, text, text, text, int) from public, anon, authenticated;
revoke execute on function public.cancel_booking(text, text) from public, anon, authenticated;
revoke execute on function public.apply_provider(text, text, text, boolean, jsonb, jsonb) from public, anon, authenticated;

grant execute on function public.expire_holds(uuid) to service_role;
grant execute on function public.lock_provider_bookings(uuid) to service_role;
grant execute on function public.booking_json(public.bookings) to service_role;
grant execute on function public.create_booking_if_free(uuid, uuid, timestamptz, text, text, text, text, text, text, text, int) to service_role;
grant execute on function public.cancel_booking(text, text) to service_role;
grant execute on function public.apply_provider(text, text, text, boolean, jsonb, jsonb) to service_role;
