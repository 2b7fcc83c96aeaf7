-- Microsoft 365 / Outlook.com calendars (Microsoft Graph), a fourth calendar kind beside caldav, google and ics.
-- Three earlier definitions only knew the first three kinds, so they are redefined here with 'microsoft' added and
-- nothing else changed: the kind mapping, the write-back trigger's kinds, and which settings key holds a kind's
-- write-back calendar. One new function stores a refreshed OAuth grant: Microsoft rotates refresh tokens.

-- The kinds an integration_type maps to ('icloud' from the seeds is CalDAV).
create or replace function public.calendar_kind(p_type text) returns text
language sql immutable
as $$
  select case lower(p_type) when 'icloud' then 'caldav' when 'caldav' then 'caldav'
                            when 'google' then 'google' when 'ics' then 'ics'
                            when 'microsoft' then 'microsoft' else null end
$$;

-- A booking change enqueues write-back when the provider has a calendar that can take events.
create or replace function public.bookings_enqueue_write_back() returns trigger
language plpgsql security definer set search_path = public
as $$
begin
  if exists (select 1 from public.integrations i join public.providers p on p.owner_user_id = i.user_id
              where p.id = new.provider_id and i.status = 'active'
                and public.calendar_kind(i.integration_type) in ('caldav', 'google', 'microsoft')) then
    perform public.enqueue_job('calendar.write-back', jsonb_build_object('bookingId', new.id),
                               'calendar.write-back:' || new.id::text, null, 8);
  end if;
  return null;
end
$$;

-- Sets which calendars of one account count as busy (p_selected_calendar_ids, replacing that account's ids in the
-- shared list: p_account_calendar_ids are all of its calendars) and, when given, the one new bookings are written to
-- (settings.calendar.writeCalendarId for CalDAV, writeGoogleCalendarId for Google, writeMicrosoftCalendarId for
-- Microsoft, as write-back reads them).
create or replace function public.app_set_calendar_choice(
  p_user_id uuid, p_provider_id uuid, p_kind text, p_selected_calendar_ids jsonb, p_account_calendar_ids jsonb, p_write_calendar_id text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_calendar jsonb := case when jsonb_typeof(v.settings -> 'calendar') = 'object' then v.settings -> 'calendar' else '{}'::jsonb end;
begin
  v_calendar := jsonb_set(v_calendar, '{selectedCalendarIds}', coalesce((
    select jsonb_agg(id) from (
      select e.id from jsonb_array_elements(
        case when jsonb_typeof(v_calendar -> 'selectedCalendarIds') = 'array' then v_calendar -> 'selectedCalendarIds' else '[]'::jsonb end) e(id)
       where not (coalesce(p_account_calendar_ids, '[]'::jsonb) @> jsonb_build_array(e.id))
      union all
      select n.id from jsonb_array_elements(coalesce(p_selected_calendar_ids, '[]'::jsonb)) n(id)
    ) ids), '[]'::jsonb));
  if p_write_calendar_id is not null then
    v_calendar := v_calendar || jsonb_build_object(
      case lower(p_kind) when 'google' then 'writeGoogleCalendarId' when 'microsoft' then 'writeMicrosoftCalendarId'
                         else 'writeCalendarId' end, p_write_calendar_id);
  end if;
  update public.providers set settings = settings || jsonb_build_object('calendar', v_calendar) where id = v.id;
  return v_calendar;
end
$$;

-- Replaces the stored (encrypted) secret of one source of a provider, e.g. the new refresh token Microsoft returned
-- with a refresh; leaves its busy cache and sync state alone (unlike connect_calendar). Returns whether it was stored.
create or replace function public.save_calendar_secret(p_provider_id uuid, p_source text, p_secret jsonb) returns boolean
language plpgsql security definer set search_path = public
as $$
declare
  v_count int;
begin
  if p_secret is null or not (p_secret ?& array['ciphertext', 'iv', 'tag']) then
    raise exception using errcode = '22023', message = 'secret must be encrypted {ciphertext, iv, tag}';
  end if;
  update public.integration_secrets s set secret = p_secret
    from public.integrations i join public.providers p on p.owner_user_id = i.user_id
   where s.integration_id = i.id and p.id = p_provider_id
     and public.calendar_kind(i.integration_type) || ':' || i.id::text = p_source;
  get diagnostics v_count = row_count;
  return v_count > 0;
end
$$;

revoke execute on function public.save_calendar_secret(uuid, text, jsonb) from public, anon, authenticated;
