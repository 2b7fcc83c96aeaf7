-- Weekly series (issue 15): a visitor books "every Tuesday 18:00 for 8 weeks" in one call, all or nothing.
--
--   * A service allows series with `series_max_occurrences` (null or 0: no series) and `series_max_interval_weeks`
--     (every 1 … N weeks).
--   * `booking_series` is the series: its cadence, the number of planned dates, the visitor's ONE manage link (hash)
--     and the idempotency key of the request. Each occurrence is an ordinary booking row with `series_id` and
--     `series_index` (1 … occurrences; a skipped date has no row), under the same exclusion constraint as any booking.
--   * Occurrence instants are computed in TypeScript (server/series/occurrences.ts) with the engine's own zone rules,
--     because the engine must check every occurrence against working hours before booking and one implementation of
--     the wall-clock math cannot disagree with itself. This function re-checks what protects the visitor: every date is
--     the first local date + k × interval weeks in the provider's zone, and every occurrence not replaced by the visitor
--     starts at the same local wall time as the first (so "18:00 Berlin" is 18:00 on both sides of a DST change).
--   * Each occurrence gets its own manage token, derived by the server from the series token; the per-booking SQL
--     (cancel_booking, reschedule_booking, get_booking_by_token, the .ics) therefore works unchanged on occurrences.
--   * Paid series: one payment for the total, recorded on the series' first booked occurrence (the anchor);
--     `apply_series_payment_event` confirms every occurrence or none, and refunds the whole payment (job queue) when
--     any occurrence was lost while the visitor paid. The series payment has no frozen refund deadline, so cancelling
--     one occurrence never refunds the whole series by itself; the provider refunds from the app when they choose.

alter table public.services add column if not exists series_max_occurrences int
  check (series_max_occurrences is null or series_max_occurrences between 0 and 52);
alter table public.services add column if not exists series_max_interval_weeks int not null default 1
  check (series_max_interval_weeks between 1 and 8);

create table public.booking_series (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid not null references public.providers (id) on delete cascade,
  service_id uuid not null references public.services (id) on delete restrict,
  interval_weeks int not null check (interval_weeks between 1 and 8),
  occurrences int not null check (occurrences between 2 and 52),
  first_local_date date not null,
  local_time time not null,
  timezone text not null,
  manage_token_hash text,
  idempotency_key text,
  idempotency_fingerprint text,
  created_at timestamptz not null default now()
);
create unique index booking_series_manage_token_uq on public.booking_series (manage_token_hash)
  where manage_token_hash is not null;
create unique index booking_series_idempotency_uq on public.booking_series (provider_id, idempotency_key)
  where idempotency_key is not null;
alter table public.booking_series enable row level security;

alter table public.bookings add column if not exists series_id uuid references public.booking_series (id) on delete set null;
alter table public.bookings add column if not exists series_index int;
create unique index bookings_series_index_uq on public.bookings (series_id, series_index) where series_id is not null;

