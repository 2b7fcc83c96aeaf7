import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openPostgresDb } from '../../server/db/postgres.ts';
import type { Db } from '../../server/db/port.ts';
import type { RateLimitRule } from '../../server/http/rate-limit.ts';
import { makeProvider } from '../support/fixtures.ts';
import { startLimitedServer, type LimitedServer } from '../support/limited-server.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startServerProcess } from '../support/process.ts';

const LONG = 30 * 86_400;
const HOUR = 3_600_000;

let pg: PostgresServer;
let url: string;
let dbs: (Db & { sql: postgres.Sql })[] = [];
let servers: LimitedServer[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase('slotline_rate');
  // Two pools = two server instances' connections to one database.
  dbs = [await openPostgresDb({ url, max: 20 }), await openPostgresDb({ url, max: 20, migrate: false, connectTimeout: 2 })];
  await makeProvider(dbs[0], { slug: 'kim', settings: { booking: { slotStepMinutes: 60, horizonDays: 60 } } });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dbs.map((d) => d.close()));
  await pg?.stop();
});

describe('check_rate_limit on PostgreSQL 15 under concurrency', () => {
  it('300 simultaneous calls from two pools with room for 50: exactly 50 allowed', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        dbs[i % 2].rpc('check_rate_limit', {
          p_identifier: 'ip:198.51.100.1', p_endpoint: 'race', p_max_requests: 50, p_window_seconds: LONG,
        })),
    );
    const allowed = results.filter((r) => r.allowed);
    expect(allowed).toHaveLength(50);
    // Each allowed call saw a different count: remaining runs 49 … 0 with no repeats.
    expect(allowed.map((r) => r.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const [{ count }] = await dbs[0].sql<{ count: number }[]>`
      select count from rate_limits where identifier = 'ip:198.51.100.1' and endpoint = 'race'`;
    expect(count).toBe(50);
  });
});

describe('rateLimit on two server instances sharing PostgreSQL', () => {
  it('share one count over HTTP, and answer 503 (not 500, not a hang) while the database is down', async () => {
    const rules: RateLimitRule[] = [{ endpoint: 'bookings', per: 'ip', max: 4, windowSeconds: LONG }];
    servers = [await startLimitedServer({ db: dbs[0], rules }), await startLimitedServer({ db: dbs[1], rules })];
    const base = Math.floor(Date.now() / HOUR) * HOUR + 2 * 86_400_000;
    const book = (server: LimitedServer, i: number) =>
      fetch(`${server.url}/api/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'kim', service: 'call', start: new Date(base + i * HOUR).toISOString(), email: `v${i}@example.com` }),
        signal: AbortSignal.timeout(15_000),
      });
    // Twelve at once, six through each instance: four get in, the rest are refused.
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => book(servers[i % 2], i).then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(8);
    const [{ n }] = await dbs[0].sql<{ n: number }[]>`select count(*)::int as n from bookings`;
    expect(n).toBe(4);

    pg.kill();
    try {
      const started = Date.now();
      const down = await book(servers[1], 20);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(down.headers.get('retry-after')).toBeTruthy();
      // This body fails validation before the route touches the database, so the 503 is the
      // limiter's: it lets "database unavailable" through instead of failing open.
      const invalid = await fetch(`${servers[0].url}/api/bookings`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"provider":"kim"}',
        signal: AbortSignal.timeout(15_000),
      });
      expect(invalid.status).toBe(503);
      expect((await invalid.json()).type).toMatch(/\/unavailable$/);
    } finally {
      await pg.start();
    }
  });
});

describe('as mounted by the app (npm start), configured from the environment', () => {
  it('two server processes share RATE_LIMIT_BOOKINGS_PER_IP and answer 429 with Retry-After', async () => {
    const env = {
      DATABASE_URL: url, SEED_DEMO: '0', RATE_LIMIT_BOOKINGS_PER_IP: '3', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0',
      RATE_LIMIT_WINDOW_SECONDS: String(LONG),
    };
    const processes = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      await dbs[0].sql`delete from rate_limits`;
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${processes[i % 2].url}/api/bookings/${'A'.repeat(43)}/cancel`, { method: 'POST' });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      // Three writes get through to the route (an unknown booking: 404), then the address is limited.
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
    } finally {
      await Promise.all(processes.map((p) => p.stop()));
    }
  });
});
