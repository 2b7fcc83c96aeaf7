import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import type { Db } from '../../server/db/port.ts';
import {
  normalizeAddress, RATE_LIMIT_DEFAULTS, type RateLimitRule,
} from '../../server/http/rate-limit.ts';
import { createTestDb } from '../support/db.ts';
import { makeProvider } from '../support/fixtures.ts';
import { startLimitedServer, type LimitedServer } from '../support/limited-server.ts';
import { readConfig } from '../../server/config.ts';

/** Long windows so a test never straddles a window boundary (windows are aligned to the epoch). */
const LONG = 30 * 86_400;
const HOUR = 3_600_000;

let db: Db & { pg: PGlite };
let servers: LimitedServer[] = [];
let slot = 0;
/** A fresh free start for the around-the-clock test providers (one hour apart, days ahead). */
const nextStart = () => new Date(Math.floor(Date.now() / HOUR) * HOUR + 2 * 86_400_000 + ++slot * HOUR).toISOString();

beforeAll(async () => {
  db = await createTestDb();
  const booking = { slotStepMinutes: 60, horizonDays: 60 };
  await makeProvider(db, { slug: 'kim', settings: { booking } });
  await makeProvider(db, { slug: 'lee', settings: { booking } });
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  await db.pg.query('delete from rate_limits');
});
afterAll(() => db.close());

async function start(rules: RateLimitRule[], trustProxy: boolean | number = false, log?: (m: string) => void) {
  const s = await startLimitedServer({ db, rules, trustProxy, log });
  servers.push(s);
  return s;
}

function book(server: LimitedServer, provider = 'kim', headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ provider, service: 'call', start: nextStart(), name: 'Visitor', email: 'v@example.com' }),
  });
}

async function bookingCount(): Promise<number> {
  return (await db.pg.query<{ n: number }>('select count(*)::int as n from bookings')).rows[0].n;
}

const check = (identifier: string, max: number, windowSeconds = LONG, endpoint = 'test') =>
  db.rpc('check_rate_limit', {
    p_identifier: identifier, p_endpoint: endpoint, p_max_requests: max, p_window_seconds: windowSeconds,
  });

describe('check_rate_limit (SQL)', () => {
  it('allows max requests per window, counting down, then refuses with the time until the window turns', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await check('ip:203.0.113.1', 3, 600));
    expect(results.slice(0, 3)).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0 },
    ]);
    for (const r of results.slice(3)) {
      expect(r).toMatchObject({ allowed: false, remaining: 0 });
      expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(r.retryAfterSeconds).toBeLessThanOrEqual(600);
    }
    // Refused requests are not counted: the stored count stops at the limit.
    const { rows } = await db.pg.query<{ count: number }>("select count from rate_limits where identifier = 'ip:203.0.113.1'");
    expect(rows).toEqual([{ count: 3 }]);
  });

  it('keeps identifiers and endpoints apart', async () => {
    expect((await check('ip:a', 1)).allowed).toBe(true);
    expect((await check('ip:a', 1)).allowed).toBe(false);
    expect((await check('ip:b', 1)).allowed).toBe(true);
    expect((await check('ip:a', 1, LONG, 'other')).allowed).toBe(true);
  });

  it('lets requests in again when the window turns over', async () => {
    expect((await check('ip:short', 1, 2)).allowed).toBe(true);
    const refused = await check('ip:short', 1, 2);
    expect(refused.allowed).toBe(false);
    await new Promise((r) => setTimeout(r, refused.retryAfterSeconds * 1000 + 50));
    expect((await check('ip:short', 1, 2)).allowed).toBe(true);
  });

  it('rejects nonsense arguments with SQLSTATE 22023', async () => {
    for (const [id, max, win] of [['', 1, 60], ['ip:x', 0, 60], ['ip:x', 1, 0], ['ip:x', 1, 40 * 86_400]] as const) {
      await expect(check(id, max, win)).rejects.toMatchObject({ code: '22023' });
    }
  });

  it('is for the service role only, and its table has RLS on and no visitor grants', async () => {
    const { rows } = await db.pg.query<Record<string, boolean>>(`
      select has_function_privilege('anon', 'public.check_rate_limit(text,text,int,int)', 'execute') as anon,
             has_function_privilege('authenticated', 'public.check_rate_limit(text,text,int,int)', 'execute') as auth,
             has_function_privilege('service_role', 'public.check_rate_limit(text,text,int,int)', 'execute') as service,
             has_table_privilege('anon', 'public.rate_limits', 'select') as anon_select,
             has_table_privilege('authenticated', 'public.rate_limits', 'insert') as auth_insert,
             (select relrowsecurity from pg_class where oid = 'public.rate_limits'::regclass) as rls`);
    expect(rows[0]).toEqual({ anon: false, auth: false, service: true, anon_select: false, auth_insert: false, rls: true });
    await db.pg.exec('set role anon');
    try {
      await expect(db.pg.query("select public.check_rate_limit('ip:x', 'test', 1, 60)")).rejects.toThrow(/permission denied/);
    } finally {
      await db.pg.exec('reset role');
    }
  });
});

