-- Hand-offs: Stripe payment holds (checkout sessions, once-only webhook events, refunds),
-- reschedule by manage link, video meeting rooms at confirmation, a provider's private ICS feed.

alter table public.payments add column checkout_session_id text;
alter table public.payments add column refund_reason text;
alter table public.payments add column checkout_url text;
create unique index payments_checkout_session_uq on public.payments (checkout_session_id)
  where checkout_session_id is not null;

alter table public.providers add column ics_feed_token_hash text;
create unique index providers_ics_feed_token_uq on public.providers (ics_feed_token_hash)
  where ics_feed_token_hash is not null;

-- Each Stripe event is applied once: replays find their id here.
create table public.payment_events (
  event_id text primary key,
  event_type text not null,
  booking_id uuid references public.bookings (id) on delete set null,
  outcome text not null,
  received_at timestamptz not null default now()
);
alter table public.payment_events enable row level security;
revoke all on public.payment_events from anon, authenticated;
grant all on public.payment_events to service_role;

-- ---------------------------------------------------------------------------------------------
-- Video rooms: a confirmed booking of a video service gets an unguessable Jitsi room (seeds 000).
-- ---------------------------------------------------------------------------------------------

create or replace function public.bookings_set_meeting() returns trigger
language plpgsql
as $$
declare
  v_type text;
begin
  if new.status = 'confirmed' and new.meeting_url is null then
    select location ->> 'type' into v_type from public.services where id = new.service_id;
    if v_type = 'video' then
      new.meeting_provider := 'jitsi';
      new.meeting_room := 'slotline-' || replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '');
      new.meeting_url := 'https://meet.jit.si/' || new.meeting_room;
    end if;
  end if;
  return new;
end
$$;
create trigger bookings_meeting before insert or update of status on public.bookings
  for each row execute function public.bookings_set_meeting();

-- ---------------------------------------------------------------------------------------------
-- Payments
-- ---------------------------------------------------------------------------------------------

-- Remembers the Checkout Session made for a hold (one per booking).
create or replace function public.attach_checkout_session(
  p_booking_id uuid, p_session_id text, p_amount_cents int, p_currency text, p_checkout_url text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
begin
  insert into public.payments (booking_id, status, amount_cents, currency, provider, checkout_session_id, checkout_url)
  values (p_booking_id, 'pending', p_amount_cents, upper(p_currency), 'stripe', p_session_id, p_checkout_url)
  on conflict (checkout_session_id) where checkout_session_id is not null do nothing;
  return jsonb_build_object('bookingId', p_booking_id, 'sessionId', p_session_id);
end
$$;

-- Applies one Stripe event to its booking, once. p_kind:
--   'paid'    → confirm the hold (even after it expired, if the time is still free) and record the payment;
--   'failed'  → release the hold;  'expired' → release the hold (checkout abandoned).
-- Outcomes: confirmed | released | refund_needed (paid, but the time was taken meanwhile) | duplicate | ignored.
-- A refund_needed event is recorded by record_refund once the refund exists, so a failed refund is retried.
create or replace function public.apply_payment_event(
  p_event_id text, p_event_type text, p_kind text, p_booking_id uuid, p_session_id text,
  p_payment_intent text, p_amount_cents int, p_currency text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
  v_outcome text;
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
       set status = 'paid', txn_id = coalesce(p_payment_intent, txn_id),
           amount_cents = coalesce(p_amount_cents, amount_cents)
     where booking_id = v_booking.id and checkout_session_id = p_session_id;
    if not found then
      insert into public.payments (booking_id, status, amount_cents, currency, provider, txn_id, checkout_session_id)
      values (v_booking.id, 'paid', coalesce(p_amount_cents, v_booking.price_cents),
              upper(coalesce(p_currency, v_booking.currency)), 'stripe', p_payment_intent, p_session_id);
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

  if v_outcome <> 'refund_needed' then
    insert into public.payment_events (event_id, event_type, booking_id, outcome)
    values (p_event_id, p_event_type, v_booking.id, v_outcome);
  end if;
  return jsonb_build_object('outcome', v_outcome, 'booking', public.booking_json(v_booking),
                            'paymentIntent', p_payment_intent);
end
$$;

-- Records a refund; ends the booking cancelled with the reason. p_event_id (optional) marks the
-- webhook event that led to it as handled.
create or replace function public.record_refund(
  p_booking_id uuid, p_refund_id text, p_reason text, p_event_id text, p_event_type text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
begin
  update public.payments set status = 'refunded', refund_txn_id = p_refund_id, refund_reason = p_reason
   where booking_id = p_booking_id and status = 'paid';
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

-- Checkout sessions whose hold is gone (expired or cancelled) but are still open at Stripe.
create or replace function public.list_stale_checkout_sessions(p_limit int) returns jsonb
language sql stable security definer set search_path = public
as $$
  select coalesce(jsonb_agg(jsonb_build_object('bookingId', pay.booking_id, 'sessionId', pay.checkout_session_id,
                                               'providerId', b.provider_id)), '[]'::jsonb)
  from (select * from public.payments
         where status = 'pending' and checkout_session_id is not null
           and booking_id in (select id from public.bookings where status in ('expired', 'cancelled'))
         limit p_limit) pay
  join public.bookings b on b.id = pay.booking_id
$$;

create or replace function public.mark_checkout_closed(p_session_id text) returns jsonb
language sql security definer set search_path = public
as $$
  update public.payments set status = 'expired' where checkout_session_id = p_session_id and status = 'pending'
  returning jsonb_build_object('sessionId', checkout_session_id)
$$;

-- ---------------------------------------------------------------------------------------------
-- Manage links: the booking with what the server needs to apply the provider's policy.
-- ---------------------------------------------------------------------------------------------

-- The booking a manage link points at, or null (unknown or expired token).
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
                                                 'refundTxnId', pay.refund_txn_id)
                         from public.payments pay where pay.booking_id = b.id
                        order by pay.created_at desc limit 1))
    from public.bookings b
    join public.providers p on p.id = b.provider_id
    join public.services s on s.id = b.service_id
   where b.manage_token_hash = p_token_hash
     and (b.manage_token_expires_at is null or b.manage_token_expires_at > now())
