/**
 * Hostile input against every endpoint (issue 7): generated paths, query strings, headers and bodies —
 * wrong types, huge strings, invalid UTF-8, prototype-pollution keys, odd zones and instants, SQL and HTML —
 * through `app.request()` and over real sockets. Every answer must be a 4xx problem+json (or the booking
 * page's HTML 404) or a success the input deserved, never a 5xx; afterwards the database holds exactly the
 * bookings that were answered 201. Bounded: about 2,500 requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connect } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { PGlite } from '@electric-sql/pglite';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/port.ts';
import { PROBLEM_BASE } from '../../server/http/problem.ts';
import { seedDemo } from '../../server/providers/demo.ts';
import { createTestDb } from '../support/db.ts';
import { makeProvider } from '../support/fixtures.ts';
import { anyString, headerValue, invalidUtf8, oddInstant, oddZone, PAYLOADS, segment, wrongType } from '../support/hostile.ts';
import { freePort } from '../support/postgres.ts';

const HOUR = 3_600_000;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

let db: Db & { pg: PGlite };
let app: ReturnType<typeof createApp>;
let server: ServerType;
let port: number;
const serverErrors: string[] = [];
/** Every booking answered 201 (id → manage token), and the ids a cancel answered as cancelled. */
const created = new Map<string, string>();
const cancelled = new Set<string>();
let demoStarts: string[] = [];
let requests = 0;

