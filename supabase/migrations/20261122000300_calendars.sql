-- Calendar busy sources: sync state per provider and source, and the service-role functions that read the busy
-- cache (public.external_busy) with its state, store a refresh, record a failure, and connect / disconnect
-- integrations. A source is named `<kind>:<integration id>` with kind caldav | google | ics.
-- Secrets stay AES-256-GCM {ciphertext, iv, tag}; only the server (service role) ever reads them.

create table public.calendar_sync_state (
  provider_id uuid not null references public.providers (id) on delete cascade,
  source text not null,
  covered_from timestamptz,
  covered_to timestamptz,
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  failing_since timestamptz,
  -- Conditional-request validators and the last body of an ICS feed (reused on 304 Not Modified).
  etag text,
  last_modified text,
  body text,
  updated_at timestamptz not null default now(),
  primary key (provider_id, source)
);
create trigger calendar_sync_state_touch before update on public.calendar_sync_state
  for each row execute function public.touch_updated_at();

alter table public.calendar_sync_state enable row level security;
-- The owner may see how their calendars sync (not the cached feed body, which is served by no function).
create policy calendar_sync_state_owner_select on public.calendar_sync_state for select to authenticated
  using (public.owns_provider(provider_id));
revoke all on public.calendar_sync_state from anon, authenticated;
grant select (provider_id, source, covered_from, covered_to, last_attempt_at, last_success_at, last_error,
              last_error_at, failing_since, updated_at) on public.calendar_sync_state to authenticated;
grant all on public.calendar_sync_state to service_role;

create index external_busy_provider_source_idx on public.external_busy (provider_id, source);

-- The kinds an integration_type maps to ('icloud' from the seeds is CalDAV).
create or replace function public.calendar_kind(p_type text) returns text
language sql immutable
as $$
  select case lower(p_type) when 'icloud' then 'caldav' when 'caldav' then 'caldav'
                            when 'google' then 'google' when 'ics' then 'ics' else null end
$$;

-- Everything the slots path needs in one call: provider zone, calendar settings, and per active source its sync
-- state and cached busy intervals overlapping [p_from, p_to). Null for an unknown provider. No secrets.
create or replace function public.get_calendar_cache(p_provider_id uuid, p_from timestamptz, p_to timestamptz)
returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'timezone', p.timezone,
    'calendar', coalesce(p.settings -> 'calendar', '{}'::jsonb),
    'sources', coalesce((
      select jsonb_agg(jsonb_build_object(
        'source', src.source,
        'integrationId', i.id,
        'kind', public.calendar_kind(i.integration_type),
        'label', i.label,
        'coveredFrom', st.covered_from,
        'coveredTo', st.covered_to,
        'lastAttemptAt', st.last_attempt_at,
        'lastSuccessAt', st.last_success_at,
        'lastError', st.last_error,
        'failingSince', st.failing_since,
        'busy', coalesce((
          select jsonb_agg(jsonb_build_object('start', b.starts_at, 'end', b.ends_at) order by b.starts_at, b.ends_at)
            from public.external_busy b
           where b.provider_id = p.id and b.source = src.source and b.starts_at < p_to and b.ends_at > p_from
        ), '[]'::jsonb)
      ) order by src.source)
        from public.integrations i
        join public.integration_secrets s on s.integration_id = i.id
        cross join lateral (select public.calendar_kind(i.integration_type) || ':' || i.id::text as source) src
        left join public.calendar_sync_state st on st.provider_id = p.id and st.source = src.source
       where i.user_id = p.owner_user_id and i.status = 'active' and public.calendar_kind(i.integration_type) is not null
    ), '[]'::jsonb))
  from public.providers p
  where p.id = p_provider_id
$$;

-- What a refresh needs: per active source its encrypted secret, addresses and ICS validators.
create or replace function public.get_calendar_refresh_input(p_provider_id uuid) returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object(
    'timezone', p.timezone,
    'calendar', coalesce(p.settings -> 'calendar', '{}'::jsonb),
    'sources', coalesce((
      select jsonb_agg(jsonb_build_object(
        'source', public.calendar_kind(i.integration_type) || ':' || i.id::text,
        'integrationId', i.id,
        'kind', public.calendar_kind(i.integration_type),
        'externalUsername', i.external_username,
        'externalEmail', i.external_email,
        'secret', s.secret,
        'lastSuccessAt', st.last_success_at,
        'coveredFrom', st.covered_from,
        'coveredTo', st.covered_to,
        'etag', st.etag,
        'lastModified', st.last_modified,
        'body', st.body
      ) order by i.id)
        from public.integrations i
        join public.integration_secrets s on s.integration_id = i.id
        left join public.calendar_sync_state st
          on st.provider_id = p.id and st.source = public.calendar_kind(i.integration_type) || ':' || i.id::text
       where i.user_id = p.owner_user_id and i.status = 'active' and public.calendar_kind(i.integration_type) is not null
    ), '[]'::jsonb))
  from public.providers p
  where p.id = p_provider_id
$$;