describe('rate limit settings from the environment', () => {
  const rateLimitRulesFromEnv = (env: Record<string, string>) => readConfig(env).rateLimits;

  it('defaults to 20 per IP and 200 per provider per 10 minutes', () => {
    expect(RATE_LIMIT_DEFAULTS).toEqual({ perIp: 20, perProvider: 200, windowSeconds: 600 });
    expect(rateLimitRulesFromEnv({})).toEqual([
      { endpoint: 'bookings', per: 'ip', max: 20, windowSeconds: 600 },
      { endpoint: 'bookings', per: 'provider', max: 200, windowSeconds: 600 },
    ]);
  });

  it('reads overrides, 0 switches a limit off, and bad values are refused', () => {
    expect(rateLimitRulesFromEnv({
      RATE_LIMIT_BOOKINGS_PER_IP: '5', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0', RATE_LIMIT_WINDOW_SECONDS: '60',
    })).toEqual([{ endpoint: 'bookings', per: 'ip', max: 5, windowSeconds: 60 }]);
    expect(() => rateLimitRulesFromEnv({ RATE_LIMIT_BOOKINGS_PER_IP: 'many' })).toThrow(/RATE_LIMIT_BOOKINGS_PER_IP/);
    expect(() => rateLimitRulesFromEnv({ RATE_LIMIT_WINDOW_SECONDS: '0' })).toThrow(/RATE_LIMIT_WINDOW_SECONDS/);
    expect(() => rateLimitRulesFromEnv({ RATE_LIMIT_BOOKINGS_PER_PROVIDER: '-1' })).toThrow(/PER_PROVIDER/);
  });
});

