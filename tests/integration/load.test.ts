/**
 * Load and faults on a real PostgreSQL 15 over loopback (issue 7), bounded in time: a mixed load
 * against two server processes, then the same load with PostgreSQL restarted in the middle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openPostgresDb } from '../../server/db/postgres.ts';
import { makeProvider } from '../support/fixtures.ts';
import { runLoad, summarize, type LoadResult } from '../support/load.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startServerProcess, type ServerProcess } from '../support/process.ts';

let pg: PostgresServer;
let url: string;
let sql: postgres.Sql;
let servers: ServerProcess[] = [];

const providers = [
  { slug: 'kim', service: 'call' },
  { slug: 'lee', service: 'talk' },
];
/** The load itself is limited by the rate limiter's own tests, not here. */
const NO_RATE_LIMITS = { RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' };

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase('slotline_load');
  const db = await openPostgresDb({ url });
  // 60-minute services offered every 30 minutes: neighbouring slots overlap, so concurrent
  // bookings of different starts can still collide and only the database can tell.
  await makeProvider(db, { slug: 'kim', settings: { booking: { slotStepMinutes: 30, horizonDays: 30 } } });
  await makeProvider(db, {
    slug: 'lee',
    timezone: 'America/New_York',
    settings: { booking: { slotStepMinutes: 15, horizonDays: 30 } },
    services: [{ slug: 'talk', title: 'Talk', durationMinutes: 45, bufferAfterMinutes: 15 }],
  });
  await db.close();
  servers = await Promise.all([
    startServerProcess({ DATABASE_URL: url, SEED_DEMO: '0', ...NO_RATE_LIMITS }),
    startServerProcess({ DATABASE_URL: url, SEED_DEMO: '0', ...NO_RATE_LIMITS }),
  ]);
  sql = postgres(url, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end({ timeout: 2 });
  await Promise.all(servers.map((s) => s.stop()));
  await pg?.stop();
});

/** Live bookings whose occupied ranges overlap, per provider: must always be none. */
async function doubleBookings(): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`
    select count(*)::int as n
      from bookings a
      join bookings b on a.provider_id = b.provider_id and a.id < b.id and a.occupied && b.occupied
     where a.status in ('pending', 'confirmed') and b.status in ('pending', 'confirmed')`;
  return n;
}

/** Every acknowledged booking is stored, and cancelled exactly where a cancel said so. */
async function expectAcknowledgedStored(result: LoadResult): Promise<void> {
  const ids = [...result.booked.keys()];
  const rows = await sql<{ id: string; status: string }[]>`select id::text, status from bookings where id = any(${ids}::uuid[])`;
  expect(rows.length, 'every 201 booking exists').toBe(ids.length);
  for (const r of rows) {
    if (result.uncertain.has(r.id)) expect(['confirmed', 'cancelled']).toContain(r.status);
    else if (result.cancelled.has(r.id)) expect(r.status).toBe('cancelled');
    else expect(r.status).toBe('confirmed');
  }
}

describe('mixed load on two server processes (real PostgreSQL)', () => {
  it('visitors read, book and cancel for 10 s: no 5xx, no double booking, every 201 stored', async () => {
    const result = await runLoad({
      urls: servers.map((s) => s.url), providers, durationMs: 10_000, readers: 12, bookers: 6, cancellers: 2,
    });
    const summary = summarize(result.answers);
    const failures = result.answers.filter((a) => a.status === 0 || a.status >= 500);
    expect(failures, JSON.stringify(summary)).toEqual([]);
    const statuses = new Set(result.answers.map((a) => `${a.kind} ${a.status}`));
    for (const s of statuses) expect(['read 200', 'book 201', 'book 200', 'book 409', 'cancel 200'], JSON.stringify(summary)).toContain(s);
    expect(result.answers.filter((a) => a.kind === 'read').length).toBeGreaterThan(200);
    expect(result.booked.size).toBeGreaterThan(20);
    expect(result.cancelled.size).toBeGreaterThan(0);
    expect(await doubleBookings()).toBe(0);
    await expectAcknowledgedStored(result);
    for (const s of servers) expect(s.child.exitCode).toBeNull();
  });

  it('PostgreSQL restarted mid-load: 503 problems while it is down, recovery on its own, no acknowledged booking lost', async () => {
    const loadStart = Date.now();
    const load = runLoad({
      urls: servers.map((s) => s.url), providers, durationMs: 14_000, readers: 8, bookers: 4, cancellers: 1, timeoutMs: 12_000,
    });
    await new Promise((r) => setTimeout(r, 3_000));
    await pg.restart(3_000);
    const upAt = Date.now();
    const result = await load;
    const summary = JSON.stringify(summarize(result.answers));

    // No 500s, no hangs, no refused connections: the servers stayed up and answered every request.
    const broken = result.answers.filter((a) => a.status === 0 || (a.status >= 500 && a.status !== 503));
    expect(broken, summary).toEqual([]);
    const unavailable = result.answers.filter((a) => a.status === 503);
    expect(unavailable.length, summary).toBeGreaterThan(0);
    for (const a of unavailable) expect(a.problem, summary).toBe('unavailable');
    expect(Math.max(...result.answers.map((a) => a.ms)), summary).toBeLessThan(12_000);

    // Recovered by itself: the last seconds of the run saw no 503 at all, and health is green.
    const late = result.answers.filter((a) => a.at > upAt - loadStart + 2_000);
    expect(late.length, summary).toBeGreaterThan(50);
    expect(late.filter((a) => a.status === 503), summary).toEqual([]);
    for (const s of servers) {
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect(s.child.exitCode).toBeNull();
    }

    expect(await doubleBookings()).toBe(0);
    await expectAcknowledgedStored(result);
  });
});