-- Takes the right to refresh one source now: true unless another attempt started less than p_min_interval_seconds
-- ago (a refresh in flight on any server, or a recent failure: the retry back-off).
create or replace function public.claim_calendar_refresh(p_provider_id uuid, p_source text, p_min_interval_seconds int)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_claimed boolean;
begin
  insert into public.calendar_sync_state as st (provider_id, source, last_attempt_at)
  values (p_provider_id, p_source, now())
  on conflict (provider_id, source) do update set last_attempt_at = now()
   where st.last_attempt_at is null
      or st.last_attempt_at <= now() - make_interval(secs => greatest(p_min_interval_seconds, 0))
  returning true into v_claimed;
  return to_jsonb(coalesce(v_claimed, false));
end
$$;

-- Stores a successful refresh: the source's busy rows are replaced by p_busy ([{start, end}]) covering
-- [p_from, p_to). Returns {count, recovered} (recovered: it was failing before).
create or replace function public.save_calendar_busy(
  p_provider_id uuid, p_source text, p_from timestamptz, p_to timestamptz, p_busy jsonb,
  p_etag text, p_last_modified text, p_body text
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_count int;
  v_was_failing boolean;
begin
  select failing_since is not null into v_was_failing
    from public.calendar_sync_state where provider_id = p_provider_id and source = p_source for update;

  delete from public.external_busy where provider_id = p_provider_id and source = p_source;
  insert into public.external_busy (provider_id, source, starts_at, ends_at)
  select p_provider_id, p_source, (b ->> 'start')::timestamptz, (b ->> 'end')::timestamptz
    from jsonb_array_elements(coalesce(p_busy, '[]'::jsonb)) b
   where (b ->> 'end')::timestamptz > (b ->> 'start')::timestamptz;
  get diagnostics v_count = row_count;

  insert into public.calendar_sync_state as st (provider_id, source, covered_from, covered_to, last_attempt_at,
    last_success_at, last_error, last_error_at, failing_since, etag, last_modified, body)
  values (p_provider_id, p_source, p_from, p_to, now(), now(), null, null, null, p_etag, p_last_modified, p_body)
  on conflict (provider_id, source) do update set
    covered_from = excluded.covered_from, covered_to = excluded.covered_to, last_success_at = now(),
    last_error = null, last_error_at = null, failing_since = null,
    etag = excluded.etag, last_modified = excluded.last_modified, body = excluded.body;

  return jsonb_build_object('count', v_count, 'recovered', coalesce(v_was_failing, false));
end
$$;

-- Records a failed refresh (reason must be credential-free). p_clear drops the source's cached busy rows (its
-- data outlived maxStaleMinutes and the provider chose onError "ignore"). Returns {first}: true when the source was
-- not failing before or failed for another reason, which is when the server logs it.
create or replace function public.record_calendar_failure(p_provider_id uuid, p_source text, p_reason text, p_clear boolean)
returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_prev public.calendar_sync_state;
begin
  select * into v_prev from public.calendar_sync_state
   where provider_id = p_provider_id and source = p_source for update;

  insert into public.calendar_sync_state as st (provider_id, source, last_attempt_at, last_error, last_error_at, failing_since)
  values (p_provider_id, p_source, now(), left(p_reason, 500), now(), now())
  on conflict (provider_id, source) do update set
    last_error = left(p_reason, 500), last_error_at = now(), failing_since = coalesce(st.failing_since, now());

  if p_clear then
    delete from public.external_busy where provider_id = p_provider_id and source = p_source;
    update public.calendar_sync_state set covered_from = null, covered_to = null
     where provider_id = p_provider_id and source = p_source;
  end if;

  return jsonb_build_object('first', v_prev.failing_since is null or v_prev.last_error is distinct from left(p_reason, 500));
end
$$;

-- Any one stored secret, so start-up can prove SECRETS_KEY decrypts it. Null when there are none.
create or replace function public.get_any_integration_secret() returns jsonb
language sql stable security definer set search_path = public
as $$
  select jsonb_build_object('integrationId', integration_id, 'secret', secret)
    from public.integration_secrets order by created_at limit 1
$$;

-- Connects (or reconnects) a calendar for the provider with this slug: one integration per kind, its encrypted
-- secret, and optionally the calendar selection. settings.calendar.selectedCalendarIds is shared by all accounts,
-- so the ids in p_account_calendar_ids (every calendar of this account) are removed from it and
-- p_selected_calendar_ids appended; null p_selected_calendar_ids keeps the selection as it is.
-- Clears that source's cache and sync state so the next read fetches afresh. Returns {providerId, integrationId, source}.
create or replace function public.connect_calendar(
  p_provider_slug text, p_kind text, p_label text, p_external_username text, p_external_email text,
  p_secret jsonb, p_selected_calendar_ids jsonb, p_account_calendar_ids jsonb default null
) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers;
  v_integration uuid;
  v_source text;
