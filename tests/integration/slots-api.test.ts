import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeProvider } from '../support/fixtures.ts';

const NOW = new Date('2026-03-02T06:00:00Z'); // a Monday
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ now: () => NOW });
  await makeProvider(server.db, {
    slug: 'ny',
    timezone: 'America/New_York',
    settings: {
      workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '12:00' },
      booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 60 },
    },
    services: [{ slug: 'hour', title: 'Hour', durationMinutes: 60 }],
  });
});
afterAll(() => server.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });

describe('GET /api/providers/:slug', () => {
  it('returns public fields only', async () => {
    const res = await get('/api/providers/ny');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ slug: 'ny', timezone: 'America/New_York', whatsapp: { enabled: false } });
    expect(body.services).toEqual([expect.objectContaining({ slug: 'hour', title: 'Hour', durationMinutes: 60, priceCents: 0, currency: 'AED' })]);
    const text = JSON.stringify(body);
    for (const secret of ['owner', 'id"', 'workingHours', 'calendar', 'settings']) expect(text).not.toContain(secret);
  });

  it('answers 404 problem+json for unknown providers', async () => {
    const res = await get('/api/providers/nobody');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('GET /api/providers/:slug/slots', () => {
  it('lists slots in UTC and counts them per day of the visitor zone', async () => {
    const res = await get('/api/providers/ny/slots?service=hour&from=2026-03-02&to=2026-03-03&tz=Asia/Tokyo');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.timezone).toBe('Asia/Tokyo');
    // Tokyo's 2 and 3 March (UTC+9) run from 1 March 15:00 to 3 March 15:00 UTC: New York's
    // Monday 09:00–12:00 EST and the first hour of Tuesday fall inside.
    expect(body.slots.map((s: { start: string }) => s.start)).toEqual([
      '2026-03-02T14:00:00.000Z', '2026-03-02T15:00:00.000Z', '2026-03-02T16:00:00.000Z', '2026-03-03T14:00:00.000Z',
    ]);
    // 14:00Z is 23:00 in Tokyo on the 2nd; the rest fall on the 3rd there.
    expect(body.days).toEqual({ '2026-03-02': 1, '2026-03-03': 3 });
  });

  it('follows the DST switch: 09:00 New York is 13:00 UTC after 8 March', async () => {
    const body = await (await get('/api/providers/ny/slots?service=hour&from=2026-03-06&to=2026-03-09&tz=America/New_York')).json();
    expect(body.slots.map((s: { start: string }) => s.start)).toEqual([
      '2026-03-06T14:00:00.000Z', '2026-03-06T15:00:00.000Z', '2026-03-06T16:00:00.000Z',
      '2026-03-09T13:00:00.000Z', '2026-03-09T14:00:00.000Z', '2026-03-09T15:00:00.000Z',
    ]);
    expect(body.days).toEqual({ '2026-03-06': 3, '2026-03-09': 3 });
  });

  it('drops slots taken by bookings, and the booking API agrees', async () => {
    const book = await fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'ny', service: 'hour', start: '2026-03-04T15:00:00Z', email: 'a@example.com' }),
    });
    expect(book.status).toBe(201);
    const body = await (await get('/api/providers/ny/slots?service=hour&from=2026-03-04&to=2026-03-04')).json();
    expect(body.slots.map((s: { start: string }) => s.start)).toEqual(['2026-03-04T14:00:00.000Z', '2026-03-04T16:00:00.000Z']);
  });

  it('is cacheable with an ETag', async () => {
    const path = '/api/providers/ny/slots?service=hour&from=2026-03-10&to=2026-03-12';
    const first = await get(path);
    expect(first.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    const tag = first.headers.get('etag');
    expect(tag).toBeTruthy();
    const again = await get(path, { 'if-none-match': tag! });
    expect(again.status).toBe(304);
  });

  const bad: [string, string, number, string | null][] = [
    ['an unknown zone', 'service=hour&tz=Mars/Base', 400, 'tz'],
    ['a reversed range', 'service=hour&from=2026-03-10&to=2026-03-01', 400, 'to'],
    ['a malformed date', 'service=hour&from=2026-13-45', 400, 'from'],
    ['a window over 62 days', 'service=hour&from=2026-03-01&to=2026-06-01', 400, 'to'],
    ['no service', 'from=2026-03-01', 400, 'service'],
    ['an unknown service', 'service=nope', 404, null],
  ];
  for (const [what, query, status, field] of bad) {
    it(`answers ${status} for ${what}`, async () => {
      const res = await get(`/api/providers/ny/slots?${query}`);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      if (field) expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  }
});