beforeAll(async () => {
  db = await createTestDb();
  await seedDemo(db);
  await makeProvider(db, { slug: 'kim', settings: { booking: { slotStepMinutes: 60, horizonDays: 30 } } });
  // Rate limits off: a 429 is a fine answer, but it would stop the fuzz from reaching the routes.
  const config = readConfig({ PORT: '8787', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' });
  app = createApp({ db, config, log: (m) => serverErrors.push(m) });
  port = await freePort();
  server = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const slots = await (await app.request('/api/providers/demo/slots?service=intro')).json() as { slots: { start: string }[] };
  demoStarts = slots.slots.map((s) => s.start).slice(0, 40);
  console.log(`[fuzz] seed ${SEED} (FUZZ_SEED=${SEED} to replay)`);
});
afterAll(async () => {
  await new Promise<void>((resolve) => {
    server?.close(() => resolve());
    (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
  });
  await db?.close();
});

interface Answer {
  status: number;
  json: unknown;
}

/**
 * Checks one answer: never 5xx; errors are problem+json whose `status` matches (the booking page may
 * answer its HTML 404); successes are statuses a client can act on.
 */
async function judge(res: Response, what: string): Promise<Answer> {
  requests++;
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  const context = `${what} → ${res.status} ${type} ${text.slice(0, 300)}`;
  expect(res.status, context).toBeLessThan(500);
  if (res.status >= 400) {
    const pathOf = what.split(' ')[1] ?? '';
    if (/^text\/html/.test(type)) {
      expect(res.status, context).toBe(404);
      // Only the visitor pages answer "not found" as a page: the booking page and the manage link.
      expect(pathOf.startsWith('/c/') || pathOf.startsWith('/b/'), context).toBe(true);
      return { status: res.status, json: null };
    }
    expect(type, context).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(text) as { type: string; title: string; status: number };
    expect(problem.status, context).toBe(res.status);
    expect(problem.type.startsWith(PROBLEM_BASE), context).toBe(true);
    expect(typeof problem.title, context).toBe('string');
    return { status: res.status, json: problem };
  }
  expect([200, 201, 204, 301, 302, 304], context).toContain(res.status);
  return { status: res.status, json: /json/.test(type) && text ? JSON.parse(text) : null };
}

async function send(method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit } = {}): Promise<Answer> {
  const what = `${method} ${path} ${typeof init.body === 'string' ? init.body.slice(0, 200) : init.body ? '<bytes>' : ''}`;
  return judge(await app.request(path, { method, headers: init.headers, body: init.body }), what);
}

/** Records what a booking answer promised, for the final database check. */
function remember(answer: Answer): void {
  const body = answer.json as { booking?: { id: string; status: string }; manageUrl?: string } | null;
  if (answer.status === 201) {
    expect(body?.booking?.id).toBeTruthy();
    created.set(body!.booking!.id, body!.manageUrl!.split('/b/')[1]);
  } else if (answer.status === 200 && body?.booking) {
    // A replay (same idempotency key) answers with a booking that was created before.
    expect(created.has(body.booking.id), `replayed ${body.booking.id}`).toBe(true);
  }
}

const runs = (n: number) => ({ numRuns: n, seed: SEED });
const kimStart = fc.integer({ min: -30, max: 24 * 35 }).map((h) => new Date(Math.floor(Date.now() / HOUR) * HOUR + h * HOUR).toISOString());
const headers = fc.dictionary(
  fc.constantFrom('accept-language', 'if-none-match', 'x-forwarded-proto', 'x-forwarded-for', 'cookie', 'accept', 'origin', 'referer', 'x-custom'),
  headerValue,
  { maxKeys: 4 },
);
const contentType = fc.constantFrom(
  'application/json', 'application/json; charset=utf-8', 'application/problem+json', 'APPLICATION/JSON', 'text/plain',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '',
);

/** A JSON object written as text, so `__proto__` stays an ordinary key as it would on the wire. */
function rawJson(entries: [string, unknown][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
}

describe('fuzz: never a 5xx', () => {
  it('generated paths and methods on every route prefix', async () => {
    const prefixes = [
      '/', '/api/', '/api/providers/', '/api/providers/demo/', '/api/providers/kim/slots/', '/api/bookings/', '/c/', '/c/demo/',
      '/examples/', '/assets/', '/widget.js/', '/healthz/', '/ics/', '/b/', '/api/stripe/', '/nope/',
    ];
    const seg = fc.oneof(
      fc.webSegment(),
      anyString.map(segment),
      fc.constantFrom('%', '%zz', '%c3%28', '%ff%fe', '%00', '%2e%2e', '%2e%2e%2f%2e%2e%2fpackage.json', '..', '.', '%u0041', 'a'.repeat(3000)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes), fc.array(seg, { maxLength: 3 }), fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        headers, fc.option(fc.webQueryParameters()),
        async (prefix, segments, method, h, query) => {
          const path = prefix + segments.join('/') + (query ? `?${query}` : '');
          const answer = await send(method, path, { headers: h });
          if (answer.status === 200 && path.startsWith('/examples/')) {
            // Nothing outside examples/ is ever served.
            const res = await app.request(path);
            expect(await res.text()).not.toContain('"name": "slotline"');
          }
        },
      ),
      runs(450),
    );
  });

  it('slot queries with odd zones, instants, services and repeated parameters', async () => {
    const often = <T,>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: bad });
    const query = fc.constantFrom('demo', 'kim', 'kim', 'nobody', 'DEMO').chain((slug) =>
      fc.record({
        slug: fc.constant(slug),
        service: often(fc.constant(slug === 'kim' ? 'call' : 'intro'), fc.oneof(fc.constantFrom('intro', 'session', 'call'), anyString)),
        from: fc.option(oddInstant, { nil: undefined }),
        to: fc.option(oddInstant, { nil: undefined, freq: 2 }),
        tz: fc.option(often(fc.constantFrom('UTC', 'Pacific/Kiritimati', 'Etc/GMT+12', 'Asia/Kathmandu', 'Australia/Lord_Howe'), oddZone), { nil: undefined }),
        extra: fc.option(fc.tuple(fc.constantFrom('service', 'from', 'to', 'tz', '__proto__', 'constructor'), anyString), { nil: undefined }),
      }));
    await fc.assert(
      fc.asyncProperty(query, headers, async ({ slug, extra, ...params }, h) => {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(params)) if (v !== undefined) q.append(k, v);
        if (extra) q.append(extra[0], extra[1]);
        const answer = await send('GET', `/api/providers/${slug}/slots?${q.toString().replace(/%EF%BF%BD/g, '%ff')}`, { headers: h });
        if (answer.status === 200) {
          const body = answer.json as { slots: { start: string; end: string }[]; days: Record<string, number> };
          for (const s of body.slots) expect(Date.parse(s.end)).toBeGreaterThan(Date.parse(s.start));
          expect(Object.values(body.days).reduce((a, b) => a + b, 0)).toBe(body.slots.length);
        }
      }),
      runs(600),
    );
  });

  it('WhatsApp hand-offs: request links and share messages with hostile names, times, zones and counts', async () => {
    const start = fc.oneof(fc.constantFrom(...(demoStarts.length ? demoStarts : ['2030-01-01T09:00:00Z'])), oddInstant);
    const params = fc.record({
      service: fc.oneof({ weight: 4, arbitrary: fc.constant('intro') }, { weight: 1, arbitrary: anyString }),
      start,
      name: anyString,
      lang: fc.oneof(fc.constantFrom('en', 'ar', 'AR', 'xx'), anyString),
      tz: fc.oneof(fc.constantFrom('Asia/Dubai', 'Pacific/Kiritimati', 'America/St_Johns'), oddZone),
      count: fc.oneof(fc.constantFrom('1', '3', '10', '11', '0', '-1', '2.5', '1e3', 'NaN'), anyString),
      slots: fc.array(start, { maxLength: 4 }).map((a) => a.join(',')),
    }, { requiredKeys: ['service'] });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('whatsapp-link', 'share-message'), fc.constantFrom('demo', 'kim', 'nobody'), params, async (route, slug, q) => {
        const search = new URLSearchParams(q as Record<string, string>).toString().replace(/%EF%BF%BD/g, '%ff');
        const answer = await send('GET', `/api/providers/${slug}/${route}?${search}`);
        if (answer.status === 200) {
          const body = answer.json as { url?: string; text?: string };
          // The text travels inside a wa.me URL: it must come back out exactly, whatever it holds.
          if (body.url && body.text !== undefined) {
            expect(body.url.startsWith('https://wa.me/')).toBe(true);
            expect(new URL(body.url).searchParams.get('text')).toBe(body.text);
          }
        }
      }),
      runs(250),
    );
  });

  it('POST /api/bookings with arbitrary bodies, content types and bytes', async () => {
    const keys = fc.constantFrom('provider', 'service', 'start', 'name', 'email', 'phone', 'notes', 'timezone', 'idempotencyKey', '__proto__', 'constructor', 'prototype', 'extra');
    const body = fc.oneof(
      fc.array(fc.tuple(keys, wrongType), { maxLength: 8 }).map(rawJson),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      anyString,
      fc.constantFrom('', '{', '{"provider":', 'null', '[]', '"x"', '1e999', '{"provider":"kim"}'.repeat(3), '{"a":'.repeat(5000)),
      fc.tuple(invalidUtf8, fc.constantFrom('name', 'notes', 'provider', 'start')).map(([bytes, field]) => {
        const head = new TextEncoder().encode(`{"provider":"kim","service":"call","start":"2030-01-01T00:00:00Z","email":"a@example.com","${field}":"`);
        const tail = new TextEncoder().encode('"}');
        return Uint8Array.from([...head, ...bytes, ...tail]);
      }),
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, headers, async (b, type, h) => {
        remember(await send('POST', '/api/bookings', { headers: { ...h, 'content-type': type }, body: b }));
      }),
      runs(500),
    );
    // Parsing hostile keys never touched a prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('POST /api/bookings that are nearly right: real slots, hostile names, notes, contacts, zones and keys', async () => {
    // Each field is usually acceptable-but-hostile, so many of these reach the database.
    const often = <T,>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: bad });
    const booking = fc.record({
      provider: fc.constantFrom('kim', 'kim', 'demo'),
      start: often(kimStart, oddInstant),
      name: often(fc.oneof(fc.constantFrom(...PAYLOADS).map((p) => `Sara ${p}`), fc.string({ unit: 'binary', maxLength: 60 })), anyString),
      email: often(fc.constantFrom('a@example.com', "o'brien@example.com", '"<script>"@example.com', 'a+b@example.co.uk'), fc.oneof(fc.emailAddress(), fc.constantFrom('a@b', '', 'x'.repeat(300) + '@example.com'))),
      phone: fc.option(fc.oneof(fc.constantFrom('+971500000000', '+1 (555) 010-0000', "1'; --", '١٢٣٤٥٦٧'), anyString), { nil: undefined, freq: 2 }),
      notes: fc.option(often(fc.oneof(fc.constantFrom(...PAYLOADS), fc.string({ unit: 'binary', maxLength: 400 })), anyString), { nil: undefined }),
      timezone: fc.option(oddZone, { nil: undefined, freq: 2 }),
      idempotencyKey: fc.option(fc.oneof(fc.constantFrom('fuzz-key-0001', 'fuzz-key-0002', 'fuzz-key-0003'), anyString), { nil: undefined, freq: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(booking, async (b) => {
        const body = { ...b, service: b.provider === 'kim' ? 'call' : 'intro' };
        if (b.provider === 'demo' && demoStarts.length && !b.start.includes('+')) body.start = demoStarts[b.name.length % demoStarts.length];
        const answer = await send('POST', '/api/bookings', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        remember(answer);
        if (answer.status === 201) {
          // What came in is what is stored, byte for byte (no SQL or HTML ever interpreted).
          const token = created.get((answer.json as { booking: { id: string } }).booking.id)!;
          const view = await send('GET', `/api/bookings/${token}`);
          expect((view.json as { booking: { name: string } }).booking.name).toBe(wellFormed(body.name.trim()));
        }
      }),
      runs(500),
    );
    expect(created.size).toBeGreaterThan(20);
  });

  it('the manage link: real and forged tokens, hostile cancel and reschedule bodies, the calendar file', async () => {
    const tokens = [...created.values()];
    expect(tokens.length).toBeGreaterThan(0);
    const token = fc.oneof(
      fc.constantFrom(...tokens),
      fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      anyString.map(segment),
    );
    const action = fc.constantFrom('view', 'ics', 'cancel', 'reschedule', 'other');
    const body = fc.oneof(
      fc.constant(undefined),
      fc.record({ reason: wrongType }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.record({ start: fc.oneof(oddInstant, kimStart) }).map((v) => JSON.stringify(v)),
      fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'reason', 'start'), wrongType), { maxLength: 4 }).map(rawJson),
      anyString,
      invalidUtf8,
    );
    await fc.assert(
      fc.asyncProperty(token, action, body, contentType, async (t, a, b, type) => {
        const init = { headers: { 'content-type': type }, body: b };
        if (a === 'view') await send('GET', `/api/bookings/${t}`);
        else if (a === 'ics') await send('GET', `/api/bookings/${t}/ics`);
        else if (a === 'other') await send('POST', `/api/bookings/${t}/${segment(String(b ?? 'x')).slice(0, 50)}`, init);
        else {
          const answer = await send('POST', `/api/bookings/${t}/${a}`, init);
          const booking = (answer.json as { booking?: { id: string; status: string } } | null)?.booking;
          if (a === 'cancel' && answer.status === 200 && booking?.status === 'cancelled') cancelled.add(booking.id);
        }
      }),
      runs(350),
    );
  });

  it('booking pages, the widget, examples and health with hostile slugs, queries and headers', async () => {
    const target = fc.oneof(
      fc.tuple(fc.constantFrom('demo', 'kim', 'nobody', 'DEMO'), fc.option(fc.oneof(fc.constantFrom('intro', 'session', 'call'), anyString.map(segment))))
        .map(([slug, service]) => `/c/${slug}${service === null ? '' : `/${service}`}`),
      anyString.map((s) => `/c/${segment(s)}`),
      fc.constantFrom('/widget.js', '/healthz', '/examples/', '/examples', '/'),
    );
    const query = fc.record({ lang: anyString, tz: oddZone, service: anyString }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(target, query, headers, async (path, q, h) => {
        const search = new URLSearchParams(q as Record<string, string>).toString();
        const answer = await send('GET', search ? `${path}?${search}` : path, { headers: h });
        if (answer.status === 200 && path.startsWith('/c/')) {
          const page = await (await app.request(search ? `${path}?${search}` : path, { headers: h })).text();
          // Visitor-controlled text never lands in the page as markup.
          for (const p of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>']) expect(page).not.toContain(p);
        }
      }),
      runs(250),
    );
  });

  it('over real sockets: invalid UTF-8 and control bytes in the request line, headers and body', async () => {
    const line = fc.tuple(
      fc.constantFrom('GET /c/', 'GET /api/providers/', 'GET /api/bookings/', 'POST /api/bookings', 'GET /examples/', 'GET /api/providers/demo/slots?service=intro&tz=', 'GET /c/demo?lang='),
      invalidUtf8,
    );
    const raw = fc.record({
      line, header: invalidUtf8, body: invalidUtf8,
      headerName: fc.constantFrom('accept-language', 'x-forwarded-for', 'if-none-match', 'content-type', 'user-agent'),
      // Browsers percent-encode such bytes in URLs; Node's parser refuses them raw (a bare 400), so mostly encoded.
      encoded: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    });
    let reachedApp = 0;
    await fc.assert(
      fc.asyncProperty(raw, async ({ line: [start, rawBytes], header, body, headerName, encoded }) => {
        const bytes = encoded ? Buffer.from([...rawBytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')) : rawBytes;
        const isPost = start.startsWith('POST');
        const payload = Buffer.concat([Buffer.from(`{"provider":"kim","name":"`), Buffer.from(body), Buffer.from('"}')]);
        const head = Buffer.concat([
          Buffer.from(start, 'latin1'), Buffer.from(bytes.filter((b) => b > 0x20 && b !== 0x7f)), Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\n'),
          Buffer.from(`${headerName}: `), Buffer.from(header.filter((b) => b !== 10 && b !== 13 && b !== 0)), Buffer.from('\r\n'),
          Buffer.from(isPost ? `content-type: application/json\r\ncontent-length: ${payload.length}\r\n` : ''),
          Buffer.from('connection: close\r\n\r\n'),
        ]);
        const response = await rawRequest(Buffer.concat([head, isPost ? payload : Buffer.alloc(0)]));
        requests++;
        const context = `${start} ${Buffer.from(bytes).toString('hex')} / ${headerName}: ${Buffer.from(header).toString('hex')} → ${response.slice(0, 300)}`;
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
        expect(status, context).toBeGreaterThanOrEqual(200);
        expect(status, context).toBeLessThan(500);
        const type = /\r\ncontent-type: ([^\r]*)/i.exec(response)?.[1] ?? '';
        if (type) reachedApp++;
        if (status >= 400 && type) {
          // Node's own parser may refuse a request before the app sees it (a bare 400); the app's answers are problems.
          expect(type.startsWith('application/problem+json') || (status === 404 && type.startsWith('text/html')), context).toBe(true);
        }
      }),
      runs(150),
    );
    // Most requests must reach the app (not all: Node's parser refuses some raw bytes first). About 85 of 150 do on
    // average; 75 failed for a seed that sent 72, so the bound says "a good part" without failing on a fair seed.
    expect(reachedApp).toBeGreaterThan(50);
  });

  it('afterwards the database holds exactly the bookings answered 201, cancelled exactly where a cancel said so', async () => {
    const { rows } = await db.pg.query<{ id: string; status: string }>('select id::text, status from bookings');
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(created.keys()));
    for (const r of rows) {
      if (cancelled.has(r.id)) expect(r.status, r.id).toBe('cancelled');
      else expect(['confirmed', 'pending'], r.id).toContain(r.status);
    }
    // The app logs every 500 it answers; the first line of each names the failure.
    expect([...new Set(serverErrors.map((m) => m.split('\n')[0]))]).toEqual([]);
    console.log(`[fuzz] ${requests} requests, ${created.size} bookings, ${cancelled.size} cancelled`);
    expect(requests).toBeGreaterThan(2000);
  });
});

/** Lone surrogates become U+FFFD on the way to the database (UTF-8 cannot carry them). */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Sends bytes on a fresh connection and returns the raw response text (latin1). */
function rawRequest(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 10 s to ${bytes.toString('latin1').slice(0, 200)}`));
    }, 10_000);
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      if (data) resolve(data);
      else reject(e);
    });
    socket.write(bytes);
  });
}
