import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeProvider } from '../support/fixtures.ts';

let server: TestServer;
let pg: PGlite;
const DAY = 86_400_000;
/** A grid-aligned start three days from now (the test provider works around the clock in UTC). */
const start = (hoursLater = 0) =>
  new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3 * DAY + hoursLater * 3_600_000).toISOString();

beforeAll(async () => {
  server = await startTestServer({ localPayments: false });
  pg = (server.db as unknown as { pg: PGlite }).pg;
  await makeProvider(server.db, {
    slug: 'kim',
    settings: { booking: { slotStepMinutes: 60, minNoticeMinutes: 120, horizonDays: 30, maxPerDay: 20 } },
    services: [
      { slug: 'intro', title: 'Intro', durationMinutes: 30 },
      { slug: 'paid', title: 'Paid', durationMinutes: 60, priceCents: 5000, currency: 'AED' },
    ],
  });
  await pg.query("update providers set is_public = false where public_slug = 'demo'").catch(() => {});
  await makeProvider(server.db, { slug: 'hidden' });
  await pg.query("update providers set is_public = false where public_slug = 'hidden'");
});
afterAll(() => server.close());

async function countBookings(): Promise<number> {
  const { rows } = await pg.query<{ n: number }>('select count(*)::int as n from bookings');
  return rows[0].n;
}

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const valid = () => ({
  provider: 'kim', service: 'intro', start: start(), name: 'Sara', email: 'sara@example.com',
  timezone: 'Europe/Berlin', notes: 'First time',
});

describe('POST /api/bookings', () => {
  it('books a free slot: 201 with the booking and a secret manage link', async () => {
    const res = await post(valid());
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.booking).toMatchObject({ status: 'confirmed', start: valid().start, provider: 'kim', service: 'intro' });
    expect(new Date(body.booking.end).getTime() - new Date(body.booking.start).getTime()).toBe(30 * 60_000);
    expect(body.next).toEqual({ type: 'confirmed' });
    const token = body.manageUrl.split('/b/')[1];
    expect(body.manageUrl.startsWith(server.url + '/b/')).toBe(true);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const { rows } = await pg.query<{ manage_token_hash: string }>('select manage_token_hash from bookings where id = $1', [body.booking.id]);
    expect(rows[0].manage_token_hash).not.toContain(token);
    expect(rows[0].manage_token_hash).toMatch(/^[0-9a-f]{64}$/);

    const view = await fetch(`${server.url}/api/bookings/${token}`);
    expect(view.status).toBe(200);
    expect((await view.json()).booking).toMatchObject({ id: body.booking.id, serviceTitle: 'Intro' });
  });

  it('answers 409 slot-taken for a taken slot and writes nothing', async () => {
    const body = { ...valid(), start: start(5) };
    expect((await post(body)).status).toBe(201);
    const before = await countBookings();
    const res = await post({ ...body, email: 'other@example.com' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await res.json()).type).toMatch(/\/slot-taken$/);
    expect(await countBookings()).toBe(before);
  });

  it('answers 409 slot-unavailable for starts the provider does not offer', async () => {
    const before = await countBookings();
    const cases = [
      new Date(Date.parse(start(6)) + 15 * 60_000).toISOString(), // off the hourly grid
      new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3_600_000).toISOString(), // inside the 2 h notice
      new Date(Date.now() + 40 * DAY).toISOString().slice(0, 13) + ':00:00Z', // beyond the 30-day horizon
    ];
    for (const s of cases) {
      const res = await post({ ...valid(), start: s });
      expect(res.status, s).toBe(409);
      expect((await res.json()).type, s).toMatch(/\/slot-unavailable$/);
    }
    expect(await countBookings()).toBe(before);
  });

  it('returns the same booking for a repeated idempotency key', async () => {
    const body = { ...valid(), start: start(8), idempotencyKey: 'retry-abcdef-1' };
    const first = await post(body);
    const again = await post(body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect((await again.json()).booking.id).toBe((await first.json()).booking.id);
  });

  it('refuses a paid service with 503 when payments are not configured, holding nothing', async () => {
    const before = await countBookings();
    const res = await post({ ...valid(), service: 'paid', start: start(10) });
    expect(res.status).toBe(503);
    expect((await res.json()).type).toMatch(/\/payments-unavailable$/);
    expect(await countBookings()).toBe(before);
  });

  const bad: [string, unknown, string][] = [
    ['malformed JSON', '{"provider": ', 'body'],
    ['an array body', '[]', 'body'],
    ['an unknown zone', { ...valid(), timezone: 'Mars/Olympus' }, 'timezone'],
    ['a bad instant', { ...valid(), start: 'tomorrow at 9' }, 'start'],
    ['an instant without offset', { ...valid(), start: '2030-01-01T10:00:00' }, 'start'],
    ['no contact', { ...valid(), email: undefined }, 'email'],
    ['a bad email', { ...valid(), email: 'not-an-email' }, 'email'],
    ['a bad phone', { ...valid(), email: undefined, phone: 'call me' }, 'phone'],
    ['a missing provider', { ...valid(), provider: undefined }, 'provider'],
    ['a number as name', { ...valid(), name: 42 }, 'name'],
    ['huge notes', { ...valid(), notes: 'x'.repeat(5000) }, 'notes'],
  ];
  for (const [what, body, field] of bad) {
    it(`answers 400 naming the field for ${what}, writing nothing`, async () => {
      const before = await countBookings();
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = await res.json();
      expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await countBookings()).toBe(before);
    });
  }

  it('answers 400 for a body that is not JSON by content type', async () => {
    const res = await fetch(`${server.url}/api/bookings`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].field).toBe('content-type');
  });

  it('answers 404 for an unknown or non-public provider or service', async () => {
    for (const body of [{ ...valid(), provider: 'nobody' }, { ...valid(), provider: 'hidden', service: 'call' }, { ...valid(), service: 'nope' }]) {
      const res = await post(body);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });

  it('answers 413 for a body over 16 KB, writing nothing', async () => {
    const before = await countBookings();
    const res = await post({ ...valid(), notes: 'x'.repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expect(await countBookings()).toBe(before);
  });

  it('cancels through the manage link, freeing the slot at once', async () => {
    const body = { ...valid(), start: start(12) };
    const created = await (await post(body)).json();
    const token = created.manageUrl.split('/b/')[1];
    const cancel = await fetch(`${server.url}/api/bookings/${token}/cancel`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'Sick' }),
    });
    expect(cancel.status).toBe(200);
    expect((await cancel.json()).booking.status).toBe('cancelled');
    expect((await post({ ...body, email: 'next@example.com' })).status).toBe(201);
  });

  it('never reveals whether a booking exists for a wrong token', async () => {
    for (const token of ['x', 'A'.repeat(43), '../../etc/passwd']) {
      const res = await fetch(`${server.url}/api/bookings/${encodeURIComponent(token)}`);
      expect(res.status).toBe(404);
    }
  });
});

describe('GET /healthz', () => {
  it('answers 200 once the database is reachable', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: 'embedded' });
  });
});
