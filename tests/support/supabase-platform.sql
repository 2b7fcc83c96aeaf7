-- What a new Supabase project's database has before any migration of ours runs, rebuilt for tests from Supabase's,
-- PostgREST's and GoTrue's documented behaviour (not copied from their files). Run once, as the superuser
-- `postgres`, on a fresh PostgreSQL 15 cluster. The API roles' timeouts are set by tests/support/supabase.ts.

-- The API roles. PostgREST logs in as `authenticator` (NOINHERIT: it holds no rights of its own) and switches, per
-- request, to the role named in the JWT; anon without a JWT. service_role bypasses RLS.
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator login noinherit;
grant anon, authenticated, service_role to authenticator;
-- GoTrue owns the auth schema.
create role supabase_auth_admin nologin noinherit createrole;

-- Extensions get their own schema, on the API roles' search path.
create schema extensions;
grant usage on schema extensions to anon, authenticated, service_role;
alter default privileges in schema extensions grant all on tables to anon, authenticated, service_role;
alter default privileges in schema extensions grant all on routines to anon, authenticated, service_role;
alter default privileges in schema extensions grant all on sequences to anon, authenticated, service_role;

-- Supabase's default privileges: everything `postgres` creates in `public` is open to the three API roles,
-- and they may use the schema. Tables are protected only by what migrations revoke and by RLS.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on routines to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;

-- The auth schema as GoTrue's migrations leave it, as far as Slotline's SQL can see: `auth.users` (GoTrue
-- generates ids itself: no default) and the helpers RLS policies call. PostgREST puts the verified JWT claims
-- into `request.jwt.claims` (older versions: one `request.jwt.claim.<name>` setting per claim; both are read).
create schema auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;

create table auth.users (
  instance_id uuid,
  id uuid not null primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  phone text unique default null,
  created_at timestamptz,
  updated_at timestamptz,
  is_sso_user boolean not null default false,
  is_anonymous boolean not null default false
);
create unique index users_email_partial_key on auth.users (email) where is_sso_user = false;
alter table auth.users owner to supabase_auth_admin;
alter table auth.users enable row level security;

create function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                  nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$$;

create function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
$$;

create function auth.role() returns text
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text
$$;

alter function auth.jwt() owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
grant execute on function auth.jwt(), auth.uid(), auth.role() to anon, authenticated, service_role;
