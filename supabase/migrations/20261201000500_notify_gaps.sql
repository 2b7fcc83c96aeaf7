-- Notifications, the rest of issue 13 (beside 20261130000700_notifications.sql):
--   1. a provider email when a calendar source has been failing for more than an hour (once per failing episode);
--   2. a ready-to-forward "freed time" message when a booking is cancelled before its start;
--   3. the owner functions for a service's own reminder offsets (the column and its reader came with the
--      notifications migration: services.reminder_minutes, public.reminder_offsets).

-- ---------------------------------------------------------------------------------------------
-- 1. A calendar source failing for more than an hour.
--
-- When a source starts failing (failing_since goes from null to a time, in record_calendar_failure's transaction) a
-- `notify.calendar-failing` job is queued for failing_since + 1 hour, its dedupe key holding the source and
-- failing_since: one job per failing episode. When it runs (by the server's clock, which tests inject) it asks
-- `calendar_failing_due`, which adds the provider's email only if the source is still failing since that same time
-- — a source that recovered, or failed again later (a new episode with its own job), sends nothing.
-- ---------------------------------------------------------------------------------------------

create or replace function public.calendar_sync_state_watch() returns trigger
language plpgsql security definer set search_path = public
as $$
begin
  if new.failing_since is not null and (tg_op = 'INSERT' or old.failing_since is distinct from new.failing_since) then
    perform public.enqueue_job(
      'notify.calendar-failing',
      jsonb_build_object('providerId', new.provider_id, 'source', new.source, 'failingSince', new.failing_since),
      'notify.calendar-failing:' || new.provider_id::text || ':' || new.source || ':' || extract(epoch from new.failing_since)::text,
      new.failing_since + interval '1 hour',
      5);
  end if;
  return null;
end
$$;
create trigger calendar_sync_state_watch after insert or update of failing_since on public.calendar_sync_state
  for each row execute function public.calendar_sync_state_watch();

-- The hour has passed: the provider's email about the source (when it is still failing since p_failing_since and
-- provider mail is on). Returns the outbox id, or null when nothing is to be sent.
create or replace function public.calendar_failing_due(p_provider_id uuid, p_source text, p_failing_since timestamptz)
returns bigint
language plpgsql security definer set search_path = public
as $$
declare
  v public.calendar_sync_state;
  v_to text := public.provider_notify_email(p_provider_id);
  v_id bigint;
begin
  select * into v from public.calendar_sync_state where provider_id = p_provider_id and source = p_source;
  if not found or v.failing_since is distinct from p_failing_since or v_to is null then
    return null;
  end if;
  insert into public.outbox (provider_id, kind, recipient, dedupe_key, details)
  select p_provider_id, 'provider.calendar-failing', v_to,
         'provider.calendar-failing:' || p_provider_id::text || ':' || p_source || ':' || extract(epoch from p_failing_since)::text,
         jsonb_build_object('source', p_source, 'failingSince', v.failing_since, 'lastError', v.last_error,
                            'kind', public.calendar_kind(i.integration_type), 'label', i.label,
                            'account', coalesce(i.external_email, i.external_username))
    from (select 1) one
    left join public.integrations i on i.id::text = split_part(p_source, ':', 2)
  on conflict (dedupe_key) do nothing
  returning id into v_id;
  if v_id is not null then
    perform public.enqueue_job('notify.email', jsonb_build_object('outboxId', v_id), 'notify.email:' || v_id::text, null, 8);
  end if;
  return v_id;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- 2. Freed time. A booking (confirmed, or a request awaiting approval) cancelled while its start is still ahead
-- by the database's clock: a `provider.freed-time` message in the outbox, in the cancellation's transaction. It is
-- never emailed — the send job renders the ready-to-forward offer (with the booking page's link on exactly that
-- time) and keeps it, so the provider app shows it with a one-tap WhatsApp share. The provider's cancellation email
-- carries the same offer. Whoever books first gets the time: bookings_no_overlap decides, not this message.
-- ---------------------------------------------------------------------------------------------

create or replace function public.bookings_freed_time() returns trigger
language plpgsql security definer set search_path = public
as $$
declare
  v_id bigint;
begin
  if new.status = 'cancelled' and (old.status = 'confirmed' or (old.status = 'pending' and old.awaiting_approval))
     and new.starts_at > now() then
    insert into public.outbox (provider_id, booking_id, kind, sequence, dedupe_key, details)
    values (new.provider_id, new.id, 'provider.freed-time', new.ics_sequence,
            'provider.freed-time:' || new.id::text || ':' || new.ics_sequence::text,
            jsonb_build_object('start', new.starts_at))
    on conflict (dedupe_key) do nothing
    returning id into v_id;
    if v_id is not null then
      perform public.enqueue_job('notify.email', jsonb_build_object('outboxId', v_id), 'notify.email:' || v_id::text, null, 8);
    end if;
  end if;
  return null;
end
$$;
create trigger bookings_freed_time after update of status on public.bookings
  for each row when (old.status is distinct from new.status and new.status = 'cancelled')
  execute function public.bookings_freed_time();

-- ---------------------------------------------------------------------------------------------
-- 3. A service's own reminder offsets (minutes before the start): null uses the provider's
-- `settings.notifications.reminders`, [] sends none. Same rules as the provider's list: whole minutes from 1 to
-- 43200 (30 days), at most 5, no repeats (the server checks them first and names the field; this is the guard).
-- Bookings made from now on follow the new list; queued reminders of existing bookings stay as they were.
-- ---------------------------------------------------------------------------------------------

create or replace function public.app_service_reminders(p_user_id uuid, p_provider_id uuid, p_service_id uuid) returns jsonb
language plpgsql stable security definer set search_path = public
as $$
declare
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v public.services;
begin
  select * into v from public.services where id = p_service_id and provider_id = v_provider.id;
  if not found then
    raise exception using errcode = 'SL404', message = 'service_not_found';
  end if;
  return jsonb_build_object(
    'serviceId', v.id, 'reminders', v.reminder_minutes,
    'providerReminders', coalesce(
      case when jsonb_typeof(v_provider.settings #> '{notifications,reminders}') = 'array'
           then v_provider.settings #> '{notifications,reminders}' end,
      '[1440, 120]'::jsonb));
end
$$;

create or replace function public.app_set_service_reminders(p_user_id uuid, p_provider_id uuid, p_service_id uuid, p_reminders jsonb)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_list jsonb := case when p_reminders is null or jsonb_typeof(p_reminders) = 'null' then null else p_reminders end;
begin
  if v_list is not null and (
       jsonb_typeof(v_list) <> 'array' or jsonb_array_length(v_list) > 5
       or exists (select 1 from jsonb_array_elements(v_list) e
                   where jsonb_typeof(e) <> 'number' or (e #>> '{}') !~ '^[0-9]+$'
                      or (e #>> '{}')::numeric not between 1 and 43200)
       or (select count(distinct e #>> '{}') from jsonb_array_elements(v_list) e) <> jsonb_array_length(v_list)) then
    raise exception using errcode = 'SL422', message = 'reminders must be up to 5 different whole minutes from 1 to 43200';
  end if;
  update public.services set reminder_minutes = v_list where id = p_service_id and provider_id = v_provider.id;
  if not found then
    raise exception using errcode = 'SL404', message = 'service_not_found';
  end if;
  return public.app_service_reminders(p_user_id, p_provider_id, p_service_id);
end
$$;

revoke execute on function public.calendar_sync_state_watch() from public, anon, authenticated;
revoke execute on function public.calendar_failing_due(uuid, text, timestamptz) from public, anon, authenticated;
revoke execute on function public.bookings_freed_time() from public, anon, authenticated;
revoke execute on function public.app_service_reminders(uuid, uuid, uuid) from public, anon, authenticated;
revoke execute on function public.app_set_service_reminders(uuid, uuid, uuid, jsonb) from public, anon, authenticated;
grant execute on function public.calendar_failing_due(uuid, text, timestamptz) to service_role;
grant execute on function public.app_service_reminders(uuid, uuid, uuid) to service_role;
grant execute on function public.app_set_service_reminders(uuid, uuid, uuid, jsonb) to service_role;
