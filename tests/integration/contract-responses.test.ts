import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  bookingResponseSchema,
  compactSlotsResponseSchema,
  manageViewSchema,
  providerSchema,
  shareMessageSchema,
  slotsResponseSchema,
  whatsappLinkSchema,
} from '../../contract/api.ts';
import { looksLikeToken } from '../../contract/rules.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Issue 11: the real server's answers, parsed with the contract's strict response schemas. A field the server
 * adds, drops or reshapes without the contract (which the page is typed from) fails here — the drift that let
 * `calendarLinks`, `next: whatsapp` and the slots' `calendar` go unnoticed.
 */

const NOW = new Date('2026-11-22T06:00:00Z'); // a Sunday, 10:00 in Dubai
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ now: () => NOW });
});
afterAll(() => server?.close());

async function json<T extends z.ZodType>(schema: T, res: Response, status = 200): Promise<z.infer<T>> {
  expect(res.status).toBe(status);
  const body = await res.json();
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`${res.url}: ${JSON.stringify(parsed.error.issues)}\n${JSON.stringify(body)}`);
  return parsed.data;
}
const get = (path: string) => fetch(server.url + path);
const post = (path: string, body: unknown) =>
  fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the server answers exactly what contract/api.ts says', () => {
  let first: { start: string; end: string };
  let token = '';

  it('GET /api/providers/:slug', async () => {
    const provider = await json(providerSchema, await get('/api/providers/demo'));
    expect(provider.slug).toBe('demo');
  });

  it('GET /api/providers/:slug/slots, with its calendar health', async () => {
    const slots = await json(slotsResponseSchema, await get('/api/providers/demo/slots?service=intro&from=2026-11-23&to=2026-11-24&tz=Asia/Dubai'));
    expect(slots.calendar).toEqual({ stale: false, failing: false });
    expect(slots.slots.length).toBeGreaterThan(0);
    first = slots.slots[0];
  });

  it('GET /api/v2/providers/:slug/slots (what the page reads)', async () => {
    const slots = await json(compactSlotsResponseSchema, await get('/api/v2/providers/demo/slots?service=intro&from=2026-11-23&to=2026-11-24&tz=Asia/Dubai'));
    expect(slots.calendar).toEqual({ stale: false, failing: false });
    expect(Object.keys(slots.days).length).toBeGreaterThan(0);
  });

  it('POST /api/bookings: the .ics link, a confirmed next step, no calendarLinks', async () => {
    const body = { provider: 'demo', service: 'intro', start: first.start, name: 'Sam', email: 'sam@example.com', timezone: 'Europe/Berlin', lang: 'en' };
    const booked = await json(bookingResponseSchema, await post('/api/bookings', body), 201);
    expect(booked.next).toEqual({ type: 'confirmed' });
    token = booked.manageUrl.split('/b/')[1];
    expect(looksLikeToken(token)).toBe(true);
    expect(booked.icsUrl).toBe(`${server.config.publicUrl}/api/bookings/${token}/ics`);
    expect((await get(new URL(booked.icsUrl).pathname)).status).toBe(200);
  });

  it('GET /api/bookings/:token and POST …/cancel', async () => {
    const view = await json(manageViewSchema, await get(`/api/bookings/${token}`));
    expect(view.booking.start).toBe(first.start);
    expect(new URL(view.links.google!).searchParams.get('dates')).toMatch(/^\d{8}T\d{6}Z\/\d{8}T\d{6}Z$/);
    const cancelled = await json(manageViewSchema, await post(`/api/bookings/${token}/cancel`, { reason: 'test' }));
    expect(cancelled.booking.status).toBe('cancelled');
  });

  it('GET /api/providers/:slug/share-message and …/whatsapp-link', async () => {
    const share = await json(shareMessageSchema, await get('/api/providers/demo/share-message?service=intro&tz=Asia/Dubai&lang=en&count=2'));
    expect(share.slots).toHaveLength(2);
    const q = new URLSearchParams({ service: 'intro', start: first.start, lang: 'en', name: 'Sam' });
    const link = await json(whatsappLinkSchema, await get(`/api/providers/demo/whatsapp-link?${q}`));
    expect(link.url).toMatch(/^https:\/\/wa\.me\//);
  });
});
