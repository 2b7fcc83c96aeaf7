-- Provider app (issue 12): accounts, passwordless sign-in, sessions, request-to-book, no-shows, client notes,
-- GDPR erasure, and the owner functions behind /api/app/*.
--
-- Every owner function takes the acting user (`p_user_id`, from the session) and touches only providers that user
-- owns; anything else is SQLSTATE 'SL404', the same answer as "does not exist". Writes to bookings go through the
-- visitor-side functions (create_booking_if_free, cancel_booking, reschedule_booking), so their rules apply here too.
-- Times that decide expiry (`p_now`) come from the server's clock, so tests can move it.

-- ---------------------------------------------------------------------------------------------
-- Accounts. The identity is a row in auth.users (Supabase's table; the local shim elsewhere), found by
-- email; app_accounts marks the people who signed in to the app. A provider whose owner has no account
-- (e.g. the demo provider made by apply_provider) is "unclaimed".
-- ---------------------------------------------------------------------------------------------

create table public.app_accounts (
  user_id uuid primary key references auth.users (id) on delete cascade,
  email text not null check (email = lower(email) and length(email) between 3 and 254),
  created_at timestamptz not null default now(),
  last_sign_in_at timestamptz
);
create unique index app_accounts_email_uq on public.app_accounts (email);

-- One row per sign-in email sent: the link token and the six-digit code, both stored as sha256.
create table public.app_sign_in_challenges (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  link_hash text not null,
  code_hash text not null,
  expires_at timestamptz not null,
  attempts int not null default 0,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create unique index app_sign_in_challenges_link_uq on public.app_sign_in_challenges (link_hash);
create index app_sign_in_challenges_email_idx on public.app_sign_in_challenges (email, expires_at);

-- Sessions: the cookie's sha256; the expiry rolls forward on use.
create table public.app_sessions (
  token_hash text primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null,
  expires_at timestamptz not null
);
create index app_sessions_user_idx on public.app_sessions (user_id);

-- A provider's private notes about a client (the client is a key: lowercased email, else phone).
create table public.client_notes (
  provider_id uuid not null references public.providers (id) on delete cascade,
  client_key text not null,
  notes text not null default '' check (length(notes) <= 5000),
  updated_at timestamptz not null default now(),
  primary key (provider_id, client_key)
);

alter table public.app_accounts enable row level security;
alter table public.app_sign_in_challenges enable row level security;
alter table public.app_sessions enable row level security;
alter table public.client_notes enable row level security;
create policy client_notes_owner_all on public.client_notes for all to authenticated
  using (public.owns_provider(provider_id)) with check (public.owns_provider(provider_id));
revoke all on public.app_accounts, public.app_sign_in_challenges, public.app_sessions from public, anon, authenticated;
revoke all on public.client_notes from public, anon;
grant select, insert, update, delete on public.client_notes to authenticated;
grant all on public.app_accounts, public.app_sign_in_challenges, public.app_sessions, public.client_notes to service_role;

-- ---------------------------------------------------------------------------------------------
-- Services: instant booking or request-to-book.
-- Bookings: requests awaiting approval (pending, no hold expiry), no-shows, manual bookings, erasure.
-- ---------------------------------------------------------------------------------------------

alter table public.services add column booking_mode text not null default 'instant'
  check (booking_mode in ('instant', 'request'));

alter table public.bookings add column awaiting_approval boolean not null default false;
alter table public.bookings add column created_by text not null default 'visitor'
  check (created_by in ('visitor', 'owner'));
alter table public.bookings add column erased_at timestamptz;

alter table public.bookings drop constraint bookings_status_check;
alter table public.bookings add constraint bookings_status_check
  check (status in ('pending', 'confirmed', 'cancelled', 'declined', 'completed', 'expired', 'no_show'));
-- A request waits for the provider, not for a clock.
alter table public.bookings drop constraint bookings_hold_has_expiry;
alter table public.bookings add constraint bookings_hold_has_expiry
  check (status <> 'pending' or hold_expires_at is not null or awaiting_approval);
-- An erased client's bookings keep their times and amounts but no contact.
alter table public.bookings drop constraint bookings_contact;
alter table public.bookings add constraint bookings_contact
  check (customer_email is not null or customer_phone is not null or erased_at is not null);

create index bookings_provider_email_idx on public.bookings (provider_id, lower(customer_email));
create index bookings_provider_phone_idx on public.bookings (provider_id, customer_phone);

-- A booking of a request-mode service that would be confirmed at once becomes a request instead: pending,
-- awaiting approval, with no hold expiry (it keeps its time under the exclusion constraint until the provider
-- answers). Paid services keep the hold-and-pay flow (the payment is the commitment). The owner's own manual
-- bookings (app_create_booking sets slotline.owner_booking) stay confirmed. A trigger, so the public
-- create_booking_if_free honours the mode without being redefined here. Named to fire before bookings_meeting
-- (triggers fire in name order), so a request gets its video room only when approved.
create or replace function public.bookings_apply_booking_mode() returns trigger
language plpgsql
set search_path = public
as $$
begin
  if new.status = 'confirmed'
     and coalesce(current_setting('slotline.owner_booking', true), '') <> 'on'
     and exists (select 1 from public.services where id = new.service_id and booking_mode = 'request') then
    new.status := 'pending';
    new.awaiting_approval := true;
    new.hold_expires_at := null;
  end if;
  return new;
end
$$;
create trigger bookings_approval_mode before insert on public.bookings
  for each row execute function public.bookings_apply_booking_mode();

-- Same as busy_between of 20261130000100_booking_rules.sql (behind get_busy and get_busy_for_move), except that a
-- request awaiting approval (pending with no hold expiry) is busy too: the exclusion constraint already keeps its
-- time, so the engine must not offer it.
create or replace function public.busy_between(p_provider_id uuid, p_from timestamptz, p_to timestamptz, p_except uuid)
returns jsonb
language sql stable security definer set search_path = public
as $$
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
  )
  select jsonb_build_object(
    'busy', coalesce((select jsonb_agg(jsonb_build_object('start', s, 'end', e) order by s)
                      from (select s, e from live union all select s, e from ext) b), '[]'::jsonb),
    'bookings', coalesce((select jsonb_agg(starts_at order by starts_at) from live), '[]'::jsonb))
$$;

-- ---------------------------------------------------------------------------------------------
-- Sign-in
-- ---------------------------------------------------------------------------------------------

-- Whether this email may get a sign-in mail: an existing account always; a new one only while the instance
-- has no account at all (the first provider) or when sign-up is open (SIGNUP=open). Stores the challenge when
-- it may. Returns { send, newAccount } — the server answers the same either way (no account enumeration).
create or replace function public.app_request_sign_in(
  p_email text, p_link_hash text, p_code_hash text, p_now timestamptz, p_ttl_seconds int, p_signup_open boolean
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_email text := lower(trim(p_email));
  v_known boolean;
begin
  select exists (select 1 from public.app_accounts where email = v_email) into v_known;
  if not v_known and not p_signup_open and exists (select 1 from public.app_accounts) then
    return jsonb_build_object('send', false, 'newAccount', true);
  end if;
  delete from public.app_sign_in_challenges where expires_at < p_now - interval '1 day';
  insert into public.app_sign_in_challenges (email, link_hash, code_hash, expires_at)
  values (v_email, p_link_hash, p_code_hash, p_now + make_interval(secs => p_ttl_seconds));
  return jsonb_build_object('send', true, 'newAccount', not v_known);
end
$$;

-- The account for an email, created when sign-up allows it (decided under one lock, so of two first
-- sign-ins racing on a fresh instance exactly one becomes the first account). The first account takes
-- over the oldest unclaimed provider (the seeded demo provider on `npm start`) with its calendar
-- integrations. Null when sign-up is closed for this email.
create or replace function public.app_account_for(p_email text, p_now timestamptz, p_signup_open boolean) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_email text := lower(trim(p_email));
  v_user uuid;
  v_first boolean;
  v_provider public.providers;
  v_old_owner uuid;
begin
  perform pg_advisory_xact_lock(7081230);
  select user_id into v_user from public.app_accounts where email = v_email;
  if found then
    update public.app_accounts set last_sign_in_at = p_now where user_id = v_user;
    return jsonb_build_object('userId', v_user, 'email', v_email, 'newAccount', false, 'claimedProvider', null);
  end if;

  v_first := not exists (select 1 from public.app_accounts);
  if not v_first and not p_signup_open then
    return null;
  end if;

  -- On Supabase the person may already exist in auth.users (e.g. from Supabase Auth): same email, same user.
  select id into v_user from auth.users where lower(email) = v_email order by created_at limit 1;
  if not found then
    insert into auth.users (id, email) values (gen_random_uuid(), v_email) returning id into v_user;
  end if;
  insert into public.app_accounts (user_id, email, created_at, last_sign_in_at) values (v_user, v_email, p_now, p_now);

  if v_first and not exists (select 1 from public.providers where owner_user_id = v_user) then
    select p.* into v_provider from public.providers p
     where not exists (select 1 from public.app_accounts a where a.user_id = p.owner_user_id)
     order by p.created_at, p.id limit 1
     for update;
    if found then
      v_old_owner := v_provider.owner_user_id;
      update public.providers set owner_user_id = v_user where id = v_provider.id;
      -- Calendars connected by the CLI belong to the provider's owner: they move with it.
      update public.integrations set user_id = v_user where user_id = v_old_owner;
      update public.integration_secrets set user_id = v_user where user_id = v_old_owner;
    end if;
  end if;
  return jsonb_build_object('userId', v_user, 'email', v_email, 'newAccount', true,
                            'claimedProvider', case when v_provider.id is null then null
                                                    else jsonb_build_object('id', v_provider.id, 'slug', v_provider.public_slug) end);
end
$$;

-- Consumes a sign-in challenge once — by its link token, or by email + six-digit code — and opens a session.
-- Five wrong codes end every open challenge of that email. Returns { ok: true, user, … } or
-- { ok: false, reason: 'invalid' | 'signup_closed' } (never raises, so a wrong code's count is kept).
create or replace function public.app_verify_sign_in(
  p_link_hash text, p_email text, p_code_hash text, p_session_hash text, p_now timestamptz,
  p_session_ttl_seconds int, p_signup_open boolean
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_challenge public.app_sign_in_challenges;
  v_account jsonb;
begin
  if p_link_hash is not null then
    update public.app_sign_in_challenges set used_at = p_now
     where link_hash = p_link_hash and used_at is null and expires_at > p_now and attempts < 5
    returning * into v_challenge;
  elsif p_email is not null and p_code_hash is not null then
    update public.app_sign_in_challenges set used_at = p_now
     where id = (select id from public.app_sign_in_challenges
                  where email = lower(trim(p_email)) and code_hash = p_code_hash
                    and used_at is null and expires_at > p_now and attempts < 5
                  order by created_at desc limit 1
                  for update)
    returning * into v_challenge;
    if v_challenge.id is null then
      update public.app_sign_in_challenges set attempts = attempts + 1
       where email = lower(trim(p_email)) and used_at is null and expires_at > p_now;
    end if;
  end if;
  if v_challenge.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;

  v_account := public.app_account_for(v_challenge.email, p_now, p_signup_open);
  if v_account is null then
    return jsonb_build_object('ok', false, 'reason', 'signup_closed');
  end if;
  delete from public.app_sessions where user_id = (v_account ->> 'userId')::uuid and expires_at <= p_now;
  insert into public.app_sessions (token_hash, user_id, created_at, last_used_at, expires_at)
  values (p_session_hash, (v_account ->> 'userId')::uuid, p_now, p_now, p_now + make_interval(secs => p_session_ttl_seconds));
  return jsonb_build_object('ok', true,
    'user', jsonb_build_object('id', v_account ->> 'userId', 'email', v_account ->> 'email'),
    'newAccount', v_account -> 'newAccount', 'claimedProvider', v_account -> 'claimedProvider');
end
$$;

-- The signed-in user of a session cookie (null when unknown or expired); each use extends the expiry.
create or replace function public.app_session_user(p_token_hash text, p_now timestamptz, p_ttl_seconds int) returns jsonb
language sql security definer set search_path = public
as $$
  with s as (
    update public.app_sessions
       set last_used_at = p_now, expires_at = greatest(expires_at, p_now + make_interval(secs => p_ttl_seconds))
     where token_hash = p_token_hash and expires_at > p_now
    returning user_id, expires_at
  )
  select jsonb_build_object('id', a.user_id, 'email', a.email, 'sessionExpiresAt', s.expires_at)
    from s join public.app_accounts a on a.user_id = s.user_id
$$;

create or replace function public.app_sign_out(p_token_hash text) returns jsonb
language sql security definer set search_path = public
as $$
  with d as (delete from public.app_sessions where token_hash = p_token_hash returning 1)
  select jsonb_build_object('signedOut', (select count(*) from d))
$$;

create or replace function public.app_sign_out_everywhere(p_user_id uuid) returns jsonb
language sql security definer set search_path = public
as $$
  with d as (delete from public.app_sessions where user_id = p_user_id returning 1)
  select jsonb_build_object('signedOut', (select count(*) from d))
$$;

-- ---------------------------------------------------------------------------------------------
-- Ownership and JSON shapes
-- ---------------------------------------------------------------------------------------------

-- The provider if p_user_id owns it; SL404 otherwise (never "exists but not yours").
create or replace function public.app_owned_provider(p_user_id uuid, p_provider_id uuid) returns public.providers
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers;
begin
  select * into v from public.providers where id = p_provider_id and owner_user_id = p_user_id;
  if not found or p_user_id is null then
    raise exception using errcode = 'SL404', message = 'provider_not_found';
  end if;
  return v;
end
$$;

-- One of the provider's bookings, locked for update; SL404 unless p_user_id owns the provider.
create or replace function public.app_owned_booking(p_user_id uuid, p_provider_id uuid, p_booking_id uuid) returns public.bookings
language plpgsql security definer set search_path = public
as $$
declare
  v public.bookings;
begin
  perform public.app_owned_provider(p_user_id, p_provider_id);
  select * into v from public.bookings where id = p_booking_id and provider_id = p_provider_id for update;
  if not found then
    raise exception using errcode = 'SL404', message = 'booking_not_found';
  end if;
  return v;
end
$$;

create or replace function public.app_provider_json(p public.providers) returns jsonb
language sql stable set search_path = public
as $$
  select jsonb_build_object(
    'id', p.id, 'slug', p.public_slug, 'name', p.display_name, 'timezone', p.timezone, 'isPublic', p.is_public,
    'profile', coalesce(p.settings -> 'profile', '{}'::jsonb),
    'booking', coalesce(p.settings -> 'booking', '{}'::jsonb),
    'whatsapp', coalesce(p.settings -> 'whatsapp', '{"enabled": false}'::jsonb),
    'appearance', coalesce(p.settings -> 'appearance', '{}'::jsonb),
    'embed', coalesce(p.settings -> 'embed', '{}'::jsonb),
    'workingHours', coalesce(p.settings -> 'workingHours', '{"intervals": []}'::jsonb),
    'timeOff', coalesce(p.settings -> 'timeOff', '[]'::jsonb),
    'createdAt', p.created_at, 'updatedAt', p.updated_at)
$$;

create or replace function public.app_service_json(s public.services) returns jsonb
language sql stable set search_path = public
as $$
  select jsonb_build_object(
    'id', s.id, 'slug', s.slug, 'title', s.title, 'description', s.description,
    'durationMinutes', s.duration_minutes, 'priceCents', s.price_cents, 'currency', s.currency,
    -- The service's own buffers (null: the provider's policy applies) and the effective ones (effective_buffers, the
    -- one rule create_booking_if_free stores on each booking).
    'bufferBeforeMinutes', s.buffer_before_minutes, 'bufferAfterMinutes', s.buffer_after_minutes,
    'effectiveBufferBeforeMinutes', e.buffers[1], 'effectiveBufferAfterMinutes', e.buffers[2],
    'location', s.location, 'bookingMode', s.booking_mode, 'hidden', not s.is_active, 'position', s.position)
  from (select public.effective_buffers(s.buffer_before_minutes, s.buffer_after_minutes, p.settings) as buffers
          from public.providers p where p.id = s.provider_id) e
$$;

-- What a move of an owner's booking must respect: the provider's busy time without the booking itself, and the
-- booking's stored buffers (as get_busy_for_move does for a manage link). SL404 when not the user's.
create or replace function public.app_busy_for_move(
  p_user_id uuid, p_provider_id uuid, p_booking_id uuid, p_from timestamptz, p_to timestamptz
) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.bookings := public.app_owned_booking(p_user_id, p_provider_id, p_booking_id);
begin
  return public.busy_between(v.provider_id, p_from, p_to, v.id)
         || jsonb_build_object('bufferBeforeMinutes', v.buffer_before_minutes, 'bufferAfterMinutes', v.buffer_after_minutes);
end
$$;

-- The client key of a booking: its lowercased email, else its phone; null once erased.
create or replace function public.app_client_key(b public.bookings) returns text
language sql immutable
as $$
  select coalesce(lower(b.customer_email), b.customer_phone)
$$;

create or replace function public.app_booking_json(b public.bookings) returns jsonb
language sql stable set search_path = public
as $$
  select public.booking_json(b) || jsonb_build_object(
    'awaitingApproval', b.awaiting_approval, 'createdBy', b.created_by, 'erased', b.erased_at is not null,
    'clientKey', public.app_client_key(b), 'cancelledAt', b.cancelled_at,
    'service', (select jsonb_build_object('id', s.id, 'slug', s.slug, 'title', s.title, 'durationMinutes', s.duration_minutes)
                  from public.services s where s.id = b.service_id),
    'payment', (select jsonb_build_object('status', pay.status, 'amountCents', pay.amount_cents, 'currency', pay.currency,
                                          'txnId', pay.txn_id, 'refundTxnId', pay.refund_txn_id,
                                          'refundUntil', pay.refund_until)
                  from public.payments pay where pay.booking_id = b.id order by pay.created_at desc limit 1))
$$;

-- ---------------------------------------------------------------------------------------------
-- Me, onboarding, settings, hours, export/import
-- ---------------------------------------------------------------------------------------------

create or replace function public.app_me(p_user_id uuid) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'user', jsonb_build_object('id', a.user_id, 'email', a.email, 'createdAt', a.created_at),
    'providers', coalesce((select jsonb_agg(jsonb_build_object('id', p.id, 'slug', p.public_slug, 'name', p.display_name,
                                                               'timezone', p.timezone, 'isPublic', p.is_public)
                                            order by p.created_at)
                             from public.providers p where p.owner_user_id = a.user_id), '[]'::jsonb))
  from public.app_accounts a where a.user_id = p_user_id
$$;

create or replace function public.app_slug_available(p_slug text) returns boolean
language sql stable security definer set search_path = public
as $$
  select p_slug ~ '^[a-z0-9][a-z0-9-]{0,62}$' and not exists (select 1 from public.providers where public_slug = p_slug)
$$;

-- Onboarding: a signed-in user without a provider creates one, public at once, with a first service.
-- SL409 'already_has_provider' / 'slug_taken'.
create or replace function public.app_create_provider(
  p_user_id uuid, p_slug text, p_name text, p_timezone text, p_settings jsonb, p_service jsonb
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers;
begin
  if not exists (select 1 from public.app_accounts where user_id = p_user_id) then
    raise exception using errcode = 'SL404', message = 'account_not_found';
  end if;
  if exists (select 1 from public.providers where owner_user_id = p_user_id) then
    raise exception using errcode = 'SL409', message = 'already_has_provider';
  end if;
  begin
    insert into public.providers (owner_user_id, public_slug, display_name, is_public, timezone, settings)
    values (p_user_id, p_slug, p_name, true, p_timezone, coalesce(p_settings, '{}'::jsonb))
    returning * into v;
  exception when unique_violation then
    if exists (select 1 from public.providers where owner_user_id = p_user_id) then
      raise exception using errcode = 'SL409', message = 'already_has_provider';
    end if;
    raise exception using errcode = 'SL409', message = 'slug_taken';
  end;
  insert into public.services (provider_id, slug, title, description, duration_minutes, price_cents, currency, location,
                               booking_mode, position)
  values (v.id, p_service ->> 'slug', p_service ->> 'title', coalesce(p_service ->> 'description', ''),
          (p_service ->> 'durationMinutes')::int, coalesce((p_service ->> 'priceCents')::int, 0),
          coalesce(p_service ->> 'currency', 'AED'), coalesce(p_service -> 'location', '{}'::jsonb),
          coalesce(p_service ->> 'bookingMode', 'instant'), 1);
  return public.app_provider_json(v);
end
$$;

create or replace function public.app_get_provider(p_user_id uuid, p_provider_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
begin
  return public.app_provider_json(public.app_owned_provider(p_user_id, p_provider_id));
end
$$;

-- Settings: each top-level key present in p_patch replaces that part (name, slug, timezone, isPublic, and the
-- settings sections profile, booking, whatsapp, appearance, embed). SL409 'slug_taken'.
create or replace function public.app_update_provider(p_user_id uuid, p_provider_id uuid, p_patch jsonb) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_sections jsonb;
begin
  select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) into v_sections
    from jsonb_each(p_patch) where key in ('profile', 'booking', 'whatsapp', 'appearance', 'embed');
  begin
    update public.providers
       set display_name = coalesce(p_patch ->> 'name', display_name),
           public_slug = coalesce(p_patch ->> 'slug', public_slug),
           timezone = coalesce(p_patch ->> 'timezone', timezone),
           is_public = coalesce((p_patch ->> 'isPublic')::boolean, is_public),
           settings = settings || v_sections
     where id = v.id
    returning * into v;
  exception when unique_violation then
    raise exception using errcode = 'SL409', message = 'slug_taken';
  end;
  return public.app_provider_json(v);
end
$$;

-- Working hours (what the availability engine reads, with time off already expanded into closed dates by the
-- server) and the time-off ranges as the provider entered them.
create or replace function public.app_set_hours(p_user_id uuid, p_provider_id uuid, p_working_hours jsonb, p_time_off jsonb)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  update public.providers
     set settings = settings || jsonb_build_object('workingHours', p_working_hours, 'timeOff', coalesce(p_time_off, '[]'::jsonb))
   where id = v.id
  returning * into v;
  return public.app_provider_json(v);
end
$$;

-- The provider file (server/providers/file.ts shape): visible services only, as the CLI applies them.
create or replace function public.app_export_provider(p_user_id uuid, p_provider_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  p public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  return jsonb_build_object(
    'slug', p.public_slug, 'name', p.display_name, 'timezone', p.timezone, 'isPublic', p.is_public,
    'settings', p.settings - 'calendar' || jsonb_build_object('calendar', jsonb_build_object(
                  'selectedCalendarIds', coalesce(p.settings #> '{calendar,selectedCalendarIds}', '[]'::jsonb))),
    'services', coalesce((select jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
        'slug', s.slug, 'title', s.title, 'description', s.description, 'durationMinutes', s.duration_minutes,
        'priceCents', s.price_cents, 'currency', s.currency, 'bufferBeforeMinutes', s.buffer_before_minutes,
        'bufferAfterMinutes', s.buffer_after_minutes,
        'location', case when s.location ? 'type' then s.location end, 'bookingMode', s.booking_mode))
        order by s.position, s.title)
      from public.services s where s.provider_id = p.id and s.is_active), '[]'::jsonb));
end
$$;

-- Applies a validated provider file to the user's own provider through apply_provider (the CLI's path). The
-- file's slug renames the provider when it differs (SL409 'slug_taken' when another provider has it).
create or replace function public.app_import_provider(p_user_id uuid, p_provider_id uuid, p_file jsonb) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_slug text := p_file ->> 'slug';
begin
  if v_slug <> v.public_slug then
    begin
      update public.providers set public_slug = v_slug where id = v.id;
    exception when unique_violation then
      raise exception using errcode = 'SL409', message = 'slug_taken';
    end;
  end if;
  perform public.apply_provider(v_slug, p_file ->> 'name', p_file ->> 'timezone', (p_file ->> 'isPublic')::boolean,
                                p_file -> 'settings', p_file -> 'services');
  update public.services s set booking_mode = coalesce(f.value ->> 'bookingMode', s.booking_mode)
    from jsonb_array_elements(p_file -> 'services') f
   where s.provider_id = v.id and s.slug = f.value ->> 'slug';
  select * into v from public.providers where id = v.id;
  return public.app_provider_json(v);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Services
-- ---------------------------------------------------------------------------------------------

create or replace function public.app_list_services(p_user_id uuid, p_provider_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  return (select coalesce(jsonb_agg(public.app_service_json(s) order by s.position, s.title), '[]'::jsonb)
            from public.services s where s.provider_id = v.id);
end
$$;

-- Creates (p_service_id null) or updates a service; on update only the keys present change. `hidden` hides it
-- from the booking page. SL409 'service_slug_taken'; SL404 for another provider's service.
create or replace function public.app_save_service(p_user_id uuid, p_provider_id uuid, p_service_id uuid, p_service jsonb)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v public.services;
begin
  begin
    if p_service_id is null then
      insert into public.services (provider_id, slug, title, description, duration_minutes, price_cents, currency,
                                   buffer_before_minutes, buffer_after_minutes, location, booking_mode, is_active, position)
      values (v_provider.id, p_service ->> 'slug', p_service ->> 'title', coalesce(p_service ->> 'description', ''),
              (p_service ->> 'durationMinutes')::int, coalesce((p_service ->> 'priceCents')::int, 0),
              coalesce(p_service ->> 'currency', 'AED'), (p_service ->> 'bufferBeforeMinutes')::int,
              (p_service ->> 'bufferAfterMinutes')::int, coalesce(p_service -> 'location', '{}'::jsonb),
              coalesce(p_service ->> 'bookingMode', 'instant'), not coalesce((p_service ->> 'hidden')::boolean, false),
              coalesce((select max(position) from public.services where provider_id = v_provider.id), 0) + 1)
      returning * into v;
    else
      update public.services
         set slug = coalesce(p_service ->> 'slug', slug),
             title = coalesce(p_service ->> 'title', title),
             description = coalesce(p_service ->> 'description', description),
             duration_minutes = coalesce((p_service ->> 'durationMinutes')::int, duration_minutes),
             price_cents = coalesce((p_service ->> 'priceCents')::int, price_cents),
             currency = coalesce(p_service ->> 'currency', currency),
             -- A buffer given as null goes back to the provider's policy; one left out stays as it is.
             buffer_before_minutes = case when p_service ? 'bufferBeforeMinutes'
                                          then (p_service ->> 'bufferBeforeMinutes')::int else buffer_before_minutes end,
             buffer_after_minutes = case when p_service ? 'bufferAfterMinutes'
                                         then (p_service ->> 'bufferAfterMinutes')::int else buffer_after_minutes end,
             location = coalesce(p_service -> 'location', location),
             booking_mode = coalesce(p_service ->> 'bookingMode', booking_mode),
             is_active = case when p_service ? 'hidden' then not (p_service ->> 'hidden')::boolean else is_active end
       where id = p_service_id and provider_id = v_provider.id
      returning * into v;
      if not found then
        raise exception using errcode = 'SL404', message = 'service_not_found';
      end if;
    end if;
  exception when unique_violation then
    raise exception using errcode = 'SL409', message = 'service_slug_taken';
  end;
  return public.app_service_json(v);
end
$$;

-- Puts the given services first, in this order (others keep their relative order after them).
create or replace function public.app_reorder_services(p_user_id uuid, p_provider_id uuid, p_service_ids jsonb) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  if exists (select 1 from jsonb_array_elements_text(p_service_ids) i
              where not exists (select 1 from public.services s where s.id::text = i.value and s.provider_id = v_provider.id)) then
    raise exception using errcode = 'SL404', message = 'service_not_found';
  end if;
  with wanted as (
    select value::uuid as id, ordinality as n from jsonb_array_elements_text(p_service_ids) with ordinality
  ), ranked as (
    select s.id, row_number() over (order by w.n nulls last, s.position, s.title) as pos
      from public.services s left join wanted w on w.id = s.id
     where s.provider_id = v_provider.id
  )
  update public.services s set position = r.pos from ranked r where s.id = r.id;
  return public.app_list_services(p_user_id, p_provider_id);
end
$$;

-- Deletes a service nobody booked; one with bookings can only be hidden (SL409 'service_in_use').
create or replace function public.app_delete_service(p_user_id uuid, p_provider_id uuid, p_service_id uuid) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  if not exists (select 1 from public.services where id = p_service_id and provider_id = v_provider.id) then
    raise exception using errcode = 'SL404', message = 'service_not_found';
  end if;
  if exists (select 1 from public.bookings where service_id = p_service_id) then
    raise exception using errcode = 'SL409', message = 'service_in_use';
  end if;
  delete from public.services where id = p_service_id;
  return jsonb_build_object('deleted', p_service_id);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Bookings
-- ---------------------------------------------------------------------------------------------

-- A page of the provider's bookings. p_scope: today (the provider's local day of p_now) | upcoming (not ended)
-- | past (ended) | requests (awaiting approval) | all. Expired holds are left out unless p_status asks for them.
create or replace function public.app_list_bookings(
  p_user_id uuid, p_provider_id uuid, p_scope text, p_service_id uuid, p_status text, p_now timestamptz,
  p_limit int, p_offset int
) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_day_start timestamptz := date_trunc('day', p_now at time zone v.timezone) at time zone v.timezone;
  v_day_end timestamptz := (date_trunc('day', p_now at time zone v.timezone) + interval '1 day') at time zone v.timezone;
  v_result jsonb;
begin
  with matching as (
    select b.id, b.starts_at from public.bookings b
     where b.provider_id = v.id
       and (p_service_id is null or b.service_id = p_service_id)
       and (case when p_status is null then b.status <> 'expired' else b.status = p_status end)
       and case p_scope
             when 'today' then b.starts_at >= v_day_start and b.starts_at < v_day_end
             when 'upcoming' then b.ends_at > p_now
             when 'past' then b.ends_at <= p_now
             when 'requests' then b.status = 'pending' and b.awaiting_approval
             else true end
  ), page as (
    select m.* from matching m
     order by case when p_scope = 'past' or p_scope = 'all' then null else m.starts_at end asc,
              case when p_scope = 'past' or p_scope = 'all' then m.starts_at end desc, m.id
     limit p_limit offset p_offset
  )
  select jsonb_build_object(
    'bookings', coalesce((select jsonb_agg(public.app_booking_json(b)
                                           order by case when p_scope = 'past' or p_scope = 'all' then null else pg.starts_at end asc,
                                                    case when p_scope = 'past' or p_scope = 'all' then pg.starts_at end desc, pg.id)
                            from page pg join public.bookings b on b.id = pg.id), '[]'::jsonb),
    'total', (select count(*) from matching), 'limit', p_limit, 'offset', p_offset)
  into v_result;
  return v_result;
end
$$;

-- One booking with the provider's policy (for the refund rule) and the client's record.
create or replace function public.app_get_booking(p_user_id uuid, p_provider_id uuid, p_booking_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v public.bookings;
begin
  select * into v from public.bookings where id = p_booking_id and provider_id = v_provider.id;
  if not found then
    raise exception using errcode = 'SL404', message = 'booking_not_found';
  end if;
  return public.app_booking_json(v) || jsonb_build_object(
    'hasManageLink', v.manage_token_hash is not null,
    'providerPolicy', coalesce(v_provider.settings -> 'booking', '{}'::jsonb),
    'providerTimezone', v_provider.timezone,
    'clientNotes', (select n.notes from public.client_notes n
                     where n.provider_id = v_provider.id and n.client_key = public.app_client_key(v)),
    'location', (select s.location from public.services s where s.id = v.service_id));
end
$$;

-- Approve (→ confirmed) or decline (→ declined) a request awaiting approval. SL409 'not_awaiting_approval'.
create or replace function public.app_decide_request(
  p_user_id uuid, p_provider_id uuid, p_booking_id uuid, p_approve boolean, p_reason text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.bookings;
begin
  perform public.app_owned_provider(p_user_id, p_provider_id);
  perform public.lock_provider_bookings(p_provider_id);
  v := public.app_owned_booking(p_user_id, p_provider_id, p_booking_id);
  if not (v.status = 'pending' and v.awaiting_approval) then
    raise exception using errcode = 'SL409', message = 'not_awaiting_approval';
  end if;
  if p_approve then
    update public.bookings set status = 'confirmed', awaiting_approval = false where id = v.id returning * into v;
  else
    update public.bookings
       set status = 'declined', awaiting_approval = false, cancel_reason = nullif(p_reason, ''), cancelled_at = now()
     where id = v.id returning * into v;
  end if;
  return public.app_booking_json(v);
end
$$;

-- Provider-initiated cancel through the visitor's cancel_booking (same rules, same side effects), found by the
-- booking's manage token. A booking without a live manage link is cancelled the same way directly.
-- SL409 'not_live' for a booking that is not pending or confirmed.
create or replace function public.app_cancel_booking(
  p_user_id uuid, p_provider_id uuid, p_booking_id uuid, p_reason text, p_refund boolean
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.bookings := public.app_owned_booking(p_user_id, p_provider_id, p_booking_id);
  v_payment public.payments;
begin
  if v.status not in ('pending', 'confirmed') then
    raise exception using errcode = 'SL409', message = 'not_live';
  end if;
  -- The visitor's cancellation path, so the refund rule of the terms paid under (cancel_booking) applies as is.
  if v.manage_token_hash is not null then
    begin
      perform public.cancel_booking(p_token_hash => v.manage_token_hash, p_reason => p_reason);
    exception when sqlstate 'SL404' then
      update public.bookings
         set status = 'cancelled', cancel_reason = nullif(p_reason, ''), cancelled_at = now()
       where id = v.id;
    end;
  else
    update public.bookings
       set status = 'cancelled', cancel_reason = nullif(p_reason, ''), cancelled_at = now()
     where id = v.id;
  end if;
  update public.bookings set awaiting_approval = false where id = v.id and awaiting_approval;

  -- The provider may decide otherwise (p_refund; null = the policy): refund a paid booking outside the window, or keep
  -- the payment inside it. Same transaction, so the refund job is queued (or withdrawn) with the cancellation.
  if p_refund is true then
    select * into v_payment from public.payments
     where booking_id = v.id and status = 'paid' order by created_at desc limit 1 for update;
    if found then
      update public.payments
         set status = 'refund_pending', refund_requested_at = now(),
             refund_reason = case when coalesce(p_reason, '') = '' then 'Cancelled by the provider'
                                  else 'Cancelled by the provider: ' || p_reason end
       where id = v_payment.id;
      perform public.enqueue_job('payment.refund', jsonb_build_object('paymentId', v_payment.id, 'bookingId', v.id),
                                 'payment.refund:' || v_payment.id::text, null, 20);
    end if;
  elsif p_refund is false then
    for v_payment in
      select * from public.payments where booking_id = v.id and status = 'refund_pending' and refund_txn_id is null
    loop
      update public.payments set status = 'paid', refund_requested_at = null, refund_reason = null where id = v_payment.id;
      delete from public.jobs where dedupe_key = 'payment.refund:' || v_payment.id::text and status = 'queued';
    end loop;
  end if;
  select * into v from public.bookings where id = v.id;
  return public.app_booking_json(v);
end
$$;

-- Moves a booking through the manage link's reschedule_booking (one UPDATE under the exclusion constraint:
-- SL409 'slot_taken'). SL409 'not_live' / 'no_manage_link'.
create or replace function public.app_reschedule_booking(p_user_id uuid, p_provider_id uuid, p_booking_id uuid, p_starts_at timestamptz)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.bookings := public.app_owned_booking(p_user_id, p_provider_id, p_booking_id);
begin
  if v.status not in ('pending', 'confirmed') then
    raise exception using errcode = 'SL409', message = 'not_live';
  end if;
  if v.manage_token_hash is null then
    raise exception using errcode = 'SL409', message = 'no_manage_link';
  end if;
  perform public.reschedule_booking(p_token_hash => v.manage_token_hash, p_starts_at => p_starts_at);
  select * into v from public.bookings where id = v.id;
  return public.app_booking_json(v);
end
$$;

-- Marks a confirmed booking that has started as completed or no_show (and lets the provider correct one with
-- the other). SL409 'not_started' / 'not_live'.
create or replace function public.app_set_booking_outcome(
  p_user_id uuid, p_provider_id uuid, p_booking_id uuid, p_outcome text, p_now timestamptz
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.bookings := public.app_owned_booking(p_user_id, p_provider_id, p_booking_id);
begin
  if p_outcome not in ('completed', 'no_show') then
    raise exception using errcode = 'SL422', message = 'unknown_outcome';
  end if;
  if v.status not in ('confirmed', 'completed', 'no_show') then
    raise exception using errcode = 'SL409', message = 'not_live';
  end if;
  if v.starts_at > p_now then
    raise exception using errcode = 'SL409', message = 'not_started';
  end if;
  update public.bookings set status = p_outcome where id = v.id returning * into v;
  return public.app_booking_json(v);
end
$$;

-- A booking added by hand (a client who asked on WhatsApp): create_booking_if_free, confirmed at once whatever
-- the service's mode, with a manage link the provider can pass on. SL409 'slot_taken'; SL404 for a hidden or
-- another provider's service.
create or replace function public.app_create_booking(
  p_user_id uuid, p_provider_id uuid, p_service_id uuid, p_starts_at timestamptz, p_customer_name text,
  p_customer_email text, p_customer_phone text, p_notes text, p_customer_timezone text, p_manage_token_hash text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_result jsonb;
  v public.bookings;
begin
  perform public.app_owned_provider(p_user_id, p_provider_id);
  perform set_config('slotline.owner_booking', 'on', true);
  v_result := public.create_booking_if_free(
    p_provider_id => p_provider_id, p_service_id => p_service_id, p_starts_at => p_starts_at,
    p_customer_name => p_customer_name, p_customer_email => p_customer_email, p_customer_phone => p_customer_phone,
    p_notes => p_notes, p_customer_timezone => p_customer_timezone, p_idempotency_key => null,
    p_manage_token_hash => p_manage_token_hash, p_hold_minutes => null);
  perform set_config('slotline.owner_booking', '', true);
  update public.bookings set created_by = 'owner' where id = (v_result #>> '{booking,id}')::uuid returning * into v;
  return public.app_booking_json(v);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Clients: one record per lowercased email, else phone, computed from the bookings.
-- ---------------------------------------------------------------------------------------------

create or replace function public.app_clients_of(p_provider_id uuid, p_now timestamptz)
returns table (client_key text, last_start timestamptz, search text, client jsonb)
language sql stable security definer set search_path = public
as $$
  select c.key, c.last_start,
         lower(coalesce(c.name, '') || ' ' || coalesce(c.email, '') || ' ' || coalesce(c.phone, '')),
         jsonb_build_object('key', c.key, 'name', c.name, 'email', c.email, 'phone', c.phone,
           'bookings', c.bookings, 'completed', c.completed, 'noShows', c.no_shows, 'cancelled', c.cancelled,
           'upcoming', c.upcoming, 'firstStart', c.first_start, 'lastStart', c.last_start,
           'notes', coalesce((select n.notes from public.client_notes n
                               where n.provider_id = p_provider_id and n.client_key = c.key), ''))
    from (
      select k.key,
             (array_agg(b.customer_name order by b.created_at desc))[1] as name,
             (array_agg(lower(b.customer_email) order by b.created_at desc) filter (where b.customer_email is not null))[1] as email,
             (array_agg(b.customer_phone order by b.created_at desc) filter (where b.customer_phone is not null))[1] as phone,
             count(*) filter (where b.status <> 'expired') as bookings,
             count(*) filter (where b.status = 'completed') as completed,
             count(*) filter (where b.status = 'no_show') as no_shows,
             count(*) filter (where b.status in ('cancelled', 'declined')) as cancelled,
             count(*) filter (where b.status in ('pending', 'confirmed') and b.ends_at > p_now) as upcoming,
             min(b.starts_at) as first_start, max(b.starts_at) as last_start
        from public.bookings b
        cross join lateral (select public.app_client_key(b) as key) k
       where b.provider_id = p_provider_id and k.key is not null
       group by k.key) c
$$;

-- A page of clients, most recent first; p_search matches name, email or phone (case-insensitive). p_limit null:
-- all of them (CSV export).
create or replace function public.app_list_clients(
  p_user_id uuid, p_provider_id uuid, p_search text, p_now timestamptz, p_limit int, p_offset int
) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_result jsonb;
begin
  with matching as (
    select * from public.app_clients_of(v.id, p_now) c
     where p_search is null or p_search = '' or position(lower(p_search) in c.search) > 0
  ), page as (
    select * from matching order by last_start desc, client_key limit p_limit offset coalesce(p_offset, 0)
  )
  select jsonb_build_object(
    'clients', coalesce((select jsonb_agg(pg.client order by pg.last_start desc, pg.client_key) from page pg), '[]'::jsonb),
    'total', (select count(*) from matching), 'limit', p_limit, 'offset', coalesce(p_offset, 0))
  into v_result;
  return v_result;
end
$$;

-- One client with their booking history (newest first). SL404 when the provider has no such client.
create or replace function public.app_get_client(p_user_id uuid, p_provider_id uuid, p_client_key text, p_now timestamptz)
returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_client jsonb;
begin
  select c.client into v_client from public.app_clients_of(v.id, p_now) c where c.client_key = p_client_key;
  if v_client is null then
    raise exception using errcode = 'SL404', message = 'client_not_found';
  end if;
  return v_client || jsonb_build_object('history', coalesce((
    select jsonb_agg(public.app_booking_json(b) order by b.starts_at desc)
      from public.bookings b where b.provider_id = v.id and public.app_client_key(b) = p_client_key), '[]'::jsonb));
end
$$;

create or replace function public.app_set_client_notes(p_user_id uuid, p_provider_id uuid, p_client_key text, p_notes text)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  if not exists (select 1 from public.bookings b where b.provider_id = v.id and public.app_client_key(b) = p_client_key) then
    raise exception using errcode = 'SL404', message = 'client_not_found';
  end if;
  insert into public.client_notes (provider_id, client_key, notes) values (v.id, p_client_key, coalesce(p_notes, ''))
  on conflict (provider_id, client_key) do update set notes = excluded.notes, updated_at = now();
  return jsonb_build_object('key', p_client_key, 'notes', coalesce(p_notes, ''));
end
$$;

-- GDPR erasure: the client's bookings lose every personal field (name, email, phone, zone, notes, reasons,
-- manage link) but keep service, times, status and amounts, so the provider's counts and totals stay right;
-- the provider's notes about the client are deleted. SL409 'client_has_upcoming' while a live booking lies
-- ahead (cancel it first: erasing it would leave a booking nobody can be told about).
create or replace function public.app_erase_client(p_user_id uuid, p_provider_id uuid, p_client_key text, p_now timestamptz)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_count int;
begin
  perform public.lock_provider_bookings(v.id);
  if not exists (select 1 from public.bookings b where b.provider_id = v.id and public.app_client_key(b) = p_client_key) then
    raise exception using errcode = 'SL404', message = 'client_not_found';
  end if;
  if exists (select 1 from public.bookings b
              where b.provider_id = v.id and (lower(b.customer_email) = p_client_key or b.customer_phone = p_client_key)
                and b.status in ('pending', 'confirmed') and b.ends_at > p_now) then
    raise exception using errcode = 'SL409', message = 'client_has_upcoming';
  end if;
  update public.bookings
     set customer_name = '', customer_email = null, customer_phone = null, customer_timezone = null, notes = '',
         cancel_reason = null, manage_token_hash = null, manage_token_expires_at = null, idempotency_key = null,
         erased_at = p_now
   where provider_id = v.id and (lower(customer_email) = p_client_key or customer_phone = p_client_key);
  get diagnostics v_count = row_count;
  delete from public.client_notes where provider_id = v.id and client_key = p_client_key;
  return jsonb_build_object('key', p_client_key, 'erasedBookings', v_count);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Only the server (service role) calls any of this.
-- ---------------------------------------------------------------------------------------------

do $$
declare
  f record;
begin
  for f in
    select p.oid::regprocedure as sig
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public'
       and (p.proname like 'app\_%' or p.proname = 'bookings_apply_booking_mode')
  loop
    execute format('revoke execute on function %s from public, anon, authenticated', f.sig);
    execute format('grant execute on function %s to service_role', f.sig);
  end loop;
end
$$;
