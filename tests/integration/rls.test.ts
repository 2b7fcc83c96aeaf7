import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openPostgresDb } from '../../server/db/postgres.ts';
import type { Db } from '../../server/db/port.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { asRole } from '../support/roles.ts';
import { makeProvider } from '../support/fixtures.ts';
import { createTestDb } from '../support/db.ts';
import { EXPECTED_PRIVILEGES, PRIVILEGES_SQL, splitPrivileges, type PrivilegeRow } from '../support/privileges.ts';

let server: PostgresServer;
let sql: postgres.Sql;
let db: Db;
let ownerA: string;
let ownerB: string;

const TABLES = ['providers', 'integrations', 'integration_secrets', 'services', 'bookings', 'external_busy', 'payments'];

const as = <T>(role: 'anon' | 'authenticated', userId: string | null, fn: (tx: postgres.TransactionSql) => Promise<T>) =>
  asRole(sql, role, userId, fn);

async function denied(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: Error) => e);
  expect(error, 'expected the database to refuse').not.toBeNull();
  return (error as Error).message;
}

beforeAll(async () => {
  server = await startPostgres();
  const url = await server.createDatabase('slotline_rls');
  db = await openPostgresDb({ url });
  sql = postgres(url, { max: 2, onnotice: () => {} });
  await makeProvider(db, { slug: 'alice' });
  await makeProvider(db, { slug: 'bob' });
  const rows = await sql<{ public_slug: string; owner_user_id: string }[]>`select public_slug, owner_user_id from providers`;
  ownerA = rows.find((r) => r.public_slug === 'alice')!.owner_user_id;
  ownerB = rows.find((r) => r.public_slug === 'bob')!.owner_user_id;
  const [integ] = await sql<{ id: string }[]>`
    insert into integrations (user_id, integration_type, label) values (${ownerA}, 'icloud', 'Alice iCloud') returning id`;
  await sql`insert into integration_secrets (integration_id, secret)
            values (${integ.id}, ${sql.json({ ciphertext: 'c', iv: 'i', tag: 't' })})`;
});
afterAll(async () => {
  await sql?.end();
  await db?.close();
  await server?.stop();
});

describe('RLS with real roles', () => {
  it('anon reads no table', async () => {
    for (const table of TABLES) {
      const message = await denied(as('anon', null, (tx) => tx.unsafe(`select * from public.${table}`)));
      expect(message).toMatch(/permission denied/);
    }
  });

  it('anon cannot call the write functions but can read a public provider', async () => {
    const writes = [
      `select public.create_booking_if_free(null, null, now(), '', 'a@b.c', null, '', 'UTC', null, 'h', null)`,
      `select public.cancel_booking('h', '')`,
      `select public.apply_provider('x', 'X', 'UTC', true, '{}', '[]')`,
      `select public.expire_holds(null)`,
    ];
    for (const statement of writes) {
      expect(await denied(as('anon', null, (tx) => tx.unsafe(statement)))).toMatch(/permission denied/);
    }
    const [row] = await as('anon', null, (tx) => tx`select public.get_public_provider('alice') as p`);
    expect(row.p.slug).toBe('alice');
    expect(JSON.stringify(row.p)).not.toContain(ownerA);
  });

  it('an owner sees only their own providers and changes nothing directly', async () => {
    const seen = await as('authenticated', ownerA, (tx) => tx`select public_slug from providers`);
    expect(seen.map((r) => r.public_slug)).toEqual(['alice']);
    const message = await denied(as('authenticated', ownerA, (tx) => tx`
      update providers set display_name = 'changed' where public_slug in ('alice', 'bob') returning public_slug`));
    expect(message).toMatch(/permission denied/);
    const services = await as('authenticated', ownerB, (tx) => tx`
      select s.slug, p.public_slug from services s join providers p on p.id = s.provider_id`);
    expect(services.map((r) => r.public_slug)).toEqual(['bob']);
  });

  it('integrations are visible only to their owner; secrets to no signed-in user; nobody inserts them', async () => {
    expect(await as('authenticated', ownerA, (tx) => tx`select id from integrations`)).toHaveLength(1);
    expect(await as('authenticated', ownerB, (tx) => tx`select id from integrations`)).toHaveLength(0);
    for (const owner of [ownerA, ownerB]) {
      expect(await denied(as('authenticated', owner, (tx) => tx`select secret from integration_secrets`))).toMatch(/permission denied/);
    }
    for (const owner of [ownerA, ownerB]) {
      const message = await denied(as('authenticated', owner, (tx) => tx`
        insert into integrations (user_id, integration_type) values (${owner}, 'google')`));
      expect(message).toMatch(/permission denied/);
    }
  });

  it('nobody but the owner of the database may truncate', async () => {
    for (const table of TABLES) {
      expect(await denied(as('authenticated', ownerA, (tx) => tx.unsafe(`truncate public.${table} cascade`)))).toMatch(/permission denied/);
    }
  });

  it('an authenticated owner cannot call the booking function directly', async () => {
    const message = await denied(as('authenticated', ownerA, (tx) => tx.unsafe(
      `select public.create_booking_if_free(null, null, now(), '', 'a@b.c', null, '', 'UTC', null, 'h', null)`)));
    expect(message).toMatch(/permission denied/);
  });

  it('the secret owner trigger refuses a mismatched owner', async () => {
    const [integ] = await sql<{ id: string }[]>`select id from integrations where user_id = ${ownerA}`;
    await expect(sql`update integration_secrets set user_id = ${ownerB} where integration_id = ${integ.id}`)
      .rejects.toThrow(/must match the integration owner/);
  });
});

describe('the privilege table (README.md, "Security") outside Supabase', () => {
  it('is the same on PostgreSQL with the local auth shim', async () => {
    const rows = await sql.unsafe<PrivilegeRow[]>(PRIVILEGES_SQL);
    expect(rows.map((r) => r.object)).toEqual(expect.arrayContaining(['table integration_secrets', 'sequence external_busy_id_seq']));
    expect(splitPrivileges(rows).granted).toEqual(EXPECTED_PRIVILEGES);
  });

  it('is the same on PGlite', async () => {
    const lite = await createTestDb();
    try {
      const { rows } = await lite.pg.query<PrivilegeRow>(PRIVILEGES_SQL);
      expect(rows.map((r) => r.object)).toEqual(expect.arrayContaining(['table integration_secrets']));
      expect(splitPrivileges(rows).granted).toEqual(EXPECTED_PRIVILEGES);
    } finally {
      await lite.close();
    }
  });
});
