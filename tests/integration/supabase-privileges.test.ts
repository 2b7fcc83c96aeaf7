import { readFileSync } from 'node:fs';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../server/db/migrate.ts';
import { openSupabaseDb } from '../../server/db/supabase.ts';
import type { Db } from '../../server/db/port.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';
import {
  EXPECTED_PRIVILEGES, PRIVILEGES_SQL, privilegeMarkdown, readmePrivilegeTable, splitPrivileges, type PrivilegeRow,
} from '../support/privileges.ts';
import { asRole } from '../support/roles.ts';
import { browserClient, pushMigrations, startSupabase, type SupabaseLocal } from '../support/supabase.ts';

let project: SupabaseLocal;
let db: Db;
let ownerA: string;
let providerA: string;
let integrationA: string;
const stranger = crypto.randomUUID();

const SECRET = { ciphertext: 'c', iv: 'i', tag: 't' };

beforeAll(async () => {
  project = await startSupabase();
  db = openSupabaseDb({ url: project.url, serviceRoleKey: project.serviceRoleKey });
  const alice = await makeProvider(db, { slug: 'alice' });
  await makeProvider(db, { slug: 'bob' });
  providerA = alice.id;
  await bookSql(db, alice, '2030-05-06T10:00:00Z');
  const connected = await db.rpc('connect_calendar', {
    p_provider_slug: 'alice', p_kind: 'ics', p_label: 'Feed', p_external_username: null, p_external_email: null,
    p_secret: SECRET, p_selected_calendar_ids: null,
  });
  integrationA = connected.integrationId;
  await db.rpc('save_calendar_busy', {
    p_provider_id: providerA, p_source: connected.source, p_from: new Date('2030-01-01'), p_to: new Date('2031-01-01'),
    p_busy: [{ start: '2030-03-01T10:00:00Z', end: '2030-03-01T11:00:00Z' }], p_etag: null, p_last_modified: null, p_body: 'x',
  });
  [{ owner_user_id: ownerA }] = await project.sql<{ owner_user_id: string }[]>`
    select owner_user_id from public.providers where public_slug = 'alice'`;
});
afterAll(async () => {
  await db?.close();
  await project?.stop();
});

/** A supabase-js client as a browser would hold it (tests/support/supabase.ts). */
const client = (accessToken?: string) => browserClient(project, accessToken);

async function privileges(sql: postgres.Sql | postgres.TransactionSql = project.sql): Promise<PrivilegeRow[]> {
  return splitPrivileges(await sql.unsafe<PrivilegeRow[]>(PRIVILEGES_SQL)).granted;
}

const as = <T>(role: 'anon' | 'authenticated', sub: string | null, fn: (tx: postgres.TransactionSql) => Promise<T>) =>
  asRole(project.sql, role, sub, fn);

async function refused(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: Error) => e);
  expect(error, 'expected the database to refuse').not.toBeNull();
  return (error as Error).message;
}