begin
  if public.calendar_kind(p_kind) is null or lower(p_kind) = 'icloud' then
    raise exception using errcode = '22023', message = 'unknown calendar kind';
  end if;
  if p_secret is null or not (p_secret ?& array['ciphertext', 'iv', 'tag']) then
    raise exception using errcode = '22023', message = 'secret must be encrypted {ciphertext, iv, tag}';
  end if;
  select * into v_provider from public.providers where public_slug = p_provider_slug;
  if not found then
    raise exception using errcode = 'SL404', message = 'provider not found';
  end if;

  -- An iCloud row from the seeds is the same CalDAV slot.
  select id into v_integration from public.integrations
   where user_id = v_provider.owner_user_id and public.calendar_kind(integration_type) = lower(p_kind)
   order by created_at limit 1;
  if v_integration is null then
    insert into public.integrations (user_id, integration_type, label, status, external_username, external_email)
    values (v_provider.owner_user_id, lower(p_kind), p_label, 'active', p_external_username, p_external_email)
    returning id into v_integration;
  else
    update public.integrations
       set label = p_label, status = 'active', external_username = p_external_username, external_email = p_external_email
     where id = v_integration;
  end if;

  insert into public.integration_secrets (integration_id, user_id, secret)
  values (v_integration, v_provider.owner_user_id, p_secret)
  on conflict (integration_id) do update set secret = excluded.secret;

  v_source := lower(p_kind) || ':' || v_integration::text;
  delete from public.external_busy where provider_id = v_provider.id and source = v_source;
  delete from public.calendar_sync_state where provider_id = v_provider.id and source = v_source;

  if p_selected_calendar_ids is not null then
    update public.providers
       set settings = jsonb_set(
             case when jsonb_typeof(settings -> 'calendar') = 'object' then settings
                  else settings || jsonb_build_object('calendar', '{}'::jsonb) end,
             '{calendar,selectedCalendarIds}',
             coalesce((
               select jsonb_agg(id) from (
                 select e.id from jsonb_array_elements(
                   case when jsonb_typeof(settings #> '{calendar,selectedCalendarIds}') = 'array'
                        then settings #> '{calendar,selectedCalendarIds}' else '[]'::jsonb end) e(id)
                  where not (coalesce(p_account_calendar_ids, '[]'::jsonb) @> jsonb_build_array(e.id))
                 union all
                 select n.id from jsonb_array_elements(p_selected_calendar_ids) n(id)
               ) ids
             ), '[]'::jsonb))
     where id = v_provider.id;
  end if;

  return jsonb_build_object('providerId', v_provider.id, 'integrationId', v_integration, 'source', v_source);
end
$$;

-- Disconnects a calendar kind: removes the integration, its secret (cascade), cached busy and sync state.
-- Returns {removed: n}.
create or replace function public.disconnect_calendar(p_provider_slug text, p_kind text) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v_provider public.providers;
  v_count int := 0;
  v_row record;
begin
  select * into v_provider from public.providers where public_slug = p_provider_slug;
  if not found then
    raise exception using errcode = 'SL404', message = 'provider not found';
  end if;
  for v_row in
    select id, public.calendar_kind(integration_type) || ':' || id::text as source from public.integrations
     where user_id = v_provider.owner_user_id and public.calendar_kind(integration_type) = lower(p_kind)
  loop
    delete from public.external_busy where provider_id = v_provider.id and source = v_row.source;
    delete from public.calendar_sync_state where provider_id = v_provider.id and source = v_row.source;
    delete from public.integrations where id = v_row.id;
    v_count := v_count + 1;
  end loop;
  return jsonb_build_object('removed', v_count);
end
$$;

revoke execute on function public.calendar_kind(text) from public, anon, authenticated;
revoke execute on function public.get_calendar_cache(uuid, timestamptz, timestamptz) from public, anon, authenticated;
revoke execute on function public.get_calendar_refresh_input(uuid) from public, anon, authenticated;
revoke execute on function public.claim_calendar_refresh(uuid, text, int) from public, anon, authenticated;
revoke execute on function public.save_calendar_busy(uuid, text, timestamptz, timestamptz, jsonb, text, text, text) from public, anon, authenticated;
revoke execute on function public.record_calendar_failure(uuid, text, text, boolean) from public, anon, authenticated;
revoke execute on function public.get_any_integration_secret() from public, anon, authenticated;
revoke execute on function public.connect_calendar(text, text, text, text, text, jsonb, jsonb, jsonb) from public, anon, authenticated;
revoke execute on function public.disconnect_calendar(text, text) from public, anon, authenticated;

grant execute on function public.calendar_kind(text) to service_role;
grant execute on function public.get_calendar_cache(uuid, timestamptz, timestamptz) to service_role;
grant execute on function public.get_calendar_refresh_input(uuid) to service_role;
grant execute on function public.claim_calendar_refresh(uuid, text, int) to service_role;
grant execute on function public.save_calendar_busy(uuid, text, timestamptz, timestamptz, jsonb, text, text, text) to service_role;
grant execute on function public.record_calendar_failure(uuid, text, text, boolean) to service_role;
grant execute on function public.get_any_integration_secret() to service_role;
grant execute on function public.connect_calendar(text, text, text, text, text, jsonb, jsonb, jsonb) to service_role;
grant execute on function public.disconnect_calendar(text, text) to service_role;
