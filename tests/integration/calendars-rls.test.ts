import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDb } from '../../server/db/postgres.ts';
import type { Db } from '../../server/db/port.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { asRole } from '../support/roles.ts';

let server: PostgresServer;
let sql: postgres.Sql;
let db: Db;
let providerA: string;
let ownerA: string;
let ownerB: string;
let source: string;

const as = <T>(role: 'anon' | 'authenticated', userId: string | null, fn: (tx: postgres.TransactionSql) => Promise<T>) =>
  asRole(sql, role, userId, fn);

const CALLS = [
  `select public.get_calendar_cache('00000000-0000-0000-0000-000000000000', now(), now())`,
  `select public.get_calendar_health('00000000-0000-0000-0000-000000000000')`,
  `select public.get_calendar_refresh_input('00000000-0000-0000-0000-000000000000')`,
  `select public.claim_calendar_refresh('00000000-0000-0000-0000-000000000000', 'x', 0)`,
  `select public.save_calendar_busy('00000000-0000-0000-0000-000000000000', 'x', now(), now(), '[]', null, null, null)`,
  `select public.record_calendar_failure('00000000-0000-0000-0000-000000000000', 'x', 'r', false)`,
  `select public.get_any_integration_secret()`,
  `select public.connect_calendar('a', 'ics', null, null, null, '{"ciphertext":"c","iv":"i","tag":"t"}', null)`,
  `select public.disconnect_calendar('a', 'ics')`,
];

beforeAll(async () => {
  server = await startPostgres();
  const url = await server.createDatabase('slotline_calendars_rls');
  db = await openPostgresDb({ url });
  sql = postgres(url, { max: 2, onnotice: () => {} });
  for (const slug of ['alice', 'bob']) {
    await db.rpc('apply_provider', { p_slug: slug, p_name: slug, p_timezone: 'Asia/Dubai', p_is_public: true, p_settings: {}, p_services: [] });
  }
  const rows = await sql<{ id: string; public_slug: string; owner_user_id: string }[]>`select id, public_slug, owner_user_id from providers`;
  providerA = rows.find((r) => r.public_slug === 'alice')!.id;
  ownerA = rows.find((r) => r.public_slug === 'alice')!.owner_user_id;
  ownerB = rows.find((r) => r.public_slug === 'bob')!.owner_user_id;
  const c = await db.rpc('connect_calendar', {
    p_provider_slug: 'alice', p_kind: 'ics', p_label: 'Feed', p_external_username: null, p_external_email: null,
    p_secret: { ciphertext: 'c', iv: 'i', tag: 't' }, p_selected_calendar_ids: null,
  });
  source = c.source;
  await db.rpc('save_calendar_busy', {
    p_provider_id: providerA, p_source: source, p_from: new Date('2026-01-01'), p_to: new Date('2027-01-01'),
    p_busy: [{ start: '2026-03-01T10:00:00Z', end: '2026-03-01T11:00:00Z' }], p_etag: null, p_last_modified: null, p_body: 'BEGIN:VCALENDAR',
  });
});
afterAll(async () => {
  await sql?.end();
  await db?.close();
  await server?.stop();
});

describe('calendar functions and sync state with real roles', () => {
  it('only the service role may call the calendar functions', async () => {
    for (const role of ['anon', 'authenticated'] as const) {
      for (const call of CALLS) {
        const error = await as(role, role === 'authenticated' ? ownerA : null, (tx) => tx.unsafe(call)).then(() => null, (e: Error) => e);
        expect(error?.message, `${role}: ${call}`).toMatch(/permission denied/);
      }
    }
  });

  it('an owner sees their own sync state but not the cached feed body; others see nothing', async () => {
    const own = await as('authenticated', ownerA, (tx) => tx`select source, last_success_at from public.calendar_sync_state`);
    expect(own.map((r) => r.source)).toEqual([source]);
    const body = await as('authenticated', ownerA, (tx) => tx`select body from public.calendar_sync_state`).then(() => null, (e: Error) => e);
    expect(body?.message).toMatch(/permission denied/);
    expect(await as('authenticated', ownerB, (tx) => tx`select source from public.calendar_sync_state`)).toHaveLength(0);
    const anon = await as('anon', null, (tx) => tx`select source from public.calendar_sync_state`).then(() => null, (e: Error) => e);
    expect(anon?.message).toMatch(/permission denied/);
  });

  it('connect and disconnect work through the service role on PostgreSQL', async () => {
    const cache = await db.rpc('get_calendar_cache', {
      p_provider_id: providerA, p_from: new Date('2026-01-01'), p_to: new Date('2027-01-01'),
    });
    expect(cache!.sources.map((s) => [s.source, s.busy.length])).toEqual([[source, 1]]);
    expect(await db.rpc('disconnect_calendar', { p_provider_slug: 'alice', p_kind: 'ics' })).toEqual({ removed: 1 });
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from public.external_busy where provider_id = ${providerA}`;
    expect(n).toBe(0);
    const [{ s }] = await sql<{ s: number }[]>`select count(*)::int as s from public.integration_secrets`;
    expect(s).toBe(0);
  });
});
