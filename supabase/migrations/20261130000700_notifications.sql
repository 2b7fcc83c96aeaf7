-- Notifications (issue 13): every email Slotline sends goes through an outbox row made by SQL in the SAME transaction
-- as the booking or payment change that causes it, and one `notify.email` job per row on the durable queue
-- (20261130000200_jobs.sql). A crash therefore never loses a message, and the row's dedupe key — (booking, kind,
-- SEQUENCE) — with the queue's one-open-job-per-key rule means two server instances never send it twice.
--
-- The row is only the fact "this message is due"; the handler renders it at send time from the booking's CURRENT
-- state (a confirmation of a booking cancelled meanwhile is skipped) and stores what it rendered, with the manage
-- link's token taken out (the outbox holds no secrets). Without SMTP the rendered message is kept (`kept`) so the
-- provider app can show what would have been sent.
--
-- Reminders are jobs of their own (`notify.reminder`) with run_at = start − offset, enqueued when a booking becomes
-- confirmed or moves; the dedupe key holds the start, so a reschedule makes new ones and the old ones find the booking
-- moved and do nothing. A cancelled booking's reminders find it cancelled and do nothing.

-- ---------------------------------------------------------------------------------------------
-- What the visitor left us besides the booking row: the manage link (sealed) and their language.
--
-- The database stores only the manage token's hash, yet a confirmation or reminder must carry the link. The server
-- writes this row, keyed by the token's hash, BEFORE it calls the function that inserts the booking, so when the
-- booking commits (and its outbox rows with it) the copy is already there — no race with the worker, no change to
-- the booking functions. The token is sealed with AES-256-GCM under a key derived from `manage_link_keys` (service
-- role only), never logged and never copied into the outbox. Copies nobody used are removed after a day; copies of
-- bookings that ended a week ago are removed too.
-- ---------------------------------------------------------------------------------------------

create table public.booking_link_copies (
  token_hash text primary key check (token_hash ~ '^[0-9a-f]{64}$'),
  sealed jsonb not null check (jsonb_typeof(sealed) = 'object'),
  lang text not null default 'en' check (lang in ('en', 'ar')),
  created_at timestamptz not null default now()
);
alter table public.booking_link_copies enable row level security;
revoke all on public.booking_link_copies from public, anon, authenticated;
grant all on public.booking_link_copies to service_role;

create or replace function public.save_booking_link_copy(p_token_hash text, p_sealed jsonb, p_lang text) returns void
language plpgsql security definer set search_path = public
as $$
begin
  insert into public.booking_link_copies (token_hash, sealed, lang)
  values (p_token_hash, p_sealed, case when p_lang = 'ar' then 'ar' else 'en' end)
  on conflict (token_hash) do nothing;
  delete from public.booking_link_copies c
   where c.token_hash in (
     select c2.token_hash from public.booking_link_copies c2
      left join public.bookings b on b.manage_token_hash = c2.token_hash
      where (b.id is null and c2.created_at < now() - interval '1 day')
         or b.ends_at < now() - interval '7 days'
      limit 100);
end
$$;

-- Reminder opt-out, per booking (the link in every reminder).
alter table public.bookings add column if not exists reminders_off boolean not null default false;

-- Per-service reminder offsets (minutes before the start); null uses the provider's
-- `settings.notifications.reminders`, which defaults to 24 h and 2 h.
alter table public.services add column if not exists reminder_minutes jsonb
  check (reminder_minutes is null or jsonb_typeof(reminder_minutes) = 'array');

-- ---------------------------------------------------------------------------------------------
-- The outbox.
-- ---------------------------------------------------------------------------------------------

