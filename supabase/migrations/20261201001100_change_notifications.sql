-- Issue 16 (every instance fresh): each server process keeps recent public answers (a month of slots) in memory
-- (server/slots/cache.ts). A write through one process cleared only that process's copy; another process, a job,
-- the hold sweep or a calendar refresh left every other copy stale until its TTL (SLOTS_CACHE_MS, 5 s).
-- Now every change to what a visitor sees of a provider — its bookings, external busy time and calendar state, its
-- settings (hours, time off, policy), services and calendar connections — sends NOTIFY on `slotline_changes` with
-- the provider's id as payload, in the same transaction as the change: listeners hear it only once it committed,
-- and never for a rolled-back change. Servers on PostgreSQL (and PGlite) LISTEN and clear their cache
-- (server/db/postgres.ts, server/app.ts). PostgreSQL drops identical payloads within one transaction, and the
-- triggers are per statement (transition tables), so a statement touching many rows sends one notice per provider.
-- PostgREST (Supabase mode) cannot LISTEN: there the TTL stays the bound.

-- One notice per distinct provider id (nulls skipped).
create or replace function public.notify_providers_changed(p_provider_ids uuid[]) returns void
language plpgsql set search_path = public
as $$
begin
  perform pg_notify('slotline_changes', ids.id::text)
     from (select distinct unnest(p_provider_ids) as id) ids
    where ids.id is not null;
end
$$;

-- Bookings: any insert or delete; an update only when it moves, frees or takes time (status, times, hold, approval,
-- provider or service) — not for reminders, ICS sequence numbers or payment bookkeeping.
create or replace function public.bookings_notify_changes() returns trigger
language plpgsql set search_path = public
as $$
begin
  if tg_op = 'INSERT' then
    perform public.notify_providers_changed(array(select provider_id from new_rows));
  elsif tg_op = 'DELETE' then
    perform public.notify_providers_changed(array(select provider_id from old_rows));
  else
    perform public.notify_providers_changed(array(
      select unnest(array[o.provider_id, n.provider_id])
        from old_rows o join new_rows n on n.id = o.id
       where (o.provider_id, o.service_id, o.status, o.starts_at, o.ends_at, o.occupied, o.hold_expires_at,
              o.awaiting_approval)
             is distinct from
             (n.provider_id, n.service_id, n.status, n.starts_at, n.ends_at, n.occupied, n.hold_expires_at,
              n.awaiting_approval)));
  end if;
  return null;
end
$$;

-- Rows that name their provider in `provider_id` (external_busy, calendar_sync_state, services): any change.
create or replace function public.notify_changes_by_provider_id() returns trigger
language plpgsql set search_path = public
as $$
begin
  if tg_op = 'INSERT' then
    perform public.notify_providers_changed(array(select provider_id from new_rows));
  elsif tg_op = 'DELETE' then
    perform public.notify_providers_changed(array(select provider_id from old_rows));
  else
    perform public.notify_providers_changed(array(
      select provider_id from old_rows union select provider_id from new_rows));
  end if;
  return null;
end
$$;

-- The providers table itself (slug, name, zone, settings with hours, time off and policy, public or not).
create or replace function public.providers_notify_changes() returns trigger
language plpgsql set search_path = public
as $$
begin
  if tg_op = 'INSERT' then
    perform public.notify_providers_changed(array(select id from new_rows));
  elsif tg_op = 'DELETE' then
    perform public.notify_providers_changed(array(select id from old_rows));
  else
    perform public.notify_providers_changed(array(select id from old_rows union select id from new_rows));
  end if;
  return null;
end
$$;

