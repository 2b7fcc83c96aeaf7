import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactSlotsResponseSchema, slotsResponseSchema } from '../../contract/api.ts';
import { decodeSlots } from '../../contract/slots.ts';
import { pickCoding } from '../../server/http/encoded.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeProvider } from '../support/fixtures.ts';

// Issue 16: the compact slots answer (v2) says what v1 says, in a fraction of the bytes, and both are sent
// precompressed as the request's Accept-Encoding asks.

const NOW = new Date('2026-03-02T06:00:00Z'); // a Monday
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ now: () => NOW });
  await makeProvider(server.db, {
    slug: 'ny',
    timezone: 'America/New_York',
    settings: {
      workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
      booking: { slotStepMinutes: 15, minNoticeMinutes: 0, horizonDays: 60 },
    },
    services: [{ slug: 'call', title: 'Call', durationMinutes: 45 }],
  });
});
afterAll(() => server.close());

/** A raw GET (no automatic decompression): status, headers and the body bytes as sent. */
function raw(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(server.url + path, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const month = 'service=call&from=2026-03-02&to=2026-03-31&tz=Europe/Berlin';

describe('GET /api/v2/providers/:slug/slots', () => {
  it('decodes to exactly the v1 slots, across the DST switch, with the duration once and the calendar health', async () => {
    const v1 = slotsResponseSchema.parse(JSON.parse((await raw(`/api/providers/ny/slots?${month}`)).body.toString()));
    const v2res = await raw(`/api/v2/providers/ny/slots?${month}`);
    expect(v2res.headers['content-type']).toBe('application/json; charset=utf-8');
    const v2 = compactSlotsResponseSchema.parse(JSON.parse(v2res.body.toString()));
    expect(v1.slots.length).toBeGreaterThan(300);
    expect(decodeSlots(v2)).toEqual(v1.slots);
    expect(v2).toMatchObject({ timezone: 'Europe/Berlin', durationMinutes: 45, calendar: v1.calendar });
    // The same days, the same counts per day.
    expect(Object.fromEntries(Object.entries(v2.days).map(([d, day]) => [d, day.minutes.length]))).toEqual(v1.days);
    // New York moves to summer time on 8 March: Berlin's 9 March starts at 23:00Z, and 09:00 New York is 14:00 there.
    expect(v2.days['2026-03-09']).toEqual({ start: '2026-03-08T23:00:00.000Z', minutes: expect.arrayContaining([14 * 60]) });
    // A third of the bytes is the goal; the shape gives far less.
    expect(v2res.body.length * 3).toBeLessThan((await raw(`/api/providers/ny/slots?${month}`)).body.length);
  });

  const bad: [string, string, number, string | null][] = [
    ['an unknown zone', 'service=call&tz=Mars/Base', 400, 'tz'],
    ['a window over 62 days', 'service=call&from=2026-03-01&to=2026-06-01', 400, 'to'],
    ['no service', 'from=2026-03-01', 400, 'service'],
    ['an unknown service', 'service=nope', 404, null],
  ];
  for (const [what, query, status, field] of bad) {
    it(`answers ${status} for ${what}, as v1 does`, async () => {
      for (const path of [`/api/v2/providers/ny/slots?${query}`, `/api/providers/ny/slots?${query}`]) {
        const res = await raw(path);
        expect(res.status).toBe(status);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        if (field) expect(JSON.parse(res.body.toString()).errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });
  }
  it('answers 404 for an unknown provider', async () => {
    expect((await raw('/api/v2/providers/nobody/slots?service=call')).status).toBe(404);
  });
});

describe('precompressed slots answers', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['gzip;q=0, br;q=0', undefined],
    ['identity', undefined],
    ['*', 'br'],
    ['deflate', undefined],
  ];
  for (const version of ['/api/v2', '/api']) {
    it(`${version}: answers the coding Accept-Encoding prefers, every body decoding to the same JSON`, async () => {
      const path = `${version}/providers/ny/slots?${month}`;
      const plain = await raw(path);
      const tags = new Set<string>();
      for (const [accept, coding] of cases) {
        const res = await raw(path, accept === undefined ? {} : { 'accept-encoding': accept });
        expect(res.status).toBe(200);
        expect(res.headers['content-encoding'], String(accept)).toBe(coding);
        expect(res.headers.vary).toMatch(/accept-encoding/i);
        const body = coding === 'br' ? brotliDecompressSync(res.body) : coding === 'gzip' ? gunzipSync(res.body) : res.body;
        expect(body.equals(plain.body)).toBe(true);
        if (coding) expect(res.body.length).toBeLessThan(plain.body.length / 4);
        tags.add(`${coding}:${res.headers.etag}`);
      }
      // One ETag per representation.
      expect(new Set([...tags].map((t) => t.split(':')[1])).size).toBe(3);
    });
  }

  it('answers 304 to If-None-Match with the ETag of the representation it would send, and 200 for another', async () => {
    const path = `/api/v2/providers/ny/slots?${month}`;
    for (const coding of ['br', 'gzip', 'identity']) {
      const first = await raw(path, { 'accept-encoding': coding });
      const etag = String(first.headers.etag);
      const again = await raw(path, { 'accept-encoding': coding, 'if-none-match': `"other", W/${etag}` });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers.vary).toMatch(/accept-encoding/i);
      expect(again.headers['cache-control']).toMatch(/public, max-age=\d+/);
      const other = coding === 'br' ? 'gzip' : 'br';
      expect((await raw(path, { 'accept-encoding': other, 'if-none-match': etag })).status).toBe(200);
    }
  });

  it('keeps the security headers on cached and compressed answers', async () => {
    const res = await raw(`/api/v2/providers/ny/slots?${month}`, { 'accept-encoding': 'br' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });
});

describe('pickCoding (RFC 9110 §12.5.3)', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br, zstd', 'br'],
    ['GZIP', 'gzip'],
    ['br;q=0.2', 'br'],
    ['br;q=0.2, identity', 'identity'],
    ['gzip;q=0.9, br;q=0.9', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['*;q=0', 'identity'],
    ['br; q=0.1, gzip; q=0.3', 'gzip'],
    ['br;q=abc', 'identity'],
  ])('%s → %s', (header, coding) => {
    expect(pickCoding(header)).toBe(coding);
  });
});
