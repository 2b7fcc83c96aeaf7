import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import type { PGlite } from '@electric-sql/pglite';
import { until } from '../support/until.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { mondayAfterTwoWeeks } from '../support/clock.ts';
import { makeProvider } from '../support/fixtures.ts';

/**
 * The provider app and weekly series: a booking's details say "2 of 4" with every date of its series, and the owner
 * cancels one date or it and every later one; other providers' bookings answer 404.
 */
const NOW = mondayAfterTwoWeeks(); // 06:00Z = 10:00 in Dubai, inside the demo's hours
const WEEK = 7 * 86_400_000;
let server: AppServer;
let owner: AppClient;
let base: string;

beforeAll(async () => {
  server = await startAppServer({ start: NOW });
  ({ owner, base } = await signInOwner(server));
});

/** The demo's intro call, whose series options the tests set through the app. */
const intro = async () => (await owner.json('GET', `${base}/services`, undefined, 200)).find((s: { slug: string }) => s.slug === 'intro');
afterAll(() => server?.close());

async function bookSeries(provider: string, service: string, start: Date, occurrences = 4) {
  const res = await fetch(`${server.url}/api/series`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider, service, start: start.toISOString(), occurrences, email: 'client@example.com', name: 'Client' }),
  });
  expect(res.status).toBe(201);
  return res.json();
}

describe('weekly series in the provider app', () => {
  it('the provider allows series on a service (owner-checked, 0 or 2…52 dates)', async () => {
    const id = (await intro()).id;
    expect(await owner.json('GET', `${base}/services/${id}/series`, undefined, 200)).toEqual({ serviceId: id, maxOccurrences: 0, maxIntervalWeeks: 1 });
    expect((await owner.request('PUT', `${base}/services/${id}/series`, { maxOccurrences: 1 })).status).toBe(400);
    expect(await owner.json('PUT', `${base}/services/${id}/series`, { maxOccurrences: 8, maxIntervalWeeks: 2 }, 200))
      .toEqual({ serviceId: id, maxOccurrences: 8, maxIntervalWeeks: 2 });
    const pub = await (await fetch(`${server.url}/api/providers/demo`)).json();
    expect(pub.services.find((s: { slug: string }) => s.slug === 'intro').series).toEqual({ maxOccurrences: 8, maxIntervalWeeks: 2 });
    expect((await owner.request('PUT', `${base}/services/${crypto.randomUUID()}/series`, { maxOccurrences: 4 })).status).toBe(404);
  });

  it('shows "2 of 4" and cancels this date, then this and every later one', async () => {
    const view = await bookSeries('demo', 'intro', new Date(NOW.getTime() + 86_400_000)); // Tuesday 10:00 Dubai
    const second = view.bookings[1];
    const details = await owner.json('GET', `${base}/bookings/${second.id}`, undefined, 200);
    expect(details.series).toMatchObject({ index: 2, occurrences: 4, intervalWeeks: 1 });
    expect(details.series.dates.map((d: { start: string }) => d.start)).toEqual(view.bookings.map((b: { start: string }) => b.start));
    expect(Date.parse(details.series.dates[1].start) - Date.parse(details.series.dates[0].start)).toBe(WEEK);

    // The email invitations: one per date, each an iTIP REQUEST for that date's own UID (the single-booking writer).
    const pg = (server.db as unknown as { pg: PGlite }).pg;
    const ids = view.bookings.map((b: { id: string }) => b.id);
    const invitations = async () => (await pg.query<{ booking_id: string; ics: string | null }>(
      "select booking_id, ics from outbox where kind = 'visitor.confirmation' and booking_id = any($1::uuid[])", [ids])).rows;
    await until(async () => (await invitations()).filter((r) => r.ics).length === 4, 'the four invitations to be rendered');
    for (const row of await invitations()) {
      const ics = new ICAL.Component(ICAL.parse(row.ics!));
      expect(ics.getFirstPropertyValue('method')).toBe('REQUEST');
      expect(ics.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v).uid)).toEqual([`${row.booking_id}@slotline`]);
    }

    const one = await owner.json('POST', `${base}/bookings/${second.id}/series/cancel`, { reason: 'holiday' }, 200);
    expect(one.series.dates.map((d: { status: string }) => d.status)).toEqual(['confirmed', 'cancelled', 'confirmed', 'confirmed']);
    const third = view.bookings[2];
    const later = await owner.json('POST', `${base}/bookings/${third.id}/series/cancel`, { andLater: true }, 200);
    expect(later.series.dates.map((d: { status: string }) => d.status)).toEqual(['confirmed', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('a single booking has no series; another provider\'s series booking answers 404', async () => {
    const single = await owner.json('POST', `${base}/bookings`, {
      serviceId: (await owner.json('GET', `${base}/services`, undefined, 200))[0].id,
      start: new Date(NOW.getTime() + 2 * 86_400_000).toISOString(), name: 'One', email: 'one@example.com',
    }, 201);
    expect(single.booking.series).toBeNull();
    expect((await owner.post(`${base}/bookings/${single.booking.id}/series/cancel`, {})).status).toBe(409);

    const other = await makeProvider(server.db, {
      slug: 'other-tutor', services: [{ slug: 'lesson', title: 'Lesson', durationMinutes: 60, series: { maxOccurrences: 4 } }],
    });
    expect((await owner.get(`/api/app/providers/${other.id}/services/${other.services[0].id}/series`)).status).toBe(404);
    expect((await owner.request('PUT', `${base}/services/${other.services[0].id}/series`, { maxOccurrences: 8 })).status).toBe(404);
    const theirs = await bookSeries(other.slug, 'lesson', new Date(NOW.getTime() + 3 * 86_400_000), 2);
    expect((await owner.get(`${base}/bookings/${theirs.bookings[0].id}`)).status).toBe(404);
    expect((await owner.post(`${base}/bookings/${theirs.bookings[0].id}/series/cancel`, { andLater: true })).status).toBe(404);
    expect((await owner.post(`/api/app/providers/${other.id}/bookings/${theirs.bookings[0].id}/series/cancel`, {})).status).toBe(404);
  });
});