-- Calendar connections (integrations, integration_secrets) belong to a user: every provider that user owns.
create or replace function public.notify_changes_by_owner() returns trigger
language plpgsql set search_path = public
as $$
begin
  if tg_op = 'INSERT' then
    perform public.notify_providers_changed(array(
      select p.id from public.providers p where p.owner_user_id in (select user_id from new_rows)));
  elsif tg_op = 'DELETE' then
    perform public.notify_providers_changed(array(
      select p.id from public.providers p where p.owner_user_id in (select user_id from old_rows)));
  else
    perform public.notify_providers_changed(array(
      select p.id from public.providers p
       where p.owner_user_id in (select user_id from old_rows union select user_id from new_rows)));
  end if;
  return null;
end
$$;

-- Transition tables allow one event per trigger: three statement triggers per table.
create trigger bookings_changed_insert after insert on public.bookings
  referencing new table as new_rows for each statement execute function public.bookings_notify_changes();
create trigger bookings_changed_update after update on public.bookings
  referencing old table as old_rows new table as new_rows for each statement execute function public.bookings_notify_changes();
create trigger bookings_changed_delete after delete on public.bookings
  referencing old table as old_rows for each statement execute function public.bookings_notify_changes();

create trigger external_busy_changed_insert after insert on public.external_busy
  referencing new table as new_rows for each statement execute function public.notify_changes_by_provider_id();
create trigger external_busy_changed_update after update on public.external_busy
  referencing old table as old_rows new table as new_rows for each statement execute function public.notify_changes_by_provider_id();
create trigger external_busy_changed_delete after delete on public.external_busy
  referencing old table as old_rows for each statement execute function public.notify_changes_by_provider_id();

create trigger calendar_sync_state_changed_insert after insert on public.calendar_sync_state
  referencing new table as new_rows for each statement execute function public.notify_changes_by_provider_id();
create trigger calendar_sync_state_changed_update after update on public.calendar_sync_state
  referencing old table as old_rows new table as new_rows for each statement execute function public.notify_changes_by_provider_id();
create trigger calendar_sync_state_changed_delete after delete on public.calendar_sync_state
  referencing old table as old_rows for each statement execute function public.notify_changes_by_provider_id();

create trigger services_changed_insert after insert on public.services
  referencing new table as new_rows for each statement execute function public.notify_changes_by_provider_id();
create trigger services_changed_update after update on public.services
  referencing old table as old_rows new table as new_rows for each statement execute function public.notify_changes_by_provider_id();
create trigger services_changed_delete after delete on public.services
  referencing old table as old_rows for each statement execute function public.notify_changes_by_provider_id();

create trigger providers_changed_insert after insert on public.providers
  referencing new table as new_rows for each statement execute function public.providers_notify_changes();
create trigger providers_changed_update after update on public.providers
  referencing old table as old_rows new table as new_rows for each statement execute function public.providers_notify_changes();
create trigger providers_changed_delete after delete on public.providers
  referencing old table as old_rows for each statement execute function public.providers_notify_changes();

create trigger integrations_changed_insert after insert on public.integrations
  referencing new table as new_rows for each statement execute function public.notify_changes_by_owner();
create trigger integrations_changed_update after update on public.integrations
  referencing old table as old_rows new table as new_rows for each statement execute function public.notify_changes_by_owner();
create trigger integrations_changed_delete after delete on public.integrations
  referencing old table as old_rows for each statement execute function public.notify_changes_by_owner();

create trigger integration_secrets_changed_insert after insert on public.integration_secrets
  referencing new table as new_rows for each statement execute function public.notify_changes_by_owner();
create trigger integration_secrets_changed_update after update on public.integration_secrets
  referencing old table as old_rows new table as new_rows for each statement execute function public.notify_changes_by_owner();
create trigger integration_secrets_changed_delete after delete on public.integration_secrets
  referencing old table as old_rows for each statement execute function public.notify_changes_by_owner();

-- Trigger functions are not API: nobody calls them (the default privileges of 20261130000900_privileges.sql already
-- keep them from anon and authenticated; said here too, as those migrations do for their own helpers).
revoke execute on function public.notify_providers_changed(uuid[]) from public, anon, authenticated;
