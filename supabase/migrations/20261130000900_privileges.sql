-- Who may do what, for every table, sequence and function in `public`, set once for all of them.
--
-- Supabase's default privileges grant every right on each new table, sequence and function in `public` to anon,
-- authenticated and service_role, and PostgreSQL grants EXECUTE on every new function to PUBLIC. The per-object
-- revokes of earlier migrations closed less than that opened: a signed-in stranger could TRUNCATE tables (TRUNCATE
-- ignores RLS), insert providers, integrations and secrets, and anon could setval an identity sequence.
-- So: revoke everything from PUBLIC, anon and authenticated on every object in `public` (including those of
-- migrations written after this one: the default privileges change too), then grant back exactly what is used.
-- The server itself runs as service_role (Supabase) or as the database owner (PostgreSQL, PGlite), and every write
-- goes through a SECURITY DEFINER function. Runs unchanged on PGlite, PostgreSQL 15 and Supabase.

-- ---------------------------------------------------------------------------------------------
-- Extensions live in `extensions`, where Supabase places them (out of the API's `public` schema).
-- ---------------------------------------------------------------------------------------------

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
do $$
begin
  if exists (select 1 from pg_extension e join pg_namespace n on n.oid = e.extnamespace
              where e.extname = 'btree_gist' and n.nspname <> 'extensions') then
    -- The exclusion constraint keeps working: it refers to btree_gist's operator classes, not to their schema.
    alter extension btree_gist set schema extensions;
  end if;
exception when insufficient_privilege then
  -- Installed by another role (a platform that creates extensions as its own superuser): leave it where it is.
  raise notice 'btree_gist stays in its schema: %', sqlerrm;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Start-up proves SECRETS_KEY against every stored secret, not one (an undecryptable row is named,
-- and stops start-up only when the key reads none of them: then it is the wrong key).
-- ---------------------------------------------------------------------------------------------

create or replace function public.list_integration_secrets() returns jsonb
language sql stable security definer set search_path = public
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'integrationId', s.integration_id,
           'kind', public.calendar_kind(i.integration_type),
           'provider', p.public_slug,
           'secret', s.secret) order by s.created_at, s.integration_id), '[]'::jsonb)
    from public.integration_secrets s
    join public.integrations i on i.id = s.integration_id
    left join public.providers p on p.owner_user_id = s.user_id
$$;

-- ---------------------------------------------------------------------------------------------
-- Close everything, now and for objects created later by the role running migrations.
-- ---------------------------------------------------------------------------------------------

revoke create on schema public from public, anon, authenticated;
revoke all on all tables in schema public from public, anon, authenticated;
revoke all on all sequences in schema public from public, anon, authenticated;
revoke all on all routines in schema public from public, anon, authenticated;

alter default privileges in schema public revoke all on tables from public, anon, authenticated;
alter default privileges in schema public revoke all on sequences from public, anon, authenticated;
alter default privileges in schema public revoke all on routines from public, anon, authenticated;
-- PostgreSQL's own default (EXECUTE to PUBLIC on every new function) is global, so it is revoked globally.
alter default privileges revoke execute on routines from public;

-- ---------------------------------------------------------------------------------------------
-- The server's role: every function, and the tables as Supabase gives them to it.
-- ---------------------------------------------------------------------------------------------

grant usage on schema public to service_role;
grant all on all tables in schema public to service_role;
grant all on all sequences in schema public to service_role;
grant execute on all routines in schema public to service_role;
alter default privileges in schema public grant all on tables to service_role;
alter default privileges in schema public grant all on sequences to service_role;
alter default privileges in schema public grant execute on routines to service_role;

-- ---------------------------------------------------------------------------------------------
-- Visitors and signed-in users: the two public reads, and an owner may read their own rows (RLS
-- decides which). No direct writes, no secrets, no TRUNCATE / REFERENCES / TRIGGER, no sequences.
-- README.md, "Security", prints this table; tests/integration/supabase-privileges.test.ts asserts it.
-- ---------------------------------------------------------------------------------------------

grant usage on schema public to anon, authenticated;
grant execute on function public.get_public_provider(text) to anon, authenticated;
grant execute on function public.get_busy(uuid, timestamptz, timestamptz) to anon, authenticated;
-- The owner-only RLS policies call it as the querying role.
grant execute on function public.owns_provider(uuid) to authenticated;

grant select on public.providers, public.services, public.bookings, public.integrations, public.external_busy,
  public.payments to authenticated;
grant select (provider_id, source, covered_from, covered_to, last_attempt_at, last_success_at, last_error,
              last_error_at, failing_since, updated_at) on public.calendar_sync_state to authenticated;
