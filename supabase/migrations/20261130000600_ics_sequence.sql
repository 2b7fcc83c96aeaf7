-- RFC 5545 SEQUENCE for every booking: a counter on the row that the database bumps on every change of time or
-- status (reschedule, cancel, confirm, expire, decline…), whoever makes it. Calendar apps replace their copy of an
-- event only when the SEQUENCE grows, so the visitor's .ics, the provider's feed, write-back to CalDAV/Google and
-- email invitations all read this one number (booking_json hands it out as `sequence`).

alter table public.bookings add column if not exists ics_sequence int not null default 0;

create or replace function public.bookings_bump_ics_sequence() returns trigger
language plpgsql
as $$
begin
  -- Always derived from the old row: no caller can set it, lower it or forget to raise it.
  new.ics_sequence := old.ics_sequence
    + case when new.status is distinct from old.status
             or new.starts_at is distinct from old.starts_at
             or new.ends_at is distinct from old.ends_at then 1 else 0 end;
  return new;
end
$$;
revoke execute on function public.bookings_bump_ics_sequence() from public, anon, authenticated;

drop trigger if exists bookings_ics_sequence on public.bookings;
create trigger bookings_ics_sequence before update on public.bookings
  for each row execute function public.bookings_bump_ics_sequence();

-- The one JSON shape of a booking row, now with its SEQUENCE (every reader builds on this function).
create or replace function public.booking_json(b public.bookings) returns jsonb
language sql stable set search_path = public
as $$
  select jsonb_build_object(
    'id', b.id, 'status', b.status, 'start', b.starts_at, 'end', b.ends_at,
    'providerId', b.provider_id, 'serviceId', b.service_id,
    'holdExpiresAt', b.hold_expires_at, 'name', b.customer_name,
    'email', b.customer_email, 'phone', b.customer_phone, 'notes', b.notes,
    'timezone', b.customer_timezone, 'priceCents', b.price_cents, 'currency', b.currency,
    'meetingUrl', b.meeting_url, 'cancelReason', b.cancel_reason, 'createdAt', b.created_at,
    'sequence', b.ics_sequence)
$$;
revoke execute on function public.booking_json(public.bookings) from public, anon, authenticated;
grant execute on function public.booking_json(public.bookings) to service_role;
