import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDb } from '../../server/db/postgres.ts';
import { DbError, type Db } from '../../server/db/port.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startServerProcess, type ServerProcess } from '../support/process.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';
import type postgres from 'postgres';

/**
 * The booking rules of supabase/migrations/20261130000100_booking_rules.sql under real concurrency: PostgreSQL 15,
 * calls on separate connections, and two server processes answering HTTP at once.
 */
let pg: PostgresServer;
let url: string;
let db: Db & { sql: postgres.Sql };
/** 40 connections of their own, so concurrent calls really run side by side. */
let pool: Db & { sql: postgres.Sql };
let servers: ServerProcess[] = [];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase('slotline_rules');
  db = await openPostgresDb({ url });
  pool = await openPostgresDb({ url, max: 40, migrate: false });
  servers = await Promise.all([
    startServerProcess({ DATABASE_URL: url, SEED_DEMO: '0' }),
    startServerProcess({ DATABASE_URL: url, SEED_DEMO: '0' }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await pool?.close();
  await db?.close();
  await pg?.stop();
});

/** Settles every promise; says which were refused with which SQLSTATE. */
async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises);
  return results.map((r) => r.status === 'fulfilled'
    ? { ok: true as const, value: r.value }
    : { ok: false as const, code: r.reason instanceof DbError ? r.reason.code : String(r.reason) });
}

async function liveOverlaps(): Promise<unknown[]> {
  return [...await db.sql`
    select a.id, b.id from bookings a join bookings b
      on a.provider_id = b.provider_id and a.id < b.id and a.occupied && b.occupied
     where a.status in ('pending', 'confirmed') and b.status in ('pending', 'confirmed')`];
}