describe('client addresses', () => {
  it('normalises IPv4, mapped IPv4, ports and brackets; IPv6 counts per /64; junk is not an address', () => {
    expect(normalizeAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(normalizeAddress(' 203.0.113.7:51234 ')).toBe('203.0.113.7');
    expect(normalizeAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(normalizeAddress('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(normalizeAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(normalizeAddress('[2001:db8:1:2::ffff]:443')).toBe('2001:db8:1:2::/64');
    expect(normalizeAddress('2001:DB8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(normalizeAddress('::1')).toBe('0:0:0:0::/64');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    for (const junk of ['', 'unknown', '1.2.3', '999.1.1.1', '<script>', "1.1.1.1' or 1=1"]) {
      expect(normalizeAddress(junk)).toBeUndefined();
    }
  });
});

describe('rateLimit middleware over HTTP', () => {
  it('two server instances on one database share the count; over the limit: 429 problem+json with Retry-After, nothing written', async () => {
    const rules: RateLimitRule[] = [{ endpoint: 'bookings', per: 'ip', max: 3, windowSeconds: LONG }];
    const [a, b] = [await start(rules), await start(rules)];
    const before = await bookingCount();
    const statuses = [];
    for (const server of [a, b, a]) statuses.push((await book(server)).status);
    expect(statuses).toEqual([201, 201, 201]);

    const refused = await book(b);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(LONG);
    const body = await refused.json();
    expect(body).toMatchObject({ type: 'https://slotline.dev/problems/rate-limited', status: 429, retryAfterSeconds: retryAfter });
    expect(body.detail).toMatch(/network/);
    expect((await book(a)).status).toBe(429);
    expect(await bookingCount()).toBe(before + 3);

    // Reads are never limited.
    const slots = await fetch(`${a.url}/api/providers/kim/slots?service=call`);
    expect(slots.status).toBe(200);
  });

  it('cancel through the manage link counts as a write from the same address', async () => {
    const s = await start([{ endpoint: 'bookings', per: 'ip', max: 2, windowSeconds: LONG }]);
    const created = await book(s);
    expect(created.status).toBe(201);
    const token = (await created.json()).manageUrl.split('/b/')[1];
    const cancel = () => fetch(`${s.url}/api/bookings/${token}/cancel`, { method: 'POST' });
    expect((await cancel()).status).toBe(200);
    expect((await cancel()).status).toBe(429);
    // Reading the booking is not a write.
    expect((await fetch(`${s.url}/api/bookings/${token}`)).status).toBe(200);
  });

  it('a Retry-After answer is honest: after waiting that long the request goes through', async () => {
    const s = await start([{ endpoint: 'bookings', per: 'ip', max: 1, windowSeconds: 2 }]);
    expect((await book(s)).status).toBe(201);
    const refused = await book(s);
    expect(refused.status).toBe(429);
    await new Promise((r) => setTimeout(r, Number(refused.headers.get('retry-after')) * 1000 + 50));
    expect((await book(s)).status).toBe(201);
  });

  it('limits per provider named in the body, whatever the address', async () => {
    const s = await start([
      { endpoint: 'bookings', per: 'ip', max: 100, windowSeconds: LONG },
      { endpoint: 'bookings', per: 'provider', max: 2, windowSeconds: LONG },
    ], true);
    const from = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}` });
    expect((await book(s, 'kim', from(1))).status).toBe(201);
    expect((await book(s, 'kim', from(2))).status).toBe(201);
    const refused = await book(s, 'kim', from(3));
    expect(refused.status).toBe(429);
    expect((await refused.json()).detail).toMatch(/provider/);
    expect((await book(s, 'lee', from(3))).status).toBe(201);
    // A body naming no valid provider is not counted against anyone (the route answers it).
    const bad = await fetch(`${s.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...from(4) }, body: '{"provider":"KIM!"}',
    });
    expect(bad.status).toBe(400);
  });

  it('only valid requests naming a real provider count against it: 200 junk cancels do not block its bookings', async () => {
    const s = await start([{ endpoint: 'bookings', per: 'provider', max: 3, windowSeconds: LONG }]);
    const junk = (path: string, body: unknown) => fetch(`${s.url}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const statuses = new Set<number>();
    for (let i = 0; i < 200; i++) {
      // Well-formed and malformed made-up tokens, each body naming the provider it tries to lock out.
      const token = i % 2 ? `${'A'.repeat(40)}${String(i).padStart(3, '0')}` : `bogus-${i}`;
      statuses.add((await junk(`/api/bookings/${token}/cancel`, { provider: 'kim', reason: 'x' })).status);
    }
    // Invalid booking bodies and unknown providers do not count either.
    for (let i = 0; i < 10; i++) {
      statuses.add((await junk('/api/bookings', { provider: 'kim', service: 'call' })).status);
      statuses.add((await junk('/api/bookings', { provider: 'nobody', service: 'call', start: nextStart(), email: 'v@example.com' })).status);
    }
    expect([...statuses].sort()).toEqual([400, 404]);
    const { rows } = await db.pg.query("select count(*)::int as n from rate_limits where identifier like 'provider:%'");
    expect(rows).toEqual([{ n: 0 }]);

    // The provider's real bookings go through; a real cancel counts against it as a write.
    const created = await book(s);
    expect(created.status).toBe(201);
    expect((await book(s)).status).toBe(201);
    const token = (await created.json()).manageUrl.split('/b/')[1];
    expect((await fetch(`${s.url}/api/bookings/${token}/cancel`, { method: 'POST' })).status).toBe(200);
    const refused = await book(s);
    expect(refused.status).toBe(429);
    expect((await refused.json()).detail).toMatch(/provider/);
    expect((await book(s, 'lee')).status).toBe(201);
  });

  it('without trustProxy X-Forwarded-For is ignored: every spoofed address shares the socket address', async () => {
    const s = await start([{ endpoint: 'bookings', per: 'ip', max: 2, windowSeconds: LONG }], false);
    const statuses = [];
    for (let i = 1; i <= 3; i++) statuses.push((await book(s, 'kim', { 'x-forwarded-for': `192.0.2.${i}` })).status);
    expect(statuses).toEqual([201, 201, 429]);
    const { rows } = await db.pg.query<{ identifier: string }>('select identifier from rate_limits');
    expect(rows.map((r) => r.identifier)).toEqual(['ip:127.0.0.1']);
  });

  it('with trustProxy the address the proxy appended counts; entries a client prepends do not', async () => {
    const s = await start([{ endpoint: 'bookings', per: 'ip', max: 2, windowSeconds: LONG }], true);
    const via = (xff: string) => book(s, 'kim', { 'x-forwarded-for': xff });
    // Two different clients behind the proxy each get their own allowance.
    expect((await via('203.0.113.10')).status).toBe(201);
    expect((await via('203.0.113.10')).status).toBe(201);
    expect((await via('203.0.113.10')).status).toBe(429);
    expect((await via('203.0.113.11')).status).toBe(201);
    // A client cannot escape by prepending made-up addresses: the proxy's entry is the last one.
    expect((await via('10.9.9.9, 203.0.113.10')).status).toBe(429);
    expect((await via('1.1.1.1,  203.0.113.10')).status).toBe(429);
    // One IPv6 /64 is one client.
    expect((await via('2001:db8:5:6::1')).status).toBe(201);
    expect((await via('2001:db8:5:6::2')).status).toBe(201);
    expect((await via('2001:db8:5:6:ffff::3')).status).toBe(429);
    // Junk in the header falls back to the socket address.
    expect((await via('not-an-ip')).status).toBe(201);
    const { rows } = await db.pg.query<{ identifier: string }>('select identifier from rate_limits order by identifier');
    expect(rows.map((r) => r.identifier)).toEqual(['ip:127.0.0.1', 'ip:2001:db8:5:6::/64', 'ip:203.0.113.10', 'ip:203.0.113.11']);
  });

  it('the route still gets the whole body: chunked uploads book, oversized ones get the route\'s 413', async () => {
    const s = await start([
      { endpoint: 'bookings', per: 'ip', max: 100, windowSeconds: LONG },
      { endpoint: 'bookings', per: 'provider', max: 100, windowSeconds: LONG },
    ]);
    const chunked = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
          controller.close();
        },
      });
      return fetch(`${s.url}/api/bookings`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half',
      } as RequestInit);
    };
    const ok = await chunked(JSON.stringify({ provider: 'kim', service: 'call', start: nextStart(), email: 'c@example.com' }));
    expect(ok.status).toBe(201);
    const huge = await chunked(JSON.stringify({ provider: 'kim', service: 'call', start: nextStart(), email: 'c@example.com', notes: 'x'.repeat(40_000) }));
    expect(huge.status).toBe(413);
    const { rows } = await db.pg.query<{ identifier: string; count: number }>(
      "select identifier, count from rate_limits where identifier like 'provider:%'");
    expect(rows).toEqual([{ identifier: 'provider:kim', count: 1 }]);
  });

  it('fails open when the limiter itself breaks (the function is missing): bookings still go through', async () => {
    const logged: string[] = [];
    const s = await start([{ endpoint: 'bookings', per: 'ip', max: 1, windowSeconds: LONG }], false, (m) => logged.push(m));
    await db.pg.exec('alter function public.check_rate_limit(text, text, int, int) rename to check_rate_limit_off');
    try {
      expect((await book(s)).status).toBe(201);
      expect((await book(s)).status).toBe(201);
    } finally {
      await db.pg.exec('alter function public.check_rate_limit_off(text, text, int, int) rename to check_rate_limit');
    }
    expect(logged.length).toBe(2);
    expect(logged[0]).toMatch(/rate limiter could not count/);
  });
});