describe('migrations, applied as `supabase db push` applies them', () => {
  it('applied every file once, recorded in supabase_migrations.schema_migrations; pushing again applies nothing', async () => {
    const files = (await listMigrations()).map((m) => m.name.split('_')[0]);
    const recorded = await project.sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations order by version`;
    expect(recorded.map((r) => r.version)).toEqual(files);
    expect(await pushMigrations(project.sql)).toEqual([]);
  });

  it('supabase/seed.sql (run by `supabase db reset`) applies on top, as postgres', async () => {
    const seed = readFileSync(new URL('../../supabase/seed.sql', import.meta.url), 'utf8');
    const rollback = new Error('rollback');
    await project.sql.begin(async (tx) => {
      await tx.unsafe(seed);
      const [row] = await tx`select public.get_public_provider('demo') as p`;
      expect(row.p.services.map((s: { slug: string }) => s.slug)).toEqual(['intro', 'session']);
      throw rollback;
    }).catch((e) => {
      if (e !== rollback) throw e;
    });
  });

  it('the privileges migration can run again without changing anything; btree_gist lives in `extensions`', async () => {
    const file = (await listMigrations()).find((m) => m.name.endsWith('_privileges.sql'))!;
    await project.sql.begin(async (tx) => {
      await tx.unsafe(file.sql);
      expect(await privileges(tx)).toEqual(EXPECTED_PRIVILEGES);
    });
    const [{ schema }] = await project.sql<{ schema: string }[]>`
      select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'btree_gist'`;
    expect(schema).toBe('extensions');
  });
});

describe('the privilege table (README.md, "Security")', () => {
  it('is exactly what anon and authenticated may do on Supabase: everything else in public is closed', async () => {
    const rows = await project.sql.unsafe<PrivilegeRow[]>(PRIVILEGES_SQL);
    // It looked at the real schema: every table the app has, and the identity sequence.
    expect(rows.map((r) => r.object)).toEqual(expect.arrayContaining([
      'table integration_secrets', 'table rate_limits', 'table payment_events', 'sequence external_busy_id_seq',
      'function create_booking_if_free', 'function list_integration_secrets',
    ]));
    expect(await privileges()).toEqual(EXPECTED_PRIVILEGES);
  });

  it('README.md prints the same table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readmePrivilegeTable(readme)).toBe(privilegeMarkdown(EXPECTED_PRIVILEGES));
  });

  it('objects made by later migrations start closed too (default privileges)', async () => {
    const rollback = new Error('rollback');
    await project.sql.begin(async (tx) => {
      await tx.unsafe(`
        create table public.later_table (id bigint generated always as identity primary key, x text);
        create function public.later_function() returns int language sql as 'select 1';`);
      const later = (await privileges(tx)).filter((r) => r.object.includes('later_'));
      expect(later).toEqual([]);
      const [{ server }] = await tx<{ server: boolean }[]>`
        select has_function_privilege('service_role', 'public.later_function()', 'execute') as server`;
      expect(server).toBe(true);
      throw rollback;
    }).catch((e) => {
      if (e !== rollback) throw e;
    });
  });
});

describe('as anon and as a signed-in stranger, in direct SQL sessions', () => {
  it('nobody but the server can TRUNCATE, whatever RLS says', async () => {
    for (const [role, sub] of [['anon', null], ['authenticated', stranger], ['authenticated', ownerA]] as const) {
      for (const table of ['integration_secrets', 'payments', 'external_busy', 'bookings', 'providers']) {
        expect(await refused(as(role, sub, (tx) => tx.unsafe(`truncate public.${table} cascade`)))).toMatch(/permission denied/);
      }
    }
    const [{ n }] = await project.sql<{ n: number }[]>`select count(*)::int as n from public.integration_secrets`;
    expect(n).toBe(1);
  });

  it('anon cannot touch the identity sequence', async () => {
    const [{ seq }] = await project.sql<{ seq: string }[]>`select pg_get_serial_sequence('public.external_busy', 'id') as seq`;
    for (const call of [`select setval('${seq}', 1)`, `select nextval('${seq}')`, `select last_value from ${seq}`]) {
      expect(await refused(as('anon', null, (tx) => tx.unsafe(call)))).toMatch(/permission denied/);
      expect(await refused(as('authenticated', stranger, (tx) => tx.unsafe(call)))).toMatch(/permission denied/);
    }
  });

  it('a signed-up stranger cannot publish a provider or plant an integration or a secret', async () => {
    const writes = [
      `insert into public.providers (owner_user_id, public_slug, is_public) values ('${stranger}', 'evil', true)`,
      `insert into public.integrations (user_id, integration_type) values ('${stranger}', 'ics')`,
      `insert into public.integration_secrets (integration_id, user_id, secret, created_at)
         values ('${integrationA}', '${stranger}', '{"ciphertext":"x","iv":"y","tag":"z"}', '2000-01-01')`,
      `update public.providers set is_public = false`,
      `delete from public.bookings`,
    ];
    for (const statement of writes) {
      expect(await refused(as('authenticated', stranger, (tx) => tx.unsafe(statement)))).toMatch(/permission denied/);
    }
  });

  it('an owner reads their own rows (not the secrets) and writes nothing directly; a stranger reads nothing', async () => {
    const own = await as('authenticated', ownerA, (tx) => tx`select public_slug from public.providers`);
    expect(own.map((r) => r.public_slug)).toEqual(['alice']);
    expect(await as('authenticated', ownerA, (tx) => tx`select id from public.bookings`)).toHaveLength(1);
    expect(await refused(as('authenticated', ownerA, (tx) => tx`select secret from public.integration_secrets`))).toMatch(/permission denied/);
    expect(await refused(as('authenticated', ownerA, (tx) => tx`update public.providers set display_name = 'x'`))).toMatch(/permission denied/);
    for (const table of ['providers', 'services', 'bookings', 'integrations', 'external_busy', 'payments', 'calendar_sync_state']) {
      const column = table === 'calendar_sync_state' ? 'source' : '*';
      expect(await as('authenticated', stranger, (tx) => tx.unsafe(`select ${column} from public.${table}`)), table).toHaveLength(0);
      expect(await refused(as('anon', null, (tx) => tx.unsafe(`select ${column} from public.${table}`)))).toMatch(/permission denied/);
    }
  });

  it('only the server calls the write and secret functions; anyone may read a public provider', async () => {
    for (const [role, sub] of [['anon', null], ['authenticated', stranger]] as const) {
      for (const call of [
        `select public.create_booking_if_free(null, null, now(), '', 'a@b.c', null, '', 'UTC', null, 'h', null)`,
        `select public.apply_provider('x', 'X', 'UTC', true, '{}', '[]')`,
        `select public.list_integration_secrets()`,
        `select public.get_any_integration_secret()`,
        `select public.connect_calendar('alice', 'ics', null, null, null, '{"ciphertext":"c","iv":"i","tag":"t"}', null)`,
      ]) {
        expect(await refused(as(role, sub, (tx) => tx.unsafe(call))), `${role}: ${call}`).toMatch(/permission denied/);
      }
      const [row] = await as(role, sub, (tx) => tx`select public.get_public_provider('alice') as p`);
      expect(row.p.slug).toBe('alice');
      expect(JSON.stringify(row.p)).not.toContain(ownerA);
    }
  });
});

describe('as anon and as a signed-in stranger, through PostgREST (supabase-js)', () => {
  it('anon reads no table and calls only the public reads', async () => {
    const anon = client();
    for (const table of ['providers', 'bookings', 'integration_secrets', 'payments']) {
      const { error, status } = await anon.from(table).select('*');
      expect([status, error?.code], table).toEqual([401, '42501']);
    }
    const { data, error } = await anon.rpc('get_public_provider', { p_slug: 'alice' });
    expect(error).toBeNull();
    expect(data.slug).toBe('alice');
    const secrets = await anon.rpc('list_integration_secrets');
    expect([secrets.status, secrets.error?.code]).toEqual([401, '42501']);
  });

  it('a signed-in stranger cannot insert providers, integrations or secrets, and sees no one else\'s rows', async () => {
    const user = client(project.userToken(stranger));
    const inserts: [string, Record<string, unknown>][] = [
      ['providers', { owner_user_id: stranger, public_slug: 'evil', is_public: true }],
      ['integrations', { user_id: stranger, integration_type: 'ics' }],
      ['integration_secrets', { integration_id: integrationA, user_id: stranger, secret: SECRET, created_at: '2000-01-01T00:00:00Z' }],
    ];
    for (const [table, row] of inserts) {
      const { error, status } = await user.from(table).insert(row);
      expect([status, error?.code], table).toEqual([403, '42501']);
    }
    const update = await user.from('providers').update({ is_public: false }).eq('public_slug', 'alice');
    expect([update.status, update.error?.code]).toEqual([403, '42501']);
    const seen = await user.from('providers').select('public_slug');
    expect(seen.data).toEqual([]);
    const call = await user.rpc('create_booking_if_free', {
      p_provider_id: providerA, p_service_id: providerA, p_starts_at: '2030-05-07T10:00:00Z', p_customer_name: '',
      p_customer_email: 'a@b.c', p_customer_phone: null, p_notes: '', p_customer_timezone: 'UTC',
      p_idempotency_key: null, p_manage_token_hash: 'h',
    });
    expect([call.status, call.error?.code]).toEqual([403, '42501']);
    const [{ n }] = await project.sql<{ n: number }[]>`select count(*)::int as n from public.providers where public_slug = 'evil'`;
    expect(n).toBe(0);
  });

  it('an owner reads their own provider through the API, and not their secrets', async () => {
    const owner = client(project.userToken(ownerA));
    const { data } = await owner.from('providers').select('public_slug');
    expect(data).toEqual([{ public_slug: 'alice' }]);
    const secrets = await owner.from('integration_secrets').select('secret');
    expect([secrets.status, secrets.error?.code]).toEqual([403, '42501']);
  });
});
