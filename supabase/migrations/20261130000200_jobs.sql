-- Durable background work: one job queue in PostgreSQL (the pattern of pg-boss and graphile-worker, in plain SQL so
-- it runs the same on PGlite, PostgreSQL and through Supabase's API). Calendar write-back and refunds run on it; both
-- are enqueued in the same transaction as the booking change that needs them, so neither is lost with a process.
--
-- Life of a job: queued → running (claimed with a lease) → done | queued again with backoff | failed (kept with its
-- last error). A worker that dies mid-job leaves it `running` until its lease ends; the next claim takes it again.
-- Delivery is at least once: handlers are idempotent.

create table public.jobs (
  id bigint generated always as identity primary key,
  kind text not null check (kind ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  payload jsonb not null default '{}'::jsonb check (jsonb_typeof(payload) = 'object'),
  -- At most one open (queued or running) job per key: enqueueing again merges into it.
  dedupe_key text check (dedupe_key is null or length(dedupe_key) between 1 and 200),
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  run_at timestamptz not null default now(),
  attempts int not null default 0,
  max_attempts int not null default 10 check (max_attempts between 1 and 100),
  locked_by text,
  locked_until timestamptz,
  -- Set when the job was enqueued again while running: the handler may have read the state before the change,
  -- so the job runs once more instead of ending `done`.
  rerun boolean not null default false,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint jobs_running_has_lease check (status <> 'running' or (locked_by is not null and locked_until is not null))
);
create unique index jobs_dedupe_open_uq on public.jobs (dedupe_key) where status in ('queued', 'running');
create index jobs_queued_idx on public.jobs (run_at) where status = 'queued';
create index jobs_running_idx on public.jobs (locked_until) where status = 'running';
create index jobs_done_idx on public.jobs (finished_at) where status = 'done';
create trigger jobs_touch before update on public.jobs
  for each row execute function public.touch_updated_at();

alter table public.jobs enable row level security;
revoke all on public.jobs from public, anon, authenticated;
grant all on public.jobs to service_role;
do $$
begin
  execute format('revoke all on sequence %s from public, anon, authenticated',
                 pg_get_serial_sequence('public.jobs', 'id'));
  execute format('grant all on sequence %s to service_role', pg_get_serial_sequence('public.jobs', 'id'));
end
$$;

-- Adds a job, or merges it into the open job with the same dedupe key (newest payload; a running one reruns once it
-- ends, so a change made while it ran is never missed). Returns {id, merged}.
create or replace function public.enqueue_job(
  p_kind text, p_payload jsonb, p_dedupe_key text default null, p_run_at timestamptz default null,
  p_max_attempts int default null
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_id bigint;
  v_merged boolean;
begin
  insert into public.jobs as j (kind, payload, dedupe_key, run_at, max_attempts)
  values (p_kind, coalesce(p_payload, '{}'::jsonb), p_dedupe_key, coalesce(p_run_at, now()), coalesce(p_max_attempts, 10))
  on conflict (dedupe_key) where status in ('queued', 'running') do update
     set payload = excluded.payload,
         rerun = j.rerun or j.status = 'running',
         run_at = case when j.status = 'queued' then least(j.run_at, excluded.run_at) else j.run_at end
  -- xmax is set on a row this statement updated rather than inserted.
  returning j.id, j.xmax::text <> '0' into v_id, v_merged;
  return jsonb_build_object('id', v_id, 'merged', v_merged);
end
$$;

-- Claims up to p_limit due jobs of the given kinds (p_kinds) for one worker: queued jobs whose time has come, and running jobs
-- whose lease ran out (their worker died). SKIP LOCKED lets any number of workers claim at once without waiting on,
-- or taking, each other's rows. A job whose lease ran out on its last attempt ends `failed` instead.
create or replace function public.claim_jobs(p_worker text, p_kinds jsonb, p_limit int, p_lease_seconds int)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_claimed jsonb;
  -- A JSON array of kinds (a worker claims only what it can handle); null claims any kind.
  v_kinds text[] := case when p_kinds is null then null else array(select jsonb_array_elements_text(p_kinds)) end;
begin
  if p_worker is null or length(p_worker) = 0 then
    raise exception using errcode = 'SL422', message = 'worker id required';
  end if;

  update public.jobs
     set status = 'failed', locked_by = null, locked_until = null, finished_at = now(),
         last_error = left(coalesce(last_error || E'\n', '') || 'the worker stopped before finishing (lease expired)', 4000)
   where status = 'running' and locked_until <= now() and attempts >= max_attempts;

  -- Finished jobs are kept a week for inspection.
  delete from public.jobs
   where id in (select id from public.jobs where status = 'done' and finished_at < now() - interval '7 days' limit 100);

  with due as (
    select id from public.jobs
     where ((status = 'queued' and run_at <= now()) or (status = 'running' and locked_until <= now()))
       and (v_kinds is null or kind = any (v_kinds))
     order by run_at, id
     limit greatest(p_limit, 0)
     for update skip locked
  ), claimed as (
    update public.jobs j
       set status = 'running', attempts = j.attempts + 1, locked_by = p_worker,
           locked_until = now() + make_interval(secs => greatest(p_lease_seconds, 1))
      from due
     where j.id = due.id
    returning j.*
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', id, 'kind', kind, 'payload', payload, 'dedupeKey', dedupe_key, 'attempts', attempts,
           'maxAttempts', max_attempts, 'lockedUntil', locked_until) order by id), '[]'::jsonb)
    into v_claimed
    from claimed;
  return v_claimed;
end
$$;

-- Marks a claimed job done (or queued again at once when it was enqueued again while running). Only the worker that
-- holds the job may finish it: after a lost lease the job belongs to whoever claimed it next. Returns true if it did.
create or replace function public.finish_job(p_id bigint, p_worker text) returns boolean
language plpgsql security definer set search_path = public
as $$
begin
  update public.jobs
     set status = case when rerun then 'queued' else 'done' end,
         run_at = now(), attempts = case when rerun then 0 else attempts end, rerun = false,
         locked_by = null, locked_until = null,
         finished_at = case when rerun then null else now() end
   where id = p_id and status = 'running' and locked_by = p_worker;
  return found;
end
$$;

-- Records a failed attempt: the error is kept; the job runs again after p_backoff_seconds · 2^(attempts−1) (at most
-- an hour, ±20 % so retries of many jobs spread out), or ends `failed` after its last attempt or when p_retry is
-- false (an error that retrying cannot fix). A job enqueued again while it ran gets a fresh set of attempts.
create or replace function public.fail_job(
  p_id bigint, p_worker text, p_error text, p_backoff_seconds numeric, p_retry boolean default true
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_job public.jobs;
begin
  update public.jobs
     set status = case when rerun or (p_retry and attempts < max_attempts) then 'queued' else 'failed' end,
         run_at = case
           when rerun then now()
           else now() + make_interval(secs => least(3600, greatest(coalesce(p_backoff_seconds, 5), 0)
                                                             * power(2, greatest(attempts - 1, 0)))
                                               * (0.8 + random() * 0.4))
         end,
         attempts = case when rerun then 0 else attempts end,
         rerun = false,
         last_error = left(coalesce(p_error, 'failed'), 4000),
         locked_by = null, locked_until = null,
         finished_at = case when rerun or (p_retry and attempts < max_attempts) then null else now() end
   where id = p_id and status = 'running' and locked_by = p_worker
  returning * into v_job;
  if not found then
    return null;
  end if;
  return jsonb_build_object('id', v_job.id, 'status', v_job.status, 'runAt', v_job.run_at, 'attempts', v_job.attempts);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Calendar write-back: every booking change that adds, moves or removes a confirmed time enqueues one job per
-- booking in the same transaction (whichever function made the change). The job reads the booking's state when it
-- runs, so a late retry writes what is true then (a booking cancelled meanwhile is removed, never written back).
-- ---------------------------------------------------------------------------------------------

create or replace function public.bookings_enqueue_write_back() returns trigger
language plpgsql security definer set search_path = public
as $$
begin
  if exists (select 1 from public.integrations i join public.providers p on p.owner_user_id = i.user_id
              where p.id = new.provider_id and i.status = 'active'
                and public.calendar_kind(i.integration_type) in ('caldav', 'google')) then
    perform public.enqueue_job('calendar.write-back', jsonb_build_object('bookingId', new.id),
                               'calendar.write-back:' || new.id::text, null, 8);
  end if;
  return null;
end
$$;
create trigger bookings_write_back_insert after insert on public.bookings
  for each row when (new.status = 'confirmed')
  execute function public.bookings_enqueue_write_back();
create trigger bookings_write_back_update after update of status, starts_at, ends_at on public.bookings
  for each row when ((old.status = 'confirmed' or new.status = 'confirmed')
                     and (old.status is distinct from new.status or old.starts_at is distinct from new.starts_at
                          or old.ends_at is distinct from new.ends_at))
  execute function public.bookings_enqueue_write_back();

-- What the write-back job needs about a booking now (null when it no longer exists).
create or replace function public.get_booking_for_write_back(p_booking_id uuid) returns jsonb
language sql stable security definer set search_path = public
as $$
  select public.booking_json(b) || jsonb_build_object(
           'serviceTitle', s.title, 'location', s.location, 'providerName', p.display_name,
           'updatedAt', b.updated_at)
    from public.bookings b
    join public.services s on s.id = b.service_id
    join public.providers p on p.id = b.provider_id
   where b.id = p_booking_id
$$;

-- ---------------------------------------------------------------------------------------------
-- Refunds, judged on the terms paid under and never lost.
--   * A payment freezes its refund deadline (`refund_until` = start − the provider's refundUntilHoursBefore) when it
--     confirms the booking; moving the booking later does not move it.
--   * Cancelling a paid booking before that deadline marks the payment `refund_pending` and enqueues a refund job in
--     the same transaction; the job calls Stripe (idempotency key per booking) and records the refund.
--   * A payment that arrives for a time no longer held is refunded the same way.
-- ---------------------------------------------------------------------------------------------

alter table public.payments add column refund_until timestamptz;
alter table public.payments add column refund_requested_at timestamptz;

-- How long before the start refunds close, from provider settings (booking.refundUntilHoursBefore, default 0).
create or replace function public.refund_notice(p_settings jsonb) returns interval
language sql immutable
as $$
  select make_interval(secs => case
    when jsonb_typeof(p_settings #> '{booking,refundUntilHoursBefore}') = 'number'
      then greatest((p_settings #>> '{booking,refundUntilHoursBefore}')::double precision, 0) * 3600
    else 0 end)
$$;

-- Payments made before this migration get the terms in force now, judged on the booking's current start.
update public.payments pay
   set refund_until = b.starts_at - public.refund_notice(p.settings)
  from public.bookings b join public.providers p on p.id = b.provider_id
 where b.id = pay.booking_id and pay.status = 'paid' and pay.refund_until is null;

create or replace function public.apply_payment_event(
  p_event_id text, p_event_type text, p_kind text, p_booking_id uuid, p_session_id text,
  p_payment_intent text, p_amount_cents int, p_currency text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
  v_payment_id uuid;
  v_outcome text;
  v_reason text;
begin
  if exists (select 1 from public.payment_events where event_id = p_event_id) then
    return jsonb_build_object('outcome', 'duplicate');
  end if;

  -- Confirming puts the range back under the exclusion constraint: queue with other writers first.
  perform public.lock_provider_bookings(b.provider_id) from public.bookings b where b.id = p_booking_id;
  select * into v_booking from public.bookings where id = p_booking_id for update;
  if not found then
    insert into public.payment_events (event_id, event_type, outcome) values (p_event_id, p_event_type, 'ignored');
    return jsonb_build_object('outcome', 'ignored');
  end if;

  if p_kind = 'paid' then
    update public.payments
       set status = case when status in ('refund_pending', 'refunded') then status else 'paid' end,
           txn_id = coalesce(p_payment_intent, txn_id),
           amount_cents = coalesce(p_amount_cents, amount_cents)
     where booking_id = v_booking.id and checkout_session_id = p_session_id
    returning id into v_payment_id;
    if not found then
      insert into public.payments (booking_id, status, amount_cents, currency, provider, txn_id, checkout_session_id)
      values (v_booking.id, 'paid', coalesce(p_amount_cents, v_booking.price_cents),
              upper(coalesce(p_currency, v_booking.currency)), 'stripe', p_payment_intent, p_session_id)
      returning id into v_payment_id;
    end if;

    if v_booking.status = 'confirmed' then
      v_outcome := 'confirmed';
    elsif v_booking.status = 'pending' or v_booking.status = 'expired' then
      begin
        update public.bookings set status = 'confirmed', hold_expires_at = null
         where id = v_booking.id returning * into v_booking;
        v_outcome := 'confirmed';
      exception when exclusion_violation then
        v_outcome := 'refund_needed';
      end;
    else
      -- Cancelled or declined while the visitor was paying.
      v_outcome := 'refund_needed';
    end if;

    if v_outcome = 'confirmed' then
      -- The refund terms the visitor paid under, frozen now.
      update public.payments pay
         set refund_until = coalesce(pay.refund_until, v_booking.starts_at - public.refund_notice(p.settings))
        from public.providers p
       where pay.id = v_payment_id and p.id = v_booking.provider_id and pay.status = 'paid';
    else
      v_reason := 'Paid after the hold expired and the time was booked by someone else; refunded automatically.';
      if v_booking.status = 'cancelled' or v_booking.status = 'declined' then
        v_reason := 'Paid after the booking was ' || v_booking.status || '; refunded automatically.';
      end if;
      update public.payments
         set status = 'refund_pending', refund_reason = coalesce(refund_reason, v_reason),
             refund_requested_at = coalesce(refund_requested_at, now())
       where id = v_payment_id and status = 'paid';
      update public.bookings
         set status = 'cancelled', cancel_reason = coalesce(cancel_reason, v_reason),
             cancelled_at = coalesce(cancelled_at, now())
       where id = v_booking.id and status in ('pending', 'expired');
      select * into v_booking from public.bookings where id = p_booking_id;
      perform public.enqueue_job('payment.refund', jsonb_build_object('paymentId', v_payment_id, 'bookingId', v_booking.id),
                                 'payment.refund:' || v_payment_id::text, null, 20);
      v_outcome := 'refund_pending';
    end if;
  elsif p_kind in ('failed', 'expired') then
    if v_booking.status = 'pending' then
      update public.bookings set status = 'expired' where id = v_booking.id returning * into v_booking;
      v_outcome := 'released';
    else
      v_outcome := 'ignored';
    end if;
    update public.payments set status = case when p_kind = 'failed' then 'failed' else 'expired' end
     where booking_id = v_booking.id and checkout_session_id = p_session_id and status = 'pending';
  else
    raise exception using errcode = 'SL422', message = 'unknown payment event kind';
  end if;

  insert into public.payment_events (event_id, event_type, booking_id, outcome)
  values (p_event_id, p_event_type, v_booking.id, v_outcome);
  return jsonb_build_object('outcome', v_outcome, 'booking', public.booking_json(v_booking),
                            'paymentIntent', p_payment_intent);
end
$$;

-- Cancels a live booking found by its manage token hash and frees its range at once. A paid booking cancelled before
-- its frozen refund deadline (judged by the database clock) gets `refund_pending` and a refund job in this same
-- transaction. Returns the booking and `refund`: 'pending' | 'none'.
create or replace function public.cancel_booking(p_token_hash text, p_reason text) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
  v_payment public.payments;
  v_refund text := 'none';
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

  select * into v_payment from public.payments
   where booking_id = v_booking.id and status = 'paid'
   order by created_at desc limit 1
   for update;
  if found and v_payment.refund_until is not null and now() <= v_payment.refund_until then
    update public.payments
       set status = 'refund_pending', refund_requested_at = now(),
           refund_reason = case when coalesce(p_reason, '') = '' then 'Cancelled by the visitor'
                                else 'Cancelled by the visitor: ' || p_reason end
     where id = v_payment.id;
    perform public.enqueue_job('payment.refund', jsonb_build_object('paymentId', v_payment.id, 'bookingId', v_booking.id),
                               'payment.refund:' || v_payment.id::text, null, 20);
    v_refund := 'pending';
  end if;
  return public.booking_json(v_booking) || jsonb_build_object('refund', v_refund);
end
$$;

-- What the refund job needs: the payment still waiting for its refund (null when it was refunded already or never
-- asked for one, so a repeated job does nothing).
create or replace function public.get_pending_refund(p_payment_id uuid) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object('paymentId', pay.id, 'bookingId', pay.booking_id, 'paymentIntent', pay.txn_id,
                            'amountCents', pay.amount_cents, 'currency', pay.currency, 'reason', pay.refund_reason)
    from public.payments pay
   where pay.id = p_payment_id and pay.status = 'refund_pending'
$$;

-- Records a refund made at Stripe; ends the booking cancelled with the reason. p_event_id (optional) marks the
-- webhook event that led to it as handled.
create or replace function public.record_refund(
  p_booking_id uuid, p_refund_id text, p_reason text, p_event_id text, p_event_type text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
begin
  update public.payments
     set status = 'refunded', refund_txn_id = p_refund_id, refund_reason = coalesce(refund_reason, p_reason)
   where booking_id = p_booking_id and status in ('paid', 'refund_pending');
  update public.bookings
     set status = case when status in ('pending', 'confirmed', 'expired') then 'cancelled' else status end,
         cancel_reason = coalesce(cancel_reason, p_reason),
         cancelled_at = coalesce(cancelled_at, now())
   where id = p_booking_id
  returning * into v_booking;
  if p_event_id is not null then
    insert into public.payment_events (event_id, event_type, booking_id, outcome)
    values (p_event_id, coalesce(p_event_type, 'refund'), p_booking_id, 'refunded')
    on conflict (event_id) do nothing;
  end if;
  return public.booking_json(v_booking);
end
$$;

-- The manage link's booking, now with the payment's frozen refund deadline and refund state.
create or replace function public.get_booking_by_token(p_token_hash text) returns jsonb
language sql stable security definer set search_path = public
as $$
  select public.booking_json(b) || jsonb_build_object(
           'provider', p.public_slug, 'providerName', p.display_name, 'providerTimezone', p.timezone,
           'providerPolicy', coalesce(p.settings -> 'booking', '{}'::jsonb),
           'whatsapp', p.settings -> 'whatsapp',
           'service', s.slug, 'serviceTitle', s.title, 'durationMinutes', s.duration_minutes,
           'location', s.location,
           'payment', (select jsonb_build_object('status', pay.status, 'amountCents', pay.amount_cents,
                                                 'currency', pay.currency, 'txnId', pay.txn_id,
                                                 'sessionId', pay.checkout_session_id,
                                                 'checkoutUrl', case when pay.status = 'pending' then pay.checkout_url end,
                                                 'refundTxnId', pay.refund_txn_id,
                                                 'refundUntil', pay.refund_until,
                                                 'refundRequestedAt', pay.refund_requested_at)
                         from public.payments pay where pay.booking_id = b.id
                        order by pay.created_at desc limit 1))
    from public.bookings b
    join public.providers p on p.id = b.provider_id
    join public.services s on s.id = b.service_id
   where b.manage_token_hash = p_token_hash
     and (b.manage_token_expires_at is null or b.manage_token_expires_at > now())
$$;

revoke execute on function public.enqueue_job(text, jsonb, text, timestamptz, int) from public, anon, authenticated;
revoke execute on function public.claim_jobs(text, jsonb, int, int) from public, anon, authenticated;
revoke execute on function public.finish_job(bigint, text) from public, anon, authenticated;
revoke execute on function public.fail_job(bigint, text, text, numeric, boolean) from public, anon, authenticated;
revoke execute on function public.bookings_enqueue_write_back() from public, anon, authenticated;
revoke execute on function public.get_booking_for_write_back(uuid) from public, anon, authenticated;
revoke execute on function public.refund_notice(jsonb) from public, anon, authenticated;
revoke execute on function public.get_pending_refund(uuid) from public, anon, authenticated;
revoke execute on function public.apply_payment_event(text, text, text, uuid, text, text, int, text) from public, anon, authenticated;
revoke execute on function public.cancel_booking(text, text) from public, anon, authenticated;
revoke execute on function public.record_refund(uuid, text, text, text, text) from public, anon, authenticated;
revoke execute on function public.get_booking_by_token(text) from public, anon, authenticated;

grant execute on function public.enqueue_job(text, jsonb, text, timestamptz, int) to service_role;
grant execute on function public.claim_jobs(text, jsonb, int, int) to service_role;
grant execute on function public.finish_job(bigint, text) to service_role;
grant execute on function public.fail_job(bigint, text, text, numeric, boolean) to service_role;
grant execute on function public.get_booking_for_write_back(uuid) to service_role;
grant execute on function public.refund_notice(jsonb) to service_role;
grant execute on function public.get_pending_refund(uuid) to service_role;
grant execute on function public.apply_payment_event(text, text, text, uuid, text, text, int, text) to service_role;
grant execute on function public.cancel_booking(text, text) to service_role;
grant execute on function public.record_refund(uuid, text, text, text, text) to service_role;
grant execute on function public.get_booking_by_token(text) to service_role;
