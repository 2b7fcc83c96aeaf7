-- Session packages and credits (issue 15, "Packages and credits").
--
--   packages        what a provider sells: N sessions of one service, a price, a validity (e.g. 10 in 90 days);
--   credit_wallets  one per provider and client (lowercased email, else phone), reached by a secret wallet link
--                   whose sha256 alone is stored (the link is HMAC(manage_link_keys, provider, client) made by the
--                   server — as derived manage links are — so it can be handed out again on each sale);
--   credit_grants   one sale: its sessions and expiry, paid through Stripe (pending until the signed webhook), in
--                   cash or by bank transfer (recorded by the provider);
--   credit_uses     one credit spent on one booking; `returned_at` once given back.
--
-- The rules live here: book_with_credit books (create_booking_if_free, unchanged) and spends one unexpired credit in
-- the same transaction, the wallet's row lock making two spends of one credit impossible; a trigger on bookings gives
-- the credit back when a booking is cancelled inside the refund window frozen at booking time (every cancel path:
-- visitor, provider, sweep), or declined / expired. Expiry is judged on the server's clock (`p_now`), as the owner
-- functions do, so tests can move it.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------

create table public.packages (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid not null references public.providers (id) on delete cascade,
  service_id uuid not null references public.services (id) on delete restrict,
  title text not null check (length(title) between 1 and 200),
  sessions int not null check (sessions between 1 and 500),
  price_cents int not null check (price_cents >= 0),
  currency text not null default 'AED' check (currency ~ '^[A-Z]{3}$'),
  validity_days int not null check (validity_days between 1 and 3660),
  hidden boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index packages_provider_idx on public.packages (provider_id);
create trigger packages_touch before update on public.packages
  for each row execute function public.touch_updated_at();

create table public.credit_wallets (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid not null references public.providers (id) on delete cascade,
  client_key text not null check (length(client_key) between 3 and 254),
  client_name text not null default '',
  client_email text,
  client_phone text,
  token_hash text not null check (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  unique (provider_id, client_key)
);
create unique index credit_wallets_token_uq on public.credit_wallets (token_hash);

create table public.credit_grants (
  id uuid primary key default gen_random_uuid(),
  wallet_id uuid not null references public.credit_wallets (id) on delete cascade,
  package_id uuid not null references public.packages (id) on delete restrict,
  service_id uuid not null references public.services (id) on delete restrict,
  title text not null,
  sessions int not null check (sessions > 0),
  status text not null check (status in ('pending', 'granted', 'cancelled')),
  source text not null check (source in ('stripe', 'cash', 'bank')),
  amount_cents int not null default 0,
  currency text not null default 'AED',
  validity_days int not null,
  payment_ref text,
  checkout_session_id text,
  checkout_url text,
  granted_at timestamptz,
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  constraint credit_grants_granted_expiry check (status <> 'granted' or (granted_at is not null and expires_at is not null))
);
create index credit_grants_wallet_idx on public.credit_grants (wallet_id, expires_at);
create unique index credit_grants_session_uq on public.credit_grants (checkout_session_id) where checkout_session_id is not null;

create table public.credit_uses (
  id uuid primary key default gen_random_uuid(),
  grant_id uuid not null references public.credit_grants (id) on delete cascade,
  booking_id uuid not null references public.bookings (id) on delete cascade,
  used_at timestamptz not null default now(),
  -- The refund window of the terms the credit was spent under (start − refundUntilHoursBefore), frozen like a payment's.
  return_until timestamptz not null,
  returned_at timestamptz
);
create unique index credit_uses_booking_uq on public.credit_uses (booking_id);
create index credit_uses_grant_idx on public.credit_uses (grant_id);

-- Server-only tables (every read and write goes through the functions below).
alter table public.packages enable row level security;
alter table public.credit_wallets enable row level security;
alter table public.credit_grants enable row level security;
alter table public.credit_uses enable row level security;
revoke all on public.packages, public.credit_wallets, public.credit_grants, public.credit_uses from public, anon, authenticated;
grant all on public.packages, public.credit_wallets, public.credit_grants, public.credit_uses to service_role;

-- ---------------------------------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------------------------------

-- The client a wallet belongs to: lowercased email, else the phone as given (app_client_key's rule). The server
-- derives the wallet link from the same key (server/packages/wallet-token.ts).
create or replace function public.wallet_client_key(p_email text, p_phone text) returns text
language sql immutable
as $$
  select coalesce(lower(nullif(trim(p_email), '')), nullif(trim(p_phone), ''))
$$;

-- The provider's wallet of a client, made on first use (name and contact kept up to date).
create or replace function public.ensure_wallet(
  p_provider_id uuid, p_email text, p_phone text, p_name text, p_token_hash text
) returns public.credit_wallets
language plpgsql security definer set search_path = public
as $$
declare
  v public.credit_wallets;
  v_key text := public.wallet_client_key(p_email, p_phone);
begin
  if v_key is null then
    raise exception using errcode = 'SL422', message = 'contact_required';
  end if;
  insert into public.credit_wallets (provider_id, client_key, client_name, client_email, client_phone, token_hash)
  values (p_provider_id, v_key, coalesce(p_name, ''), lower(nullif(trim(p_email), '')), nullif(trim(p_phone), ''), p_token_hash)
  on conflict (provider_id, client_key) do update
     set client_name = case when excluded.client_name <> '' then excluded.client_name else credit_wallets.client_name end,
         client_email = coalesce(credit_wallets.client_email, excluded.client_email),
         client_phone = coalesce(credit_wallets.client_phone, excluded.client_phone)
  returning * into v;
  return v;
end
$$;

create or replace function public.package_json(p public.packages) returns jsonb
language sql stable set search_path = public
as $$
  select jsonb_build_object(
    'id', p.id, 'serviceId', p.service_id, 'title', p.title, 'sessions', p.sessions, 'priceCents', p.price_cents,
    'currency', p.currency, 'validityDays', p.validity_days, 'hidden', p.hidden,
    'service', (select jsonb_build_object('slug', s.slug, 'title', s.title, 'durationMinutes', s.duration_minutes)
                  from public.services s where s.id = p.service_id))
$$;

-- Credits spent and not given back.
create or replace function public.grant_used(p_grant_id uuid) returns int
language sql stable set search_path = public
as $$
  select count(*)::int from public.credit_uses where grant_id = p_grant_id and returned_at is null
$$;

create or replace function public.grant_json(g public.credit_grants, p_now timestamptz) returns jsonb
language sql stable set search_path = public
as $$
  select jsonb_build_object(
    'id', g.id, 'packageId', g.package_id, 'title', g.title, 'sessions', g.sessions, 'used', public.grant_used(g.id),
    'left', greatest(g.sessions - public.grant_used(g.id), 0), 'status', g.status,
    'expired', g.expires_at is not null and g.expires_at <= p_now,
    'source', g.source, 'amountCents', g.amount_cents, 'currency', g.currency, 'paymentRef', g.payment_ref,
    'grantedAt', g.granted_at, 'expiresAt', g.expires_at, 'createdAt', g.created_at,
    'service', (select jsonb_build_object('slug', s.slug, 'title', s.title) from public.services s where s.id = g.service_id))
$$;

-- A wallet as its owner (link holder or provider) sees it: the grants (newest first), the credits usable at p_now per
-- service, and the history of credits spent and given back.
create or replace function public.wallet_json(w public.credit_wallets, p_now timestamptz) returns jsonb
language sql stable set search_path = public
as $$
  select jsonb_build_object(
    'id', w.id, 'clientKey', w.client_key, 'name', w.client_name, 'email', w.client_email, 'phone', w.client_phone,
    'createdAt', w.created_at,
    'provider', (select jsonb_build_object('slug', p.public_slug, 'name', p.display_name, 'timezone', p.timezone)
                   from public.providers p where p.id = w.provider_id),
    'balance', coalesce((
      select jsonb_agg(jsonb_build_object('service', jsonb_build_object('slug', s.slug, 'title', s.title),
                                          'left', b.left_total, 'nextExpiry', b.next_expiry) order by s.position, s.title)
        from (select g.service_id, sum(g.sessions - public.grant_used(g.id))::int as left_total, min(g.expires_at) as next_expiry
                from public.credit_grants g
               where g.wallet_id = w.id and g.status = 'granted' and g.expires_at > p_now
                 and g.sessions > public.grant_used(g.id)
               group by g.service_id) b
        join public.services s on s.id = b.service_id), '[]'::jsonb),
    'grants', coalesce((select jsonb_agg(public.grant_json(g, p_now) order by g.created_at desc)
                          from public.credit_grants g where g.wallet_id = w.id and g.status <> 'cancelled'), '[]'::jsonb),
    'history', coalesce((
      select jsonb_agg(jsonb_build_object('bookingId', b.id, 'grantId', u.grant_id, 'start', b.starts_at, 'status', b.status,
                                          'serviceTitle', s.title, 'usedAt', u.used_at, 'returnedAt', u.returned_at)
                       order by u.used_at desc)
        from public.credit_uses u
        join public.credit_grants g on g.id = u.grant_id
        join public.bookings b on b.id = u.booking_id
        join public.services s on s.id = b.service_id
       where g.wallet_id = w.id), '[]'::jsonb))
$$;

-- "Session 5 of 10 · 5 left, valid until …" for one booking paid with a credit (null for any other booking):
-- `number` counts the credits of its grant spent up to and including this one (given-back ones left out).
create or replace function public.booking_credit_json(p_booking_id uuid) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'number', (select count(*) from public.credit_uses o
                where o.grant_id = u.grant_id and (o.returned_at is null or o.id = u.id)
                  and (o.used_at, o.id) <= (u.used_at, u.id)),
    'sessions', g.sessions, 'left', greatest(g.sessions - public.grant_used(g.id), 0), 'expiresAt', g.expires_at,
    'returned', u.returned_at is not null, 'title', g.title)
    from public.credit_uses u join public.credit_grants g on g.id = u.grant_id
   where u.booking_id = p_booking_id
$$;

create or replace function public.get_booking_credit(p_token_hash text) returns jsonb
language sql stable security definer set search_path = public
as $$
  select public.booking_credit_json(b.id) from public.bookings b where b.manage_token_hash = p_token_hash
$$;

-- ---------------------------------------------------------------------------------------------
-- Visitors: packages on sale, buying one, the wallet, booking with a credit
-- ---------------------------------------------------------------------------------------------

-- The packages a public provider sells (hidden ones and those of hidden services left out). Null: no such provider.
create or replace function public.get_public_packages(p_slug text) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'provider', jsonb_build_object('slug', p.public_slug, 'name', p.display_name, 'timezone', p.timezone),
    'packages', coalesce((select jsonb_agg(public.package_json(k) order by s.position, k.sessions, k.title)
                            from public.packages k join public.services s on s.id = k.service_id
                           where k.provider_id = p.id and not k.hidden and s.is_active), '[]'::jsonb))
    from public.providers p
   where p.public_slug = p_slug and p.is_public
$$;

-- A visitor starts buying a package: their wallet (made on first purchase) and a pending Stripe sale, granted only by
-- the signed webhook. SL404 package_not_found for a hidden, unknown or another provider's package.
create or replace function public.start_package_purchase(
  p_slug text, p_package_id uuid, p_email text, p_phone text, p_name text, p_wallet_token_hash text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_package public.packages;
  v_wallet public.credit_wallets;
  v_grant public.credit_grants;
begin
  select k.* into v_package from public.packages k
    join public.providers p on p.id = k.provider_id
    join public.services s on s.id = k.service_id
   where k.id = p_package_id and p.public_slug = p_slug and p.is_public and not k.hidden and s.is_active;
  if not found then
    raise exception using errcode = 'SL404', message = 'package_not_found';
  end if;
  v_wallet := public.ensure_wallet(v_package.provider_id, p_email, p_phone, p_name, p_wallet_token_hash);
  insert into public.credit_grants (wallet_id, package_id, service_id, title, sessions, status, source, amount_cents,
                                    currency, validity_days)
  values (v_wallet.id, v_package.id, v_package.service_id, v_package.title, v_package.sessions, 'pending', 'stripe',
          v_package.price_cents, v_package.currency, v_package.validity_days)
  returning * into v_grant;
  return jsonb_build_object('grantId', v_grant.id, 'walletId', v_wallet.id, 'clientKey', v_wallet.client_key,
                            'package', public.package_json(v_package));
end
$$;

create or replace function public.attach_package_checkout(p_grant_id uuid, p_session_id text, p_checkout_url text) returns jsonb
language sql security definer set search_path = public
as $$
  update public.credit_grants set checkout_session_id = p_session_id, checkout_url = p_checkout_url
   where id = p_grant_id and status = 'pending'
  returning jsonb_build_object('grantId', id, 'sessionId', checkout_session_id)
$$;

-- Applies one Stripe Checkout event to a package sale, once (payment_events, as for bookings; a replay is
-- 'duplicate'). 'paid' grants the credits from p_now for the package's validity; 'failed' / 'expired' drop the pending
-- sale. Outcomes: granted | cancelled | duplicate | ignored.
create or replace function public.apply_package_payment_event(
  p_event_id text, p_event_type text, p_kind text, p_grant_id uuid, p_session_id text, p_payment_intent text,
  p_now timestamptz
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_grant public.credit_grants;
  v_outcome text := 'ignored';
begin
  if exists (select 1 from public.payment_events where event_id = p_event_id) then
    return jsonb_build_object('outcome', 'duplicate');
  end if;
  select * into v_grant from public.credit_grants
   where id = p_grant_id and checkout_session_id = p_session_id for update;
  if found and v_grant.status = 'pending' then
    if p_kind = 'paid' then
      update public.credit_grants
         set status = 'granted', granted_at = p_now, expires_at = p_now + make_interval(days => validity_days),
             payment_ref = p_payment_intent
       where id = v_grant.id returning * into v_grant;
      v_outcome := 'granted';
    elsif p_kind in ('failed', 'expired') then
      update public.credit_grants set status = 'cancelled' where id = v_grant.id returning * into v_grant;
      v_outcome := 'cancelled';
    end if;
  end if;
  insert into public.payment_events (event_id, event_type, outcome) values (p_event_id, p_event_type, v_outcome);
  return jsonb_build_object('outcome', v_outcome, 'grantId', p_grant_id);
end
$$;

-- The wallet behind a link, or null (unknown link: the same answer as no wallet).
create or replace function public.get_wallet(p_token_hash text, p_now timestamptz) returns jsonb
language sql stable security definer set search_path = public
as $$
  select public.wallet_json(w, p_now) from public.credit_wallets w where w.token_hash = p_token_hash
$$;

-- Books a start of the service with one credit of the wallet, in one transaction: create_booking_if_free (every rule
-- of a booking: overlap with buffers, idempotency), then one credit of this service spent — the unexpired grant that
-- expires first. The wallet's row lock is taken first, so concurrent spends from one wallet queue and the last credit
-- goes to exactly one of them. Nothing is paid (no hold). Errors, besides create_booking_if_free's:
--   SL404 wallet_not_found;  SL409 credit_expired (credits of this service exist, all expired);
--   SL409 no_credit (none left for this service).
-- A replay of the same idempotency key answers with the booking and spends nothing more.
create or replace function public.book_with_credit(
  p_wallet_token_hash text,
  p_service_id uuid,
  p_starts_at timestamptz,
  p_customer_name text,
  p_customer_email text,
  p_customer_phone text,
  p_notes text,
  p_customer_timezone text,
  p_idempotency_key text,
  p_manage_token_hash text,
  p_now timestamptz
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_wallet public.credit_wallets;
  v_grant public.credit_grants;
  v_result jsonb;
  v_booking_id uuid;
  v_settings jsonb;
begin
  select * into v_wallet from public.credit_wallets where token_hash = p_wallet_token_hash for update;
  if not found then
    raise exception using errcode = 'SL404', message = 'wallet_not_found';
  end if;

  if p_idempotency_key is not null and exists (
       select 1 from public.bookings where provider_id = v_wallet.provider_id and idempotency_key = p_idempotency_key) then
    v_result := public.create_booking_if_free(
      p_provider_id => v_wallet.provider_id, p_service_id => p_service_id, p_starts_at => p_starts_at,
      p_customer_name => p_customer_name, p_customer_email => p_customer_email, p_customer_phone => p_customer_phone,
      p_notes => p_notes, p_customer_timezone => p_customer_timezone, p_idempotency_key => p_idempotency_key,
      p_manage_token_hash => p_manage_token_hash, p_hold_minutes => null);
    v_booking_id := (v_result #>> '{booking,id}')::uuid;
    if not exists (select 1 from public.credit_uses u join public.credit_grants g on g.id = u.grant_id
                    where u.booking_id = v_booking_id and g.wallet_id = v_wallet.id) then
      raise exception using errcode = 'SL422', message = 'idempotency_key_reused';
    end if;
    return v_result || jsonb_build_object('credit', public.booking_credit_json(v_booking_id));
  end if;

  select g.* into v_grant from public.credit_grants g
   where g.wallet_id = v_wallet.id and g.service_id = p_service_id and g.status = 'granted'
     and g.expires_at > p_now and g.sessions > public.grant_used(g.id)
   order by g.expires_at, g.created_at
   limit 1
   for update;
  if not found then
    if exists (select 1 from public.credit_grants g
                where g.wallet_id = v_wallet.id and g.service_id = p_service_id and g.status = 'granted'
                  and g.sessions > public.grant_used(g.id)) then
      raise exception using errcode = 'SL409', message = 'credit_expired';
    end if;
    raise exception using errcode = 'SL409', message = 'no_credit';
  end if;

  v_result := public.create_booking_if_free(
    p_provider_id => v_wallet.provider_id, p_service_id => p_service_id, p_starts_at => p_starts_at,
    p_customer_name => p_customer_name, p_customer_email => p_customer_email, p_customer_phone => p_customer_phone,
    p_notes => p_notes, p_customer_timezone => p_customer_timezone, p_idempotency_key => p_idempotency_key,
    p_manage_token_hash => p_manage_token_hash, p_hold_minutes => null);
  v_booking_id := (v_result #>> '{booking,id}')::uuid;

  select settings into v_settings from public.providers where id = v_wallet.provider_id;
  insert into public.credit_uses (grant_id, booking_id, return_until)
  values (v_grant.id, v_booking_id, p_starts_at - public.refund_notice(v_settings));
  return v_result || jsonb_build_object('credit', public.booking_credit_json(v_booking_id));
end
$$;

-- Gives a booking's credit back when the booking stops being live without taking place: cancelled while its frozen
-- refund window is open (by the database clock, as cancel_booking judges a payment's), declined or expired at any
-- time. A trigger, so every path that cancels (manage link, provider app, hold sweep, refunds) is covered. The provider
-- may decide otherwise for one cancellation (app_cancel_booking_credit sets slotline.credit_return to on / off).
create or replace function public.bookings_return_credit() returns trigger
language plpgsql security definer set search_path = public
as $$
declare
  v_decision text := coalesce(current_setting('slotline.credit_return', true), '');
begin
  if old.status in ('pending', 'confirmed') and new.status in ('cancelled', 'declined', 'expired') and v_decision <> 'off' then
    update public.credit_uses
       set returned_at = now()
     where booking_id = new.id and returned_at is null
       and (new.status <> 'cancelled' or v_decision = 'on' or now() <= return_until);
  end if;
  return new;
end
$$;
create trigger bookings_return_credit after update of status on public.bookings
  for each row execute function public.bookings_return_credit();

-- GDPR erasure (app_erase_client) also forgets the client in their wallet: name and contact go, the key becomes the
-- wallet's id (no longer the email or phone), the credits and their history stay for the provider's accounts.
create or replace function public.bookings_erase_wallet() returns trigger
language plpgsql security definer set search_path = public
as $$
begin
  if old.erased_at is null and new.erased_at is not null then
    update public.credit_wallets
       set client_name = '', client_email = null, client_phone = null, client_key = 'erased:' || id::text
     where provider_id = old.provider_id
       and client_key = public.wallet_client_key(old.customer_email, old.customer_phone);
  end if;
  return new;
end
$$;
create trigger bookings_erase_wallet after update of erased_at on public.bookings
  for each row execute function public.bookings_erase_wallet();

-- ---------------------------------------------------------------------------------------------
-- Owner functions (the acting user; SL404 for anything not theirs)
-- ---------------------------------------------------------------------------------------------

create or replace function public.app_list_packages(p_user_id uuid, p_provider_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  return (select coalesce(jsonb_agg(public.package_json(k) || jsonb_build_object(
                   'sold', (select count(*) from public.credit_grants g where g.package_id = k.id and g.status = 'granted'))
                 order by k.hidden, k.created_at), '[]'::jsonb)
            from public.packages k where k.provider_id = v.id);
end
$$;

-- Creates (p_package_id null) or edits a package; on edit only the keys present change (sales made keep their own
-- sessions and validity). SL404 for another provider's package or service.
create or replace function public.app_save_package(p_user_id uuid, p_provider_id uuid, p_package_id uuid, p_package jsonb)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v public.packages;
begin
  if p_package ? 'serviceId' and not exists (
       select 1 from public.services where id = (p_package ->> 'serviceId')::uuid and provider_id = v_provider.id) then
    raise exception using errcode = 'SL404', message = 'service_not_found';
  end if;
  if p_package_id is null then
    insert into public.packages (provider_id, service_id, title, sessions, price_cents, currency, validity_days, hidden)
    values (v_provider.id, (p_package ->> 'serviceId')::uuid, p_package ->> 'title', (p_package ->> 'sessions')::int,
            (p_package ->> 'priceCents')::int,
            coalesce(p_package ->> 'currency',
                     (select currency from public.services where id = (p_package ->> 'serviceId')::uuid), 'AED'),
            (p_package ->> 'validityDays')::int, coalesce((p_package ->> 'hidden')::boolean, false))
    returning * into v;
  else
    update public.packages
       set service_id = coalesce((p_package ->> 'serviceId')::uuid, service_id),
           title = coalesce(p_package ->> 'title', title),
           sessions = coalesce((p_package ->> 'sessions')::int, sessions),
           price_cents = coalesce((p_package ->> 'priceCents')::int, price_cents),
           currency = coalesce(p_package ->> 'currency', currency),
           validity_days = coalesce((p_package ->> 'validityDays')::int, validity_days),
           hidden = coalesce((p_package ->> 'hidden')::boolean, hidden)
     where id = p_package_id and provider_id = v_provider.id
    returning * into v;
    if not found then
      raise exception using errcode = 'SL404', message = 'package_not_found';
    end if;
  end if;
  return public.package_json(v);
end
$$;

-- The provider records a package paid in cash or by bank transfer: granted at once from p_now. Returns the wallet
-- (the server derives its link) and the grant. Hidden packages can still be sold by hand.
create or replace function public.app_record_package_sale(
  p_user_id uuid, p_provider_id uuid, p_package_id uuid, p_email text, p_phone text, p_name text, p_source text,
  p_payment_ref text, p_wallet_token_hash text, p_now timestamptz
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_package public.packages;
  v_wallet public.credit_wallets;
  v_grant public.credit_grants;
begin
  select * into v_package from public.packages where id = p_package_id and provider_id = v_provider.id;
  if not found then
    raise exception using errcode = 'SL404', message = 'package_not_found';
  end if;
  if p_source not in ('cash', 'bank') then
    raise exception using errcode = 'SL422', message = 'unknown_source';
  end if;
  v_wallet := public.ensure_wallet(v_provider.id, p_email, p_phone, p_name, p_wallet_token_hash);
  insert into public.credit_grants (wallet_id, package_id, service_id, title, sessions, status, source, amount_cents,
                                    currency, validity_days, payment_ref, granted_at, expires_at)
  values (v_wallet.id, v_package.id, v_package.service_id, v_package.title, v_package.sessions, 'granted', p_source,
          v_package.price_cents, v_package.currency, v_package.validity_days, nullif(p_payment_ref, ''), p_now,
          p_now + make_interval(days => v_package.validity_days))
  returning * into v_grant;
  return jsonb_build_object('wallet', public.wallet_json(v_wallet, p_now), 'grant', public.grant_json(v_grant, p_now));
end
$$;

-- The provider cancels a booking (app_cancel_booking, every rule as is) and decides about its credit in the same
-- transaction: p_return_credit true gives it back even outside the refund window, false keeps it spent inside it.
create or replace function public.app_cancel_booking_credit(
  p_user_id uuid, p_provider_id uuid, p_booking_id uuid, p_reason text, p_refund boolean, p_return_credit boolean
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_result jsonb;
begin
  perform set_config('slotline.credit_return', case when p_return_credit then 'on' else 'off' end, true);
  v_result := public.app_cancel_booking(p_user_id => p_user_id, p_provider_id => p_provider_id,
                                        p_booking_id => p_booking_id, p_reason => p_reason, p_refund => p_refund);
  perform set_config('slotline.credit_return', '', true);
  return v_result;
end
$$;

-- The provider's client wallets with their grants and balances, most recent first.
create or replace function public.app_list_wallets(p_user_id uuid, p_provider_id uuid, p_now timestamptz) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  return (select coalesce(jsonb_agg(public.wallet_json(w, p_now) order by w.created_at desc), '[]'::jsonb)
            from public.credit_wallets w where w.provider_id = v.id
             and exists (select 1 from public.credit_grants g where g.wallet_id = w.id and g.status = 'granted'));
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Only the server (service role) calls any of this (20261130000900_privileges.sql's defaults, said again here).
-- ---------------------------------------------------------------------------------------------

do $$
declare
  f record;
begin
  for f in
    select p.oid::regprocedure as sig
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public'
       and p.proname in ('wallet_client_key', 'ensure_wallet', 'package_json', 'grant_used', 'grant_json', 'wallet_json',
                         'booking_credit_json', 'get_booking_credit', 'get_public_packages', 'start_package_purchase',
                         'attach_package_checkout', 'apply_package_payment_event', 'get_wallet', 'book_with_credit',
                         'bookings_return_credit', 'bookings_erase_wallet', 'app_cancel_booking_credit', 'app_list_packages', 'app_save_package', 'app_record_package_sale',
                         'app_list_wallets')
  loop
    execute format('revoke execute on function %s from public, anon, authenticated', f.sig);
    execute format('grant execute on function %s to service_role', f.sig);
  end loop;
end
$$;
