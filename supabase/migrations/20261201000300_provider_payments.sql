-- A provider connects their own Stripe account from the app (issue 12, server/app-api/payments.ts).
--
-- The Stripe secret key and webhook signing secret arrive already encrypted by the server with SECRETS_KEY
-- ({ciphertext, iv, tag}, server/secrets/crypto.ts), as calendar passwords do; the app functions never hand them
-- back. Only the server-side lookups (payment_account_for_provider / _for_booking, service_role only) return the
-- encrypted secret, so checkout, refunds, the hold sweep and the per-provider webhook can use the provider's keys.
-- Without a connected account a provider keeps using the server's Stripe keys from the environment, as before.
--
-- Each payment records which account took it (payments.stripe_account): a refund or the closing of a checkout must
-- go to that account even when the provider connects or changes theirs afterwards.

create table public.provider_payment_accounts (
  provider_id uuid primary key references public.providers (id) on delete cascade,
  -- {ciphertext, iv, tag} of {"secretKey": "...", "webhookSecret": "..."}
  secret jsonb not null,
  mode text not null check (mode in ('test', 'live')),
  account_id text,
  account_name text,
  connected_at timestamptz not null default now(),
  last_webhook_at timestamptz
);
-- Owner-only backstop like every table; no policy: no signed-in user reads secrets, the server goes through functions.
alter table public.provider_payment_accounts enable row level security;

alter table public.payments add column stripe_account text not null default 'server'
  check (stripe_account in ('server', 'provider'));

-- The status the app shows (no secrets): {connected, mode, accountId, accountName, connectedAt, lastWebhookAt}.
create or replace function public.app_payment_account(p_user_id uuid, p_provider_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  return coalesce((
    select jsonb_build_object('connected', true, 'mode', a.mode, 'accountId', a.account_id, 'accountName', a.account_name,
                              'connectedAt', a.connected_at, 'lastWebhookAt', a.last_webhook_at)
      from public.provider_payment_accounts a where a.provider_id = v.id),
    jsonb_build_object('connected', false));
end
$$;

-- Connects (or replaces) the owner's Stripe account: the server tested the key against Stripe first.
create or replace function public.app_connect_payments(
  p_user_id uuid, p_provider_id uuid, p_secret jsonb, p_mode text, p_account_id text, p_account_name text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
begin
  if p_secret is null or jsonb_typeof(p_secret) <> 'object' or not (p_secret ? 'ciphertext' and p_secret ? 'iv' and p_secret ? 'tag') then
    raise exception using errcode = 'SL422', message = 'secret must be encrypted';
  end if;
  insert into public.provider_payment_accounts (provider_id, secret, mode, account_id, account_name)
  values (v.id, p_secret, p_mode, p_account_id, p_account_name)
  on conflict (provider_id) do update
    set secret = excluded.secret, mode = excluded.mode, account_id = excluded.account_id,
        account_name = excluded.account_name, connected_at = now(), last_webhook_at = null;
  return public.app_payment_account(p_user_id, p_provider_id);
end
$$;

-- Removes the owner's Stripe keys. Refused (SL409 payments_in_flight) while a visitor is paying for a hold or a
-- refund is still to be made: both need the keys that took the payment. Returns {removed: 0 | 1}.
create or replace function public.app_disconnect_payments(p_user_id uuid, p_provider_id uuid) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_removed int;
begin
  -- The provider row lock orders this against a booking being created for the same provider.
  perform 1 from public.providers where id = v.id for update;
  if exists (select 1 from public.payments pay join public.bookings b on b.id = pay.booking_id
              where b.provider_id = v.id and pay.stripe_account = 'provider'
                and ((pay.status = 'pending' and b.status = 'pending') or pay.status = 'refund_pending')) then
    raise exception using errcode = 'SL409', message = 'payments_in_flight';
  end if;
  delete from public.provider_payment_accounts where provider_id = v.id;
  get diagnostics v_removed = row_count;
  return jsonb_build_object('removed', v_removed);
end
$$;

-- Server only: the provider's encrypted keys, or null when they use the server's account.
create or replace function public.payment_account_for_provider(p_provider_id uuid) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object('providerId', a.provider_id, 'secret', a.secret, 'mode', a.mode)
    from public.provider_payment_accounts a where a.provider_id = p_provider_id
$$;

-- Server only: which account took a booking's payment, with the provider's encrypted keys when it was theirs
-- (secret null: disconnected since). Null when the booking does not exist.
create or replace function public.payment_account_for_booking(p_booking_id uuid) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
           'providerId', b.provider_id,
           'account', coalesce((select pay.stripe_account from public.payments pay where pay.booking_id = b.id
                                 order by pay.created_at desc limit 1), 'server'),
           'secret', a.secret)
    from public.bookings b
    left join public.provider_payment_accounts a on a.provider_id = b.provider_id
   where b.id = p_booking_id
$$;

-- attach_checkout_session, recording which account the Checkout Session was made with.
create or replace function public.attach_checkout_session_with(
  p_booking_id uuid, p_session_id text, p_amount_cents int, p_currency text, p_checkout_url text, p_account text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_result jsonb := public.attach_checkout_session(p_booking_id, p_session_id, p_amount_cents, p_currency, p_checkout_url);
begin
  update public.payments set stripe_account = p_account where checkout_session_id = p_session_id;
  return v_result;
end
$$;

-- A signed event reached the provider's webhook: the app shows when the last one came.
create or replace function public.note_payment_webhook(p_provider_id uuid, p_at timestamptz) returns jsonb
language sql security definer set search_path = public
as $$
  update public.provider_payment_accounts set last_webhook_at = p_at where provider_id = p_provider_id
  returning jsonb_build_object('providerId', provider_id)
$$;

-- Start-up proves SECRETS_KEY against the stored Stripe keys too (server/secrets/check.ts), in the shape of
-- list_integration_secrets (the provider id stands in for the integration id).
create or replace function public.list_payment_secrets() returns jsonb
language sql stable security definer set search_path = public
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'integrationId', a.provider_id, 'kind', 'stripe', 'provider', p.public_slug, 'secret', a.secret)
           order by a.connected_at, a.provider_id), '[]'::jsonb)
    from public.provider_payment_accounts a join public.providers p on p.id = a.provider_id
$$;

revoke all on table public.provider_payment_accounts from public, anon, authenticated;
revoke execute on function public.list_payment_secrets() from public, anon, authenticated;
grant execute on function public.list_payment_secrets() to service_role;
revoke execute on function public.app_payment_account(uuid, uuid) from public, anon, authenticated;
revoke execute on function public.app_connect_payments(uuid, uuid, jsonb, text, text, text) from public, anon, authenticated;
revoke execute on function public.app_disconnect_payments(uuid, uuid) from public, anon, authenticated;
revoke execute on function public.payment_account_for_provider(uuid) from public, anon, authenticated;
revoke execute on function public.payment_account_for_booking(uuid) from public, anon, authenticated;
revoke execute on function public.attach_checkout_session_with(uuid, text, int, text, text, text) from public, anon, authenticated;
revoke execute on function public.note_payment_webhook(uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.app_payment_account(uuid, uuid) to service_role;
grant execute on function public.app_connect_payments(uuid, uuid, jsonb, text, text, text) to service_role;
grant execute on function public.app_disconnect_payments(uuid, uuid) to service_role;
grant execute on function public.payment_account_for_provider(uuid) to service_role;
grant execute on function public.payment_account_for_booking(uuid) to service_role;
grant execute on function public.attach_checkout_session_with(uuid, text, int, text, text, text) to service_role;
grant execute on function public.note_payment_webhook(uuid, timestamptz) to service_role;