describe("provider-level buffers are held by the database (PostgreSQL 15)", () => {
  it('60 concurrent pairs of bookings 30 minutes apart, on separate connections: never both accepted', async () => {
    const p = await makeProvider(db, {
      slug: 'buffer-rpc',
      settings: { booking: { bufferAfterMinutes: 30 } },
      services: [{ slug: 'call', title: 'Call', durationMinutes: 30 }],
    });
    const base = Date.parse('2031-05-05T06:00:00Z');
    const pairs = Array.from({ length: 60 }, (_, i) => [new Date(base + i * 2 * HOUR), new Date(base + i * 2 * HOUR + 30 * 60_000)]);
    // Interleave so both halves of a pair are in flight together.
    const outcomes = await settle(pairs.flatMap(([a, b]) => [bookSql(pool, p, a), bookSql(pool, p, b)]));
    for (let i = 0; i < pairs.length; i++) {
      const pair = outcomes.slice(2 * i, 2 * i + 2);
      expect(pair.filter((o) => o.ok), `pair ${i}`).toHaveLength(1);
      for (const o of pair) if (!o.ok) expect(o.code).toBe('SL409');
    }
    expect(await liveOverlaps()).toEqual([]);
  });

  it('30 pairs 30 minutes apart through two server processes: exactly one of each pair is booked', async () => {
    await makeProvider(db, {
      slug: 'buffer-http',
      settings: { booking: { slotStepMinutes: 30, bufferAfterMinutes: 30, horizonDays: 60 } },
      services: [{ slug: 'call', title: 'Call', durationMinutes: 30 }],
    });
    // The server processes run on the real clock: start two days ahead, on the hour (any date works).
    const base = Math.floor(Date.now() / HOUR) * HOUR + 2 * DAY;
    const pairs = Array.from({ length: 30 }, (_, i) => [base + i * 2 * HOUR, base + i * 2 * HOUR + 30 * 60_000]);
    const post = (server: ServerProcess, start: number, i: number) =>
      fetch(`${server.url}/api/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'buffer-http', service: 'call', start: new Date(start).toISOString(), email: `v${i}@example.com` }),
      }).then((r) => r.status);
    const statuses = await Promise.all(pairs.flatMap(([a, b], i) => [post(servers[0], a, 2 * i), post(servers[1], b, 2 * i + 1)]));
    for (let i = 0; i < pairs.length; i++) {
      const pair = statuses.slice(2 * i, 2 * i + 2);
      expect(pair.filter((s) => s === 201), `pair ${i}: ${pair}`).toHaveLength(1);
      expect(pair.filter((s) => s === 409), `pair ${i}: ${pair}`).toHaveLength(1);
    }
    expect(await liveOverlaps()).toEqual([]);
  });
});

describe('idempotency keys under concurrency (PostgreSQL 15)', () => {
  it('40 concurrent calls with one key: one booking; the same request gets it, a different one gets SL422', async () => {
    const p = await makeProvider(db, { slug: 'key-rpc' });
    const same = { p_idempotency_key: 'order-77-abc', p_customer_email: 'same@example.com', p_manage_token_hash: 'same-hash' };
    const other = { ...same, p_customer_email: 'attacker@example.com', p_manage_token_hash: 'attacker-hash' };
    const calls = Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? other : same));
    const outcomes = await settle(calls.map((args) => bookSql(pool, p, '2031-06-02T10:00:00Z', args)));
    const rows = await db.sql<{ id: string; customer_email: string; manage_token_hash: string }[]>`
      select id, customer_email, manage_token_hash from bookings where provider_id = ${p.id}`;
    expect(rows).toHaveLength(1);
    const winner = rows[0].customer_email === 'same@example.com' ? same : other;
    expect(rows[0].manage_token_hash).toBe(winner.p_manage_token_hash);
    outcomes.forEach((o, i) => {
      if (calls[i] === winner) {
        expect(o.ok, `call ${i}`).toBe(true);
        if (o.ok) expect(o.value.booking.id).toBe(rows[0].id);
      } else {
        expect(o, `call ${i}`).toEqual({ ok: false, code: 'SL422' });
      }
    });
    expect(outcomes.filter((o) => o.ok && !o.value.replayed)).toHaveLength(1);
  });

  it('20 concurrent POSTs with one key through two servers: one booking, one 201, every answer the same link', async () => {
    await makeProvider(db, { slug: 'key-http', settings: { booking: { slotStepMinutes: 60 } } });
    const start = new Date(Math.floor(Date.now() / HOUR) * HOUR + 3 * DAY).toISOString();
    const body = JSON.stringify({ provider: 'key-http', service: 'call', start, email: 'retry@example.com', name: 'Retry', idempotencyKey: 'page-retry-0001' });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      fetch(`${servers[i % 2].url}/api/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (r) => ({ status: r.status, body: await r.json() }))));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
    expect(new Set(answers.map((a) => a.body.booking.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.manageUrl.split('/b/')[1])).size).toBe(1);
    const token = answers[0].body.manageUrl.split('/b/')[1];
    expect((await fetch(`${servers[1].url}/api/bookings/${token}`)).status).toBe(200);
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from bookings where idempotency_key = 'page-retry-0001'`;
    expect(n).toBe(1);
  });
});

describe('unpaid holds per contact under concurrency (PostgreSQL 15)', () => {
  it('40 concurrent hold attempts by one contact (email in any case, some with a phone too): never more than the limit', async () => {
    const p = await makeProvider(db, { slug: 'holds-rpc' });
    const base = Date.parse('2031-07-07T00:00:00Z');
    const emails = ['greedy@example.com', 'Greedy@Example.com', 'GREEDY@example.com'];
    const phones = ['+971501234567', '+971 50 123 4567', '+971-50-123-4567'];
    const outcomes = await settle(Array.from({ length: 40 }, (_, i) => bookSql(pool, p, new Date(base + i * HOUR), {
      p_hold_minutes: 15,
      // One person: every attempt gives the email (in some case), half of them a phone (in some format) too.
      p_customer_email: emails[i % 3],
      p_customer_phone: i % 2 ? phones[i % 3] : null,
    })));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2);
    for (const o of outcomes) if (!o.ok) expect(o.code).toBe('SL429');
    const [{ n }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from bookings where provider_id = ${p.id} and status = 'pending'`;
    expect(n).toBe(2);
  });

  it('a higher limit from the settings is reached exactly, and other contacts are not held back', async () => {
    const p = await makeProvider(db, { slug: 'holds-five', settings: { booking: { maxHoldsPerContact: 5 } } });
    const base = Date.parse('2031-07-08T00:00:00Z');
    const outcomes = await settle(Array.from({ length: 30 }, (_, i) =>
      bookSql(pool, p, new Date(base + i * HOUR), { p_hold_minutes: 15, p_customer_email: i < 20 ? 'five@example.com' : `other-${i}@example.com` })));
    expect(outcomes.slice(0, 20).filter((o) => o.ok)).toHaveLength(5);
    expect(outcomes.slice(20).every((o) => o.ok)).toBe(true);
    const overLimit = outcomes.slice(0, 20).filter((o) => !o.ok);
    for (const o of overLimit) if (!o.ok) expect(o.code).toBe('SL429');
  });
});