-- The zone the engine reads working hours in: the same rule as slotQuery (workingHours.timezone, else the provider's).
create or replace function public.provider_hours_zone(p public.providers) returns text
language sql stable set search_path = public
as $$
  select coalesce(nullif(p.settings #>> '{workingHours,timezone}', ''), p.timezone)
$$;

-- Sets the series options of a provider's services from a provider file's `services` array (by slug): the provider
-- file's apply_provider is left as it is, the CLI calls this right after it.
create or replace function public.apply_service_series(p_provider_id uuid, p_services jsonb) returns void
language sql security definer set search_path = public
as $$
  update public.services s
     set series_max_occurrences = nullif((v.value #>> '{series,maxOccurrences}')::int, 0),
         series_max_interval_weeks = coalesce((v.value #>> '{series,maxIntervalWeeks}')::int, 1)
    from jsonb_array_elements(p_services) v
   where s.provider_id = p_provider_id and s.slug = v.value ->> 'slug'
$$;

-- The series options of a provider's active services (slug → {maxOccurrences, maxIntervalWeeks}) for the public page
-- and the series endpoints.
create or replace function public.get_series_options(p_provider_id uuid) returns jsonb
language sql stable security definer set search_path = public
as $$
  select coalesce(jsonb_object_agg(s.slug, jsonb_build_object(
           'maxOccurrences', s.series_max_occurrences, 'maxIntervalWeeks', s.series_max_interval_weeks)), '{}'::jsonb)
    from public.services s
   where s.provider_id = p_provider_id and s.is_active and coalesce(s.series_max_occurrences, 0) >= 2
$$;

-- One series as its manage link shows it: cadence, provider and service, the payment (on the anchor) and every
-- occurrence with its index.
create or replace function public.series_json(p_series_id uuid) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'id', r.id, 'intervalWeeks', r.interval_weeks, 'occurrences', r.occurrences, 'timezone', r.timezone,
    'provider', p.public_slug, 'providerName', p.display_name, 'providerTimezone', p.timezone,
    'providerPolicy', coalesce(p.settings -> 'booking', '{}'::jsonb),
    'service', s.slug, 'serviceTitle', s.title, 'durationMinutes', s.duration_minutes,
    'totalCents', (select coalesce(sum(b.price_cents), 0) from public.bookings b where b.series_id = r.id),
    'payment', (select jsonb_build_object('status', pay.status, 'amountCents', pay.amount_cents,
                                          'currency', pay.currency,
                                          'checkoutUrl', case when pay.status = 'pending' then pay.checkout_url end)
                  from public.payments pay join public.bookings b on b.id = pay.booking_id
                 where b.series_id = r.id order by pay.created_at desc limit 1),
    'bookings', coalesce((select jsonb_agg(public.booking_json(b) || jsonb_build_object('index', b.series_index)
                                           order by b.series_index)
                            from public.bookings b where b.series_id = r.id), '[]'::jsonb))
    from public.booking_series r
    join public.providers p on p.id = r.provider_id
    join public.services s on s.id = r.service_id
   where r.id = p_series_id
$$;

-- The series behind a manage link; null when unknown, or 30 days after its last occurrence ended.
create or replace function public.get_series_by_token(p_token_hash text) returns jsonb
language sql stable security definer set search_path = public
as $$
  select public.series_json(r.id)
    from public.booking_series r
   where r.manage_token_hash = p_token_hash
     and coalesce((select max(b.ends_at) from public.bookings b where b.series_id = r.id), now()) + interval '30 days' > now()
$$;

-- Books every occurrence of a weekly series in one transaction: all or nothing.
--   p_items: [{index, start, tokenHash, moved}] — the dates the visitor keeps (skipped dates are left out), `moved`
--   when the visitor picked another time that same day instead of the series' wall time.
-- Each occurrence is inserted exactly as create_booking_if_free inserts one booking (effective buffers, expired holds
-- released first, cached external busy time refused, the exclusion constraint the final word); the hold limit counts a
-- series as ONE hold, as it is one checkout. Errors (SQLSTATE, message, detail):
--   SL404 service_not_found;  SL422 series_not_allowed / series_invalid (detail: what is wrong) / idempotency_key_reused;
--   SL429 too_many_holds (detail: the limit);
--   SL409 slot_taken, detail: JSON array of the indexes that could not be booked (nothing is written).
create or replace function public.create_series_if_free(
  p_provider_id uuid,
  p_service_id uuid,
  p_interval_weeks int,
  p_occurrences int,
  p_first_start timestamptz,
  p_items jsonb,
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
  v_provider public.providers;
  v_service public.services;
  v_series public.booking_series;
  v_zone text;
  v_fingerprint text;
  v_first_date date;
  v_local_time time;
  v_item jsonb;
  v_index int;
  v_prev int := 0;
  v_start timestamptz;
  v_buffers int[];
  v_ends_at timestamptz;
  v_occupied tstzrange;
  v_failed jsonb := '[]'::jsonb;
  v_max_holds int;
  v_holds int;
begin
  perform public.lock_provider_bookings(p_provider_id);

  v_fingerprint := encode(sha256(convert_to(jsonb_build_array(
    p_provider_id, p_service_id, p_interval_weeks, p_occurrences, extract(epoch from p_first_start),
    (select jsonb_agg(jsonb_build_array((i ->> 'index')::int, extract(epoch from (i ->> 'start')::timestamptz))
                      order by (i ->> 'index')::int) from jsonb_array_elements(p_items) i),
    coalesce(p_customer_name, ''), lower(p_customer_email), p_customer_phone, coalesce(p_notes, ''),
    p_customer_timezone)::text, 'UTF8')), 'hex');
  if p_idempotency_key is not null then
    select * into v_series from public.booking_series
     where provider_id = p_provider_id and idempotency_key = p_idempotency_key;
    if found then
      if v_series.idempotency_fingerprint is distinct from v_fingerprint then
        raise exception using errcode = 'SL422', message = 'idempotency_key_reused';
      end if;
      return jsonb_build_object('series', public.series_json(v_series.id), 'replayed', true,
                                'manageTokenMatches', v_series.manage_token_hash = p_manage_token_hash);
    end if;
  end if;

  select * into v_provider from public.providers where id = p_provider_id;
  select * into v_service from public.services
   where id = p_service_id and provider_id = p_provider_id and is_active;
  if not found or v_provider.id is null then
    raise exception using errcode = 'SL404', message = 'service_not_found';
  end if;
  if coalesce(v_service.series_max_occurrences, 0) < 2 then
    raise exception using errcode = 'SL422', message = 'series_not_allowed', detail = 'service';
  end if;
  if p_occurrences is null or p_occurrences < 2 or p_occurrences > v_service.series_max_occurrences then
    raise exception using errcode = 'SL422', message = 'series_not_allowed', detail = 'occurrences';
  end if;
  if p_interval_weeks is null or p_interval_weeks < 1 or p_interval_weeks > v_service.series_max_interval_weeks then
    raise exception using errcode = 'SL422', message = 'series_not_allowed', detail = 'intervalWeeks';
  end if;
  if jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) < 1 then
    raise exception using errcode = 'SL422', message = 'series_invalid', detail = 'occurrences';
  end if;

  -- The cadence, in the zone the engine reads working hours in: p_first_start (the time the visitor picked, occurrence
  -- 1, even when that date itself is then skipped or moved) fixes the dates and the wall time.
  if p_first_start is null then
    raise exception using errcode = 'SL422', message = 'series_invalid', detail = 'start';
  end if;
  v_zone := public.provider_hours_zone(v_provider);
  v_first_date := (p_first_start at time zone v_zone)::date;
  v_local_time := (p_first_start at time zone v_zone)::time;

  for v_item in select value from jsonb_array_elements(p_items) order by (value ->> 'index')::int loop
    v_index := (v_item ->> 'index')::int;
    v_start := (v_item ->> 'start')::timestamptz;
    if v_index is null or v_index <= v_prev or v_index > p_occurrences or v_start is null
       or coalesce(v_item ->> 'tokenHash', '') = '' then
      raise exception using errcode = 'SL422', message = 'series_invalid', detail = 'occurrences';
    end if;
    v_prev := v_index;
    if (v_start at time zone v_zone)::date <> v_first_date + (v_index - 1) * 7 * p_interval_weeks then
      raise exception using errcode = 'SL422', message = 'series_invalid', detail = 'date:' || v_index;
    end if;
    if not coalesce((v_item ->> 'moved')::boolean, false) and (v_start at time zone v_zone)::time <> v_local_time then
      raise exception using errcode = 'SL422', message = 'series_invalid', detail = 'time:' || v_index;
    end if;
  end loop;

  if p_hold_minutes is not null then
    v_max_holds := coalesce((v_provider.settings #>> '{booking,maxHoldsPerContact}')::numeric::int, 2);
    select count(distinct coalesce(series_id, id)) into v_holds from public.bookings
     where provider_id = p_provider_id and status = 'pending' and hold_expires_at > now()
       and ((p_customer_email is not null and lower(customer_email) = lower(p_customer_email))
            or (p_customer_phone is not null
                and regexp_replace(customer_phone, '[^0-9]', '', 'g') = regexp_replace(p_customer_phone, '[^0-9]', '', 'g')));
    if v_holds >= v_max_holds then
      raise exception using errcode = 'SL429', message = 'too_many_holds', detail = v_max_holds::text;
    end if;
  end if;

  insert into public.booking_series (provider_id, service_id, interval_weeks, occurrences, first_local_date,
                                     local_time, timezone, manage_token_hash, idempotency_key, idempotency_fingerprint)
  values (p_provider_id, p_service_id, p_interval_weeks, p_occurrences, v_first_date, v_local_time, v_zone,
          p_manage_token_hash, p_idempotency_key, case when p_idempotency_key is null then null else v_fingerprint end)
  returning * into v_series;

  v_buffers := public.effective_buffers(v_service.buffer_before_minutes, v_service.buffer_after_minutes, v_provider.settings);
  for v_item in select value from jsonb_array_elements(p_items) order by (value ->> 'index')::int loop
    v_index := (v_item ->> 'index')::int;
    v_start := (v_item ->> 'start')::timestamptz;
    v_ends_at := v_start + make_interval(mins => v_service.duration_minutes);
    v_occupied := public.booking_occupied(v_start, v_ends_at, v_buffers[1], v_buffers[2]);

    -- Expired holds stop blocking before we look for conflicts.
    update public.bookings
       set status = 'expired'
     where provider_id = p_provider_id and status = 'pending' and hold_expires_at <= now()
       and occupied && v_occupied;

    if exists (select 1 from public.external_busy
                where provider_id = p_provider_id
                  and tstzrange(starts_at, ends_at, '[)') && v_occupied) then
      v_failed := v_failed || to_jsonb(v_index);
      continue;
    end if;

    -- Every conflicting occurrence is named, not only the first: each insert runs in its own subtransaction.
    begin
      insert into public.bookings (
        provider_id, service_id, starts_at, ends_at, buffer_before_minutes, buffer_after_minutes,
        occupied, status, hold_expires_at, customer_name, customer_email, customer_phone,
        customer_timezone, notes, price_cents, currency, manage_token_hash, manage_token_expires_at,
        series_id, series_index)
      values (
        p_provider_id, p_service_id, v_start, v_ends_at, v_buffers[1], v_buffers[2], v_occupied,
        case when p_hold_minutes is null then 'confirmed' else 'pending' end,
        case when p_hold_minutes is null then null else now() + make_interval(mins => p_hold_minutes) end,
        coalesce(p_customer_name, ''), p_customer_email, p_customer_phone, p_customer_timezone,
        coalesce(p_notes, ''), v_service.price_cents, v_service.currency, v_item ->> 'tokenHash',
        v_ends_at + interval '30 days', v_series.id, v_index);
    exception when exclusion_violation then
      v_failed := v_failed || to_jsonb(v_index);
    end;
  end loop;

  if jsonb_array_length(v_failed) > 0 then
    -- All or nothing: the error rolls back the series and every occurrence inserted above.
    raise exception using errcode = 'SL409', message = 'slot_taken', detail = v_failed::text;
  end if;

  return jsonb_build_object('series', public.series_json(v_series.id), 'replayed', false, 'manageTokenMatches', true);
end
$$;

-- Cancels occurrence p_index of the series behind a manage link, or (p_and_later) it and every later live occurrence,
-- in one transaction, each through cancel_booking (same rules and side effects as a single booking).
-- SL404 series_not_found / booking_not_found (no live occurrence at or after p_index).
create or replace function public.cancel_series_occurrences(
  p_token_hash text, p_index int, p_and_later boolean, p_reason text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_series public.booking_series;
  v_hash text;
  v_count int := 0;
begin
  select * into v_series from public.booking_series where manage_token_hash = p_token_hash;
  if not found or public.get_series_by_token(p_token_hash) is null then
    raise exception using errcode = 'SL404', message = 'series_not_found';
  end if;
  for v_hash in
    select b.manage_token_hash from public.bookings b
     where b.series_id = v_series.id and b.status in ('pending', 'confirmed') and b.manage_token_hash is not null
       and (b.series_index = p_index or (p_and_later and b.series_index > p_index))
     order by b.series_index
  loop
    perform public.cancel_booking(v_hash, p_reason);
    v_count := v_count + 1;
  end loop;
  if v_count = 0 then
    raise exception using errcode = 'SL404', message = 'booking_not_found';
  end if;
  return public.series_json(v_series.id) || jsonb_build_object('cancelled', v_count);
end
$$;

-- The anchor of a series: the booking its payment is recorded on (its first booked occurrence).
create or replace function public.series_anchor(p_series_id uuid) returns uuid
language sql stable security definer set search_path = public
as $$
  select id from public.bookings where series_id = p_series_id order by series_index limit 1
$$;

-- Applies one Stripe event to a whole series, once (apply_payment_event's rules for a series):
--   'paid'    → confirm every occurrence (even after the holds expired, if every time is still free) or none; when any
--               occurrence was lost (taken meanwhile, or cancelled), the whole payment becomes refund_pending with its
--               refund job queued here, and every occurrence ends cancelled;
--   'failed' / 'expired' → release every hold.
-- Outcomes: confirmed | refund_pending | released | duplicate | ignored.
create or replace function public.apply_series_payment_event(
  p_event_id text, p_event_type text, p_kind text, p_series_id uuid, p_session_id text,
  p_payment_intent text, p_amount_cents int, p_currency text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_series public.booking_series;
  v_anchor uuid;
  v_payment_id uuid;
  v_outcome text;
  v_reason text;
  v_lost boolean := false;
begin
  if exists (select 1 from public.payment_events where event_id = p_event_id) then
    return jsonb_build_object('outcome', 'duplicate');
  end if;
  select * into v_series from public.booking_series where id = p_series_id;
  v_anchor := public.series_anchor(p_series_id);
  if v_series.id is null or v_anchor is null then
    insert into public.payment_events (event_id, event_type, outcome) values (p_event_id, p_event_type, 'ignored');
    return jsonb_build_object('outcome', 'ignored');
  end if;
  perform public.lock_provider_bookings(v_series.provider_id);
  perform 1 from public.bookings where series_id = v_series.id order by series_index for update;

  if p_kind = 'paid' then
    update public.payments
       set status = case when status in ('refund_pending', 'refunded') then status else 'paid' end,
           txn_id = coalesce(p_payment_intent, txn_id),
           amount_cents = coalesce(p_amount_cents, amount_cents)
     where booking_id = v_anchor and checkout_session_id = p_session_id
    returning id into v_payment_id;
    if not found then
      insert into public.payments (booking_id, status, amount_cents, currency, provider, txn_id, checkout_session_id)
      values (v_anchor, 'paid',
              coalesce(p_amount_cents, (select sum(price_cents) from public.bookings where series_id = v_series.id)::int),
              upper(coalesce(p_currency, (select currency from public.bookings where id = v_anchor))), 'stripe',
              p_payment_intent, p_session_id)
      returning id into v_payment_id;
    end if;

    if exists (select 1 from public.bookings where series_id = v_series.id
                and status not in ('pending', 'expired', 'confirmed')) then
      v_lost := true;
      v_reason := 'Paid after part of the series was cancelled; the whole payment is refunded automatically.';
    else
      begin
        update public.bookings set status = 'confirmed', hold_expires_at = null
         where series_id = v_series.id and status in ('pending', 'expired');
      exception when exclusion_violation then
        -- The subtransaction is rolled back whole: no occurrence is confirmed.
        v_lost := true;
        v_reason := 'Paid after the holds expired and a time of the series was booked by someone else; refunded automatically.';
      end;
    end if;

    if v_lost then
      update public.payments
         set status = 'refund_pending', refund_reason = coalesce(refund_reason, v_reason),
             refund_requested_at = coalesce(refund_requested_at, now())
       where id = v_payment_id and status = 'paid';
      update public.bookings
         set status = 'cancelled', cancel_reason = coalesce(cancel_reason, v_reason),
             cancelled_at = coalesce(cancelled_at, now())
       where series_id = v_series.id and status in ('pending', 'expired', 'confirmed');
      perform public.enqueue_job('payment.refund', jsonb_build_object('paymentId', v_payment_id, 'bookingId', v_anchor),
                                 'payment.refund:' || v_payment_id::text, null, 20);
      v_outcome := 'refund_pending';
    else
      v_outcome := 'confirmed';
    end if;
  elsif p_kind in ('failed', 'expired') then
    update public.bookings set status = 'expired' where series_id = v_series.id and status = 'pending';
    v_outcome := case when found then 'released' else 'ignored' end;
    update public.payments set status = case when p_kind = 'failed' then 'failed' else 'expired' end
     where booking_id = v_anchor and checkout_session_id = p_session_id and status = 'pending';
  else
    raise exception using errcode = 'SL422', message = 'unknown payment event kind';
  end if;

  insert into public.payment_events (event_id, event_type, booking_id, outcome)
  values (p_event_id, p_event_type, v_anchor, v_outcome);
  return jsonb_build_object('outcome', v_outcome, 'series', public.series_json(v_series.id));
end
$$;

-- Gives back every hold of a series whose checkout could not be started, and forgets its idempotency key and manage
-- link (never handed out), as abandon_hold does for one booking.
create or replace function public.abandon_series(p_token_hash text, p_reason text) returns void
language plpgsql security definer set search_path = public
as $$
declare
  v_id uuid;
begin
  update public.booking_series set manage_token_hash = null, idempotency_key = null, idempotency_fingerprint = null
   where manage_token_hash = p_token_hash returning id into v_id;
  update public.bookings
     set status = 'cancelled', cancel_reason = nullif(p_reason, ''), cancelled_at = now(), manage_token_hash = null
   where series_id = v_id and status = 'pending';
end
$$;

-- The provider app: the series a booking belongs to (null when none), owner-checked (SL404 otherwise).
create or replace function public.app_get_series(p_user_id uuid, p_provider_id uuid, p_booking_id uuid) returns jsonb
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
  if v.series_id is null then
    return null;
  end if;
  return public.series_json(v.series_id) || jsonb_build_object('index', v.series_index);
end
$$;

-- The provider cancels one occurrence, or it and every later live one, through app_cancel_booking (same rules, same
-- refund decision per booking). SL404 for another provider's booking; SL409 not_in_series.
create or replace function public.app_cancel_series(
  p_user_id uuid, p_provider_id uuid, p_booking_id uuid, p_and_later boolean, p_reason text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.bookings := public.app_owned_booking(p_user_id, p_provider_id, p_booking_id);
  v_id uuid;
begin
  if v.series_id is null then
    raise exception using errcode = 'SL409', message = 'not_in_series';
  end if;
  for v_id in
    select b.id from public.bookings b
     where b.series_id = v.series_id and b.status in ('pending', 'confirmed')
       and (b.id = v.id or (p_and_later and b.series_index > v.series_index))
     order by b.series_index
  loop
    perform public.app_cancel_booking(p_user_id, p_provider_id, v_id, p_reason, null);
  end loop;
  return public.series_json(v.series_id) || jsonb_build_object('index', v.series_index);
end
$$;

-- The provider app: a service's series options, read and set by its owner (SL404 for another provider's service).
create or replace function public.app_service_series(
  p_user_id uuid, p_provider_id uuid, p_service_id uuid, p_set boolean, p_max_occurrences int, p_max_interval_weeks int
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v public.services;
begin
  if p_set then
    update public.services
       set series_max_occurrences = nullif(p_max_occurrences, 0),
           series_max_interval_weeks = coalesce(p_max_interval_weeks, 1)
     where id = p_service_id and provider_id = v_provider.id
    returning * into v;
  else
    select * into v from public.services where id = p_service_id and provider_id = v_provider.id;
  end if;
  if v.id is null then
    raise exception using errcode = 'SL404', message = 'service_not_found';
  end if;
  return jsonb_build_object('serviceId', v.id, 'maxOccurrences', coalesce(v.series_max_occurrences, 0),
                            'maxIntervalWeeks', v.series_max_interval_weeks);
end
$$;