create table public.outbox (
  id bigint generated always as identity primary key,
  provider_id uuid not null references public.providers (id) on delete cascade,
  booking_id uuid references public.bookings (id) on delete cascade,
  -- visitor.confirmation | visitor.request | visitor.rescheduled | visitor.cancelled | visitor.declined |
  -- visitor.hold-expired | visitor.payment-received | visitor.refund-issued | visitor.reminder |
  -- provider.new-booking | provider.request | provider.rescheduled | provider.cancelled | provider.payment-received |
  -- provider.agenda
  kind text not null check (kind ~ '^(visitor|provider)\.[a-z-]{1,40}$'),
  -- (booking, kind, SEQUENCE) — or the payment, or the reminder's offset and start: each message at most once.
  dedupe_key text not null check (length(dedupe_key) between 1 and 200),
  -- The booking's SEQUENCE when the message became due; a message about a state the booking has left is skipped.
  sequence int,
  -- email, or whatsapp (the optional WhatsApp Cloud API: template messages to the visitor's phone number).
  channel text not null default 'email' check (channel in ('email', 'whatsapp')),
  recipient text,
  lang text not null default 'en' check (lang in ('en', 'ar')),
  subject text,
  body_text text,
  body_html text,
  ics text,
  ics_method text check (ics_method is null or ics_method in ('REQUEST', 'CANCEL')),
  -- What a message that is not about one booking is about (the daily agenda: {"date": "2026-12-01"}).
  details jsonb not null default '{}'::jsonb,
  status text not null default 'queued' check (status in ('queued', 'sent', 'failed', 'kept', 'skipped')),
  attempts int not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  sent_at timestamptz
);
create unique index outbox_dedupe_uq on public.outbox (dedupe_key);
create index outbox_provider_idx on public.outbox (provider_id, created_at desc);
create index outbox_booking_idx on public.outbox (booking_id);
create trigger outbox_touch before update on public.outbox
  for each row execute function public.touch_updated_at();
alter table public.outbox enable row level security;
revoke all on public.outbox from public, anon, authenticated;
grant all on public.outbox to service_role;
do $$
begin
  execute format('revoke all on sequence %s from public, anon, authenticated',
                 pg_get_serial_sequence('public.outbox', 'id'));
  execute format('grant all on sequence %s to service_role', pg_get_serial_sequence('public.outbox', 'id'));
end
$$;

-- Who gets a provider's mail: `settings.notifications.email`, else the owner's sign-in address. Null when the
-- provider turned provider mail off (`settings.notifications.providerEmails: false`).
create or replace function public.provider_notify_email(p_provider_id uuid) returns text
language sql stable security definer set search_path = public
as $$
  select case when p.settings #> '{notifications,providerEmails}' = 'false'::jsonb then null
              else coalesce(nullif(p.settings #>> '{notifications,email}', ''), u.email) end
    from public.providers p join auth.users u on u.id = p.owner_user_id
   where p.id = p_provider_id
$$;

-- Adds one message (or nothing, when its dedupe key was used already) and its send job (`notify.email`, or
-- `notify.whatsapp` for the WhatsApp channel). Returns the row id or null.
create or replace function public.outbox_add(
  p_provider_id uuid, p_booking_id uuid, p_kind text, p_sequence int, p_recipient text, p_dedupe_key text,
  p_channel text default 'email'
) returns bigint
language plpgsql security definer set search_path = public
as $$
declare
  v_id bigint;
begin
  if p_recipient is null or length(trim(p_recipient)) = 0 then
    return null; -- a visitor who gave only a phone number is reminded through the provider's WhatsApp agenda
  end if;
  insert into public.outbox (provider_id, booking_id, kind, sequence, recipient, dedupe_key, channel)
  values (p_provider_id, p_booking_id, p_kind, p_sequence, p_recipient, p_dedupe_key, coalesce(p_channel, 'email'))
  on conflict (dedupe_key) do nothing
  returning id into v_id;
  if v_id is not null then
    perform public.enqueue_job('notify.' || coalesce(p_channel, 'email'), jsonb_build_object('outboxId', v_id),
                               'notify.' || coalesce(p_channel, 'email') || ':' || v_id::text, null, 8);
  end if;
  return v_id;
end
$$;

-- Reminder offsets (minutes before the start) for a booking's service: the service's own list, else the provider's
-- `settings.notifications.reminders`, else 24 h and 2 h. Whole minutes between 1 and 30 days; others are ignored.
create or replace function public.reminder_offsets(p_provider_id uuid, p_service_id uuid) returns setof int
language sql stable security definer set search_path = public
as $$
  select distinct (v #>> '{}')::int
    from public.services s
    join public.providers p on p.id = s.provider_id
    cross join lateral jsonb_array_elements(coalesce(
      s.reminder_minutes,
      case when jsonb_typeof(p.settings #> '{notifications,reminders}') = 'array' then p.settings #> '{notifications,reminders}' end,
      '[1440, 120]'::jsonb)) v
   where s.id = p_service_id and p.id = p_provider_id
     and jsonb_typeof(v) = 'number' and (v #>> '{}') ~ '^[0-9]+$' and (v #>> '{}')::int between 1 and 43200
$$;

-- The messages a booking change makes, in the transaction that makes it (insert, or a change of status or time).
create or replace function public.bookings_notify() returns trigger
language plpgsql security definer set search_path = public
as $$
declare
  v_visitor text;
  v_provider text;
  v_seq text := new.ics_sequence::text;
  v_offset int;
  v_moved boolean := tg_op = 'UPDATE' and (old.starts_at is distinct from new.starts_at or old.ends_at is distinct from new.ends_at);
begin
  if tg_op = 'INSERT' then
    if new.status = 'confirmed' then
      v_visitor := 'visitor.confirmation'; v_provider := 'provider.new-booking';
    elsif new.status = 'pending' and new.awaiting_approval then
      v_visitor := 'visitor.request'; v_provider := 'provider.request';
    end if;
  elsif new.status = 'confirmed' and old.status <> 'confirmed' then
    -- Approved by the provider (they know), or a hold that was paid (they do not yet).
    v_visitor := 'visitor.confirmation';
    if not old.awaiting_approval then v_provider := 'provider.new-booking'; end if;
  elsif new.status = 'confirmed' and v_moved then
    v_visitor := 'visitor.rescheduled'; v_provider := 'provider.rescheduled';
  elsif new.status = 'cancelled' and old.status <> 'cancelled'
        and (old.status = 'confirmed' or (old.status = 'pending' and old.awaiting_approval)) then
    v_visitor := 'visitor.cancelled'; v_provider := 'provider.cancelled';
  elsif new.status = 'declined' and old.status = 'pending' then
    v_visitor := 'visitor.declined';
  elsif new.status = 'expired' and old.status = 'pending' and not old.awaiting_approval then
    v_visitor := 'visitor.hold-expired';
  end if;

  if v_visitor is not null then
    perform public.outbox_add(new.provider_id, new.id, v_visitor, new.ics_sequence, new.customer_email,
                              v_visitor || ':' || new.id::text || ':' || v_seq);
  end if;
  -- WhatsApp (only sent when the server has the Cloud API configured; otherwise the row ends `skipped`).
  if v_visitor = 'visitor.confirmation' and new.customer_phone is not null then
    perform public.outbox_add(new.provider_id, new.id, v_visitor, new.ics_sequence, new.customer_phone,
                              'wa:' || v_visitor || ':' || new.id::text || ':' || v_seq, 'whatsapp');
  end if;
  if v_provider is not null then
    perform public.outbox_add(new.provider_id, new.id, v_provider, new.ics_sequence,
                              public.provider_notify_email(new.provider_id),
                              v_provider || ':' || new.id::text || ':' || v_seq);
  end if;

  -- Reminders for a time that is newly confirmed (or moved). The handler skips one that is due in the past by
  -- more than half its offset (a booking made at short notice), by the server's clock.
  if new.status = 'confirmed' and (new.customer_email is not null or new.customer_phone is not null)
     and (tg_op = 'INSERT' or old.status <> 'confirmed' or v_moved) then
    for v_offset in select public.reminder_offsets(new.provider_id, new.service_id) loop
      perform public.enqueue_job(
        'notify.reminder',
        jsonb_build_object('bookingId', new.id, 'offsetMinutes', v_offset, 'start', new.starts_at),
        'notify.reminder:' || new.id::text || ':' || v_offset::text || ':' || extract(epoch from new.starts_at)::bigint::text,
        new.starts_at - make_interval(mins => v_offset),
        8);
    end loop;
  end if;
  return null;
end
$$;
create trigger bookings_notify_insert after insert on public.bookings
  for each row execute function public.bookings_notify();
create trigger bookings_notify_update after update of status, starts_at, ends_at on public.bookings
  for each row when (old.status is distinct from new.status or old.starts_at is distinct from new.starts_at
                     or old.ends_at is distinct from new.ends_at)
  execute function public.bookings_notify();

-- Erasing a booking's personal data (provider app) erases it from its messages too.
create or replace function public.bookings_erase_outbox() returns trigger
language plpgsql security definer set search_path = public
as $$
begin
  update public.outbox
     set recipient = null, subject = null, body_text = null, body_html = null, ics = null,
         status = case when status = 'queued' then 'skipped' else status end
   where booking_id = new.id and kind like 'visitor.%';
  return null;
end
$$;
create trigger bookings_erase_outbox after update of erased_at on public.bookings
  for each row when (old.erased_at is null and new.erased_at is not null)
  execute function public.bookings_erase_outbox();

-- Payments: received (provider always; the visitor only when the booking was confirmed already — otherwise the
-- confirmation that follows in the same transaction says "paid") and refunded.
create or replace function public.payments_notify() returns trigger
language plpgsql security definer set search_path = public
as $$
declare
  v_booking public.bookings;
begin
  if tg_op = 'UPDATE' and old.status is not distinct from new.status then
    return null;
  end if;
  select * into v_booking from public.bookings where id = new.booking_id;
  if not found then
    return null;
  end if;
  if new.status = 'paid' then
    perform public.outbox_add(v_booking.provider_id, v_booking.id, 'provider.payment-received', v_booking.ics_sequence,
                              public.provider_notify_email(v_booking.provider_id),
                              'provider.payment-received:' || new.id::text);
    if v_booking.status = 'confirmed' then
      perform public.outbox_add(v_booking.provider_id, v_booking.id, 'visitor.payment-received', v_booking.ics_sequence,
                                v_booking.customer_email, 'visitor.payment-received:' || new.id::text);
    end if;
  elsif new.status = 'refunded' then
    perform public.outbox_add(v_booking.provider_id, v_booking.id, 'visitor.refund-issued', v_booking.ics_sequence,
                              v_booking.customer_email, 'visitor.refund-issued:' || new.id::text);
  end if;
  return null;
end
$$;
create trigger payments_notify after insert or update of status on public.payments
  for each row execute function public.payments_notify();

-- ---------------------------------------------------------------------------------------------
-- What the send job reads and writes.
-- ---------------------------------------------------------------------------------------------

-- One message with everything needed to render it from the booking's current state (null when it is gone).
create or replace function public.get_outbox_message(p_id bigint) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'id', o.id, 'kind', o.kind, 'channel', o.channel, 'status', o.status, 'sequence', o.sequence, 'recipient', o.recipient,
    'attempts', o.attempts, 'createdAt', o.created_at, 'details', o.details,
    'providerId', p.id, 'providerName', p.display_name, 'providerTimezone', p.timezone,
    'providerSlug', p.public_slug, 'providerLang', coalesce(p.settings #>> '{notifications,lang}', 'en'),
    'providerEmail', public.provider_notify_email(p.id),
    'booking', case when b.id is null then null else public.booking_json(b) || jsonb_build_object(
         'provider', p.public_slug, 'providerName', p.display_name, 'providerTimezone', p.timezone,
         'providerPolicy', coalesce(p.settings -> 'booking', '{}'::jsonb),
         'whatsapp', p.settings -> 'whatsapp',
         'service', s.slug, 'serviceTitle', s.title, 'durationMinutes', s.duration_minutes, 'location', s.location,
         'awaitingApproval', b.awaiting_approval, 'remindersOff', b.reminders_off, 'erased', b.erased_at is not null,
         'payment', (select jsonb_build_object('status', pay.status, 'amountCents', pay.amount_cents,
                                               'currency', pay.currency, 'txnId', pay.txn_id,
                                               'refundTxnId', pay.refund_txn_id, 'refundUntil', pay.refund_until)
                       from public.payments pay where pay.booking_id = b.id order by pay.created_at desc limit 1)) end,
    'link', (select jsonb_build_object('sealed', c.sealed, 'lang', c.lang)
               from public.booking_link_copies c where c.token_hash = b.manage_token_hash))
    from public.outbox o
    join public.providers p on p.id = o.provider_id
    left join public.bookings b on b.id = o.booking_id
    left join public.services s on s.id = b.service_id
   where o.id = p_id
$$;

-- Records the outcome of one send attempt. The content is what was rendered, without the manage token.
-- A message that is sent/kept/skipped stays so: a late retry cannot reopen it.
create or replace function public.record_outbox_attempt(
  p_id bigint, p_status text, p_lang text, p_subject text, p_text text, p_html text, p_ics text, p_ics_method text,
  p_error text
) returns boolean
language plpgsql security definer set search_path = public
as $$
begin
  if p_status not in ('queued', 'sent', 'failed', 'kept', 'skipped') then
    raise exception using errcode = 'SL422', message = 'bad outbox status';
  end if;
  update public.outbox
     set status = p_status,
         lang = coalesce(p_lang, lang),
         subject = coalesce(p_subject, subject), body_text = coalesce(p_text, body_text),
         body_html = coalesce(p_html, body_html), ics = coalesce(p_ics, ics), ics_method = coalesce(p_ics_method, ics_method),
         attempts = attempts + case when p_status in ('sent', 'failed', 'queued') then 1 else 0 end,
         last_error = case when p_error is null then last_error else left(p_error, 2000) end,
         sent_at = case when p_status = 'sent' then now() else sent_at end
   where id = p_id and status in ('queued', 'failed');
  return found;
end
$$;

-- A reminder's time has come (by the server's clock): the message, if the booking is still confirmed at that start
-- and reminders are on. Returns the outbox id, or null when nothing is to be sent.
create or replace function public.add_due_reminder(p_booking_id uuid, p_offset_minutes int, p_start timestamptz)
returns bigint
language plpgsql security definer set search_path = public
as $$
declare
  v public.bookings;
begin
  select * into v from public.bookings where id = p_booking_id;
  if not found or v.status <> 'confirmed' or v.starts_at <> p_start or v.reminders_off or v.erased_at is not null then
    return null;
  end if;
  if v.customer_phone is not null then
    perform public.outbox_add(v.provider_id, v.id, 'visitor.reminder', v.ics_sequence, v.customer_phone,
                              'wa:visitor.reminder:' || v.id::text || ':' || p_offset_minutes::text || ':'
                                || extract(epoch from p_start)::bigint::text, 'whatsapp');
  end if;
  return public.outbox_add(v.provider_id, v.id, 'visitor.reminder', v.ics_sequence, v.customer_email,
                           'visitor.reminder:' || v.id::text || ':' || p_offset_minutes::text || ':'
                             || extract(epoch from p_start)::bigint::text);
end
$$;

-- Puts a claimed job back for later without counting an attempt (a reminder whose time has not come by the server's
-- clock). Only the worker holding the job may do it.
create or replace function public.defer_job(p_id bigint, p_worker text, p_run_at timestamptz) returns boolean
language plpgsql security definer set search_path = public
as $$
begin
  update public.jobs
     set status = 'queued', run_at = p_run_at, attempts = greatest(attempts - 1, 0), rerun = false,
         locked_by = null, locked_until = null
   where id = p_id and status = 'running' and locked_by = p_worker;
  return found;
end
$$;

-- The reminder opt-out behind the link in every reminder (the manage token decides whose booking it is).
create or replace function public.set_booking_reminders(p_token_hash text, p_enabled boolean) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.bookings;
begin
  update public.bookings set reminders_off = not p_enabled
   where manage_token_hash = p_token_hash
     and (manage_token_expires_at is null or manage_token_expires_at > now())
  returning * into v;
  if not found then
    return null;
  end if;
  return jsonb_build_object('id', v.id, 'reminders', not v.reminders_off);
end
$$;

-- The provider app's view of its outbox, newest first (owner-checked like the other app functions).
create or replace function public.app_list_outbox(p_user_id uuid, p_provider_id uuid, p_limit int) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
begin
  perform public.app_owned_provider(p_user_id, p_provider_id);
  return coalesce((
    select jsonb_agg(jsonb_build_object(
             'id', o.id, 'kind', o.kind, 'channel', o.channel, 'bookingId', o.booking_id, 'recipient', o.recipient, 'lang', o.lang,
             'subject', o.subject, 'text', o.body_text, 'html', o.body_html, 'icsMethod', o.ics_method,
             'status', o.status, 'attempts', o.attempts, 'lastError', o.last_error,
             'createdAt', o.created_at, 'sentAt', o.sent_at) order by o.created_at desc, o.id desc)
      from (select * from public.outbox where provider_id = p_provider_id
             order by created_at desc, id desc limit least(greatest(coalesce(p_limit, 100), 1), 500)) o), '[]'::jsonb);
end
$$;

revoke execute on function public.save_booking_link_copy(text, jsonb, text) from public, anon, authenticated;
revoke execute on function public.provider_notify_email(uuid) from public, anon, authenticated;
revoke execute on function public.outbox_add(uuid, uuid, text, int, text, text, text) from public, anon, authenticated;
revoke execute on function public.reminder_offsets(uuid, uuid) from public, anon, authenticated;
revoke execute on function public.bookings_notify() from public, anon, authenticated;
revoke execute on function public.bookings_erase_outbox() from public, anon, authenticated;
revoke execute on function public.payments_notify() from public, anon, authenticated;
revoke execute on function public.get_outbox_message(bigint) from public, anon, authenticated;
revoke execute on function public.record_outbox_attempt(bigint, text, text, text, text, text, text, text, text) from public, anon, authenticated;
revoke execute on function public.add_due_reminder(uuid, int, timestamptz) from public, anon, authenticated;
revoke execute on function public.defer_job(bigint, text, timestamptz) from public, anon, authenticated;
revoke execute on function public.set_booking_reminders(text, boolean) from public, anon, authenticated;
revoke execute on function public.app_list_outbox(uuid, uuid, int) from public, anon, authenticated;

grant execute on function public.save_booking_link_copy(text, jsonb, text) to service_role;
grant execute on function public.get_outbox_message(bigint) to service_role;
grant execute on function public.record_outbox_attempt(bigint, text, text, text, text, text, text, text, text) to service_role;
grant execute on function public.add_due_reminder(uuid, int, timestamptz) to service_role;
grant execute on function public.defer_job(bigint, text, timestamptz) to service_role;
grant execute on function public.set_booking_reminders(text, boolean) to service_role;
grant execute on function public.app_list_outbox(uuid, uuid, int) to service_role;

-- The provider's agenda for one local day (their zone): confirmed bookings and requests awaiting approval, with what
-- the server needs for a one-tap WhatsApp reminder — including the sealed manage-link copy, which the server opens
-- and never returns as such (it goes into the pre-filled message the provider sends to their own client).
create or replace function public.get_agenda(p_provider_id uuid, p_date date) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v public.providers;
  v_from timestamptz;
  v_to timestamptz;
begin
  select * into v from public.providers where id = p_provider_id;
  if not found then
    raise exception using errcode = 'SL404', message = 'provider_not_found';
  end if;
  v_from := p_date::timestamp at time zone v.timezone;
  v_to := (p_date + 1)::timestamp at time zone v.timezone;
  return jsonb_build_object(
    'date', p_date, 'timezone', v.timezone, 'providerName', v.display_name,
    'lang', coalesce(v.settings #>> '{notifications,lang}', 'en'),
    'bookings', coalesce((
      select jsonb_agg(public.booking_json(b) || jsonb_build_object(
               'serviceTitle', s.title, 'location', s.location, 'awaitingApproval', b.awaiting_approval,
               'link', (select jsonb_build_object('sealed', c.sealed, 'lang', c.lang)
                          from public.booking_link_copies c where c.token_hash = b.manage_token_hash))
             order by b.starts_at)
        from public.bookings b join public.services s on s.id = b.service_id
       where b.provider_id = v.id and b.starts_at >= v_from and b.starts_at < v_to
         and (b.status = 'confirmed' or (b.status = 'pending' and b.awaiting_approval))
         and b.erased_at is null), '[]'::jsonb));
end
$$;

create or replace function public.app_get_agenda(p_user_id uuid, p_provider_id uuid, p_date date) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
begin
  perform public.app_owned_provider(p_user_id, p_provider_id);
  return public.get_agenda(p_provider_id, p_date);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The daily agenda email, at the provider's chosen local hour (`settings.notifications.agendaHour`, 0–23): one
-- `notify.agenda` job per provider and local day (dedupe key), run_at = that hour on that day in the provider's zone
-- (PostgreSQL's zone rules, so DST is right). Each run adds the day's message (tomorrow's clients) and schedules the
-- next day. Setting or changing the hour schedules the next one; removing it makes the queued one do nothing.
-- ---------------------------------------------------------------------------------------------

create or replace function public.agenda_hour(p_settings jsonb) returns int
language sql immutable
as $$
  select case when jsonb_typeof(p_settings #> '{notifications,agendaHour}') = 'number'
               and (p_settings #>> '{notifications,agendaHour}') ~ '^[0-9]{1,2}$'
               and (p_settings #>> '{notifications,agendaHour}')::int between 0 and 23
              then (p_settings #>> '{notifications,agendaHour}')::int end
$$;

-- Schedules the agenda of local day p_date (or of the first day from it whose hour is still ahead by the database's
-- clock when p_date is null). Returns the job's {id, merged}, or null when the provider has no agenda hour.
create or replace function public.schedule_agenda(p_provider_id uuid, p_date date) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers;
  v_hour int;
  v_date date;
  v_at timestamptz;
begin
  select * into v from public.providers where id = p_provider_id;
  v_hour := public.agenda_hour(v.settings);
  if v_hour is null then
    return null;
  end if;
  v_date := coalesce(p_date, (now() at time zone v.timezone)::date);
  v_at := (v_date + make_interval(hours => v_hour)) at time zone v.timezone;
  if p_date is null and v_at <= now() then
    v_date := v_date + 1;
    v_at := (v_date + make_interval(hours => v_hour)) at time zone v.timezone;
  end if;
  return public.enqueue_job('notify.agenda', jsonb_build_object('providerId', v.id, 'date', v_date, 'at', v_at),
                            'notify.agenda:' || v.id::text || ':' || v_date::text, v_at, 5);
end
$$;

create or replace function public.providers_schedule_agenda() returns trigger
language plpgsql security definer set search_path = public
as $$
begin
  if public.agenda_hour(new.settings) is not null
     and (tg_op = 'INSERT' or public.agenda_hour(old.settings) is distinct from public.agenda_hour(new.settings)
          or old.timezone is distinct from new.timezone) then
    perform public.schedule_agenda(new.id, null);
  end if;
  return null;
end
$$;
create trigger providers_schedule_agenda after insert or update of settings, timezone on public.providers
  for each row execute function public.providers_schedule_agenda();

-- An agenda job's time has come: the message about the next day (when the hour is still the one it was scheduled
-- for and there is anyone to tell), and the next day's job. Returns the outbox id or null.
create or replace function public.agenda_due(p_provider_id uuid, p_date date, p_at timestamptz, p_send boolean)
returns bigint
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers;
  v_hour int;
  v_id bigint;
begin
  select * into v from public.providers where id = p_provider_id;
  v_hour := public.agenda_hour(v.settings);
  if v_hour is null or (p_date + make_interval(hours => v_hour)) at time zone v.timezone <> p_at then
    return null; -- turned off, or moved to another hour (which has its own job)
  end if;
  perform public.schedule_agenda(v.id, p_date + 1);
  if not p_send or jsonb_array_length(public.get_agenda(v.id, p_date + 1) -> 'bookings') = 0 then
    return null;
  end if;
  insert into public.outbox (provider_id, kind, recipient, dedupe_key, details)
  select v.id, 'provider.agenda', public.provider_notify_email(v.id),
         'provider.agenda:' || v.id::text || ':' || (p_date + 1)::text, jsonb_build_object('date', p_date + 1)
   where public.provider_notify_email(v.id) is not null
  on conflict (dedupe_key) do nothing
  returning id into v_id;
  if v_id is not null then
    perform public.enqueue_job('notify.email', jsonb_build_object('outboxId', v_id), 'notify.email:' || v_id::text, null, 8);
  end if;
  return v_id;
end
$$;

-- Providers that already chose an hour.
select public.schedule_agenda(id, null) from public.providers where public.agenda_hour(settings) is not null;

revoke execute on function public.get_agenda(uuid, date) from public, anon, authenticated;
revoke execute on function public.app_get_agenda(uuid, uuid, date) from public, anon, authenticated;
revoke execute on function public.agenda_hour(jsonb) from public, anon, authenticated;
revoke execute on function public.schedule_agenda(uuid, date) from public, anon, authenticated;
revoke execute on function public.providers_schedule_agenda() from public, anon, authenticated;
revoke execute on function public.agenda_due(uuid, date, timestamptz, boolean) from public, anon, authenticated;
grant execute on function public.get_agenda(uuid, date) to service_role;
grant execute on function public.app_get_agenda(uuid, uuid, date) to service_role;
grant execute on function public.agenda_due(uuid, date, timestamptz, boolean) to service_role;