$$;

-- Moves a live booking to a new start in one UPDATE: the exclusion constraint compares the new
-- range with every other live booking, so the move either happens whole or not at all (SL409).
create or replace function public.reschedule_booking(p_token_hash text, p_starts_at timestamptz) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
  v_minutes int;
begin
  perform public.lock_provider_bookings(b.provider_id) from public.bookings b where b.manage_token_hash = p_token_hash;
  select b.* into v_booking from public.bookings b
   where b.manage_token_hash = p_token_hash and b.status in ('pending', 'confirmed')
     and (b.manage_token_expires_at is null or b.manage_token_expires_at > now())
   for update;
  if not found then
    raise exception using errcode = 'SL404', message = 'booking_not_found';
  end if;
  v_minutes := (extract(epoch from (v_booking.ends_at - v_booking.starts_at)) / 60)::int;

  if exists (select 1 from public.external_busy e
              where e.provider_id = v_booking.provider_id
                and tstzrange(e.starts_at, e.ends_at, '[)') && tstzrange(
                      p_starts_at - make_interval(mins => v_booking.buffer_before_minutes),
                      p_starts_at + make_interval(mins => v_minutes + v_booking.buffer_after_minutes), '[)')) then
    raise exception using errcode = 'SL409', message = 'slot_taken', detail = 'external_busy';
  end if;

  begin
    update public.bookings
       set starts_at = p_starts_at,
           ends_at = p_starts_at + make_interval(mins => v_minutes),
           manage_token_expires_at = p_starts_at + make_interval(mins => v_minutes) + interval '30 days'
     where id = v_booking.id
    returning * into v_booking;
  exception when exclusion_violation then
    raise exception using errcode = 'SL409', message = 'slot_taken', detail = 'booking';
  end;
  return public.booking_json(v_booking);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- A provider's private iCalendar feed of live bookings
-- ---------------------------------------------------------------------------------------------

create or replace function public.set_ics_feed_token(p_slug text, p_token_hash text) returns jsonb
language sql security definer set search_path = public
as $$
  update public.providers set ics_feed_token_hash = p_token_hash where public_slug = p_slug
  returning jsonb_build_object('slug', public_slug)
$$;

create or replace function public.get_ics_feed(p_token_hash text) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'slug', p.public_slug, 'name', p.display_name, 'timezone', p.timezone,
    'bookings', coalesce((
      select jsonb_agg(public.booking_json(b) || jsonb_build_object('serviceTitle', s.title, 'location', s.location)
                       order by b.starts_at)
        from public.bookings b join public.services s on s.id = b.service_id
       where b.provider_id = p.id and b.status = 'confirmed'
         and b.ends_at > now() - interval '90 days'), '[]'::jsonb))
  from public.providers p
  where p.ics_feed_token_hash = p_token_hash
$$;

revoke execute on function public.attach_checkout_session(uuid, text, int, text, text) from public, anon, authenticated;
revoke execute on function public.apply_payment_event(text, text, text, uuid, text, text, int, text) from public, anon, authenticated;
revoke execute on function public.record_refund(uuid, text, text, text, text) from public, anon, authenticated;
revoke execute on function public.list_stale_checkout_sessions(int) from public, anon, authenticated;
revoke execute on function public.mark_checkout_closed(text) from public, anon, authenticated;
revoke execute on function public.get_booking_by_token(text) from public, anon, authenticated;
revoke execute on function public.reschedule_booking(text, timestamptz) from public, anon, authenticated;
revoke execute on function public.set_ics_feed_token(text, text) from public, anon, authenticated;
revoke execute on function public.get_ics_feed(text) from public, anon, authenticated;

grant execute on function public.attach_checkout_session(uuid, text, int, text, text) to service_role;
grant execute on function public.apply_payment_event(text, text, text, uuid, text, text, int, text) to service_role;
grant execute on function public.record_refund(uuid, text, text, text, text) to service_role;
grant execute on function public.list_stale_checkout_sessions(int) to service_role;
grant execute on function public.mark_checkout_closed(text) to service_role;
grant execute on function public.get_booking_by_token(text) to service_role;
grant execute on function public.reschedule_booking(text, timestamptz) to service_role;
grant execute on function public.set_ics_feed_token(text, text) to service_role;
grant execute on function public.get_ics_feed(text) to service_role;
