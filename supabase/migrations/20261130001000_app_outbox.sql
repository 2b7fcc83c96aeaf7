-- The provider app's notification settings (issues 12/13): `PATCH /api/app/providers/:id` accepts a
-- `notifications` section (`email`, `lang`, `providerEmails`, `reminders`, `agendaHour`), which the notification
-- functions of 20261130000700_notifications.sql already read, and the provider answer shows it so the Settings
-- screen can edit it. Like every other section, a `notifications` sent replaces the stored one. The server
-- validates the section (server/app-api/schemas.ts); the SQL readers ignore anything out of range anyway.
-- The outbox answer (`app_list_outbox`) already carries each message's text, so it stays as it is.

create or replace function public.app_provider_json(p public.providers) returns jsonb
language sql stable set search_path = public
as $$
  select jsonb_build_object(
    'id', p.id, 'slug', p.public_slug, 'name', p.display_name, 'timezone', p.timezone, 'isPublic', p.is_public,
    'profile', coalesce(p.settings -> 'profile', '{}'::jsonb),
    'booking', coalesce(p.settings -> 'booking', '{}'::jsonb),
    'whatsapp', coalesce(p.settings -> 'whatsapp', '{"enabled": false}'::jsonb),
    'appearance', coalesce(p.settings -> 'appearance', '{}'::jsonb),
    'embed', coalesce(p.settings -> 'embed', '{}'::jsonb),
    'notifications', coalesce(p.settings -> 'notifications', '{}'::jsonb),
    'workingHours', coalesce(p.settings -> 'workingHours', '{"intervals": []}'::jsonb),
    'timeOff', coalesce(p.settings -> 'timeOff', '[]'::jsonb),
    'createdAt', p.created_at, 'updatedAt', p.updated_at)
$$;

create or replace function public.app_update_provider(p_user_id uuid, p_provider_id uuid, p_patch jsonb) returns jsonb
language plpgsql security definer set search_path = public
as $$
declare
  v public.providers := public.app_owned_provider(p_user_id, p_provider_id);
  v_sections jsonb;
begin
  select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) into v_sections
    from jsonb_each(p_patch) where key in ('profile', 'booking', 'whatsapp', 'appearance', 'embed', 'notifications');
  begin
    update public.providers
       set display_name = coalesce(p_patch ->> 'name', display_name),
           public_slug = coalesce(p_patch ->> 'slug', public_slug),
           timezone = coalesce(p_patch ->> 'timezone', timezone),
           is_public = coalesce((p_patch ->> 'isPublic')::boolean, is_public),
           settings = settings || v_sections
     where id = v.id
    returning * into v;
  exception when unique_violation then
    raise exception using errcode = 'SL409', message = 'slug_taken';
  end;
  return public.app_provider_json(v);
end
$$;
