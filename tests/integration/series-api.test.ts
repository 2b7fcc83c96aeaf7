import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import type { PGlite } from '@electric-sql/pglite';
import { seriesPreviewSchema, seriesViewSchema } from '../../contract/api.ts';
import { stripeClient } from '../../server/payments/stripe.ts';
import { startFakeStripe } from '../support/fake-stripe.ts';
import { makeProvider } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

/**
 * Weekly series through the real server (PGlite) and the local Stripe fake with signed webhooks: preview, booking with
 * a conflict resolved, 409 naming the date, the series' manage link (cancel one, this and later, move one, .ics), and
 * paid series (one checkout; confirm all, expiry releases all, a late payment after a date was lost is refunded).
 */
const SECRET = 'whsec_test_series';
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
let stripe: Awaited<ReturnType<typeof startFakeStripe>>;
let server: TestServer;
let pg: PGlite;
let slot = 0;
/**
 * A start of its own for each series (a UTC provider: no DST): a weekday of the coming week and a four-hour band of
 * that day (starts at 02:00, 06:00, …), so the dates of one test — moved by up to −1/+2 hours — never meet another's.
 */
const nextStart = () => {
  const day = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR;
  const k = slot++;
  return new Date(day + (4 + (k % 7)) * 24 * HOUR + (2 + 4 * Math.floor(k / 7)) * HOUR).toISOString();
};

beforeAll(async () => {
  stripe = await startFakeStripe({ webhookSecret: SECRET });
  server = await startTestServer({ seed: false, payments: { stripe: stripeClient('sk_test_series', stripe.url), webhookSecret: SECRET } });
  pg = (server.db as unknown as { pg: PGlite }).pg;
  await makeProvider(server.db, {
    slug: 'tutor',
    settings: { booking: { slotStepMinutes: 60, horizonDays: 120, cancelUntilHoursBefore: 2 } },
    services: [
      { slug: 'lesson', title: 'Lesson', durationMinutes: 60, series: { maxOccurrences: 8, maxIntervalWeeks: 2 } },
      { slug: 'paid', title: 'Paid lesson', durationMinutes: 60, priceCents: 5000, currency: 'EUR', series: { maxOccurrences: 8 } },
      { slug: 'single', title: 'Single', durationMinutes: 60 },
    ],
  });
});
afterAll(async () => {
  await server?.close();
  await stripe?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const single = (start: string, email = 'other@example.com') =>
  post('/api/bookings', { provider: 'tutor', service: 'single', start, email, name: 'Other' });
const tokenOf = (manageUrl: string) => manageUrl.split('/s/')[1];
const deliver = (event: { payload: string; header: string }) =>
  fetch(`${server.url}/api/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, body: event.payload });
const statuses = async (seriesId: string) =>
  (await pg.query<{ status: string }>('select status from bookings where series_id = $1 order by series_index', [seriesId])).rows.map((r) => r.status);

describe('series preview and booking', () => {
  it('previews every date; a taken date gets the nearest free time that day', async () => {
    const start = nextStart();
    expect((await single(new Date(Date.parse(start) + 2 * WEEK).toISOString())).status).toBe(201);
    const res = await post('/api/series/preview', { provider: 'tutor', service: 'lesson', start, occurrences: 4 });
    expect(res.status).toBe(200);
    const { items } = seriesPreviewSchema.parse(await res.json());
    expect(items.map((i) => i.status)).toEqual(['free', 'free', 'taken', 'free']);
    expect(items[2].alternative).toBe(new Date(Date.parse(start) + 2 * WEEK - HOUR).toISOString());
    expect(items[1].start).toBe(new Date(Date.parse(start) + WEEK).toISOString());
  });

  it('refuses what the service does not allow, naming the field', async () => {
    const start = nextStart();
    const tooMany = await post('/api/series/preview', { provider: 'tutor', service: 'lesson', start, occurrences: 9 });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).errors[0].field).toBe('occurrences');
    const none = await post('/api/series/preview', { provider: 'tutor', service: 'single', start, occurrences: 2 });
    expect((await none.json()).errors[0].field).toBe('service');
  });

  it('books a series with one conflict moved and one skipped; a race answers 409 naming the date and writes nothing', async () => {
    const start = nextStart();
    const taken = new Date(Date.parse(start) + WEEK).toISOString();
    expect((await single(taken)).status).toBe(201);
    const body = { provider: 'tutor', service: 'lesson', start, occurrences: 4, email: 'sam@example.com', name: 'Sam' };
    const refused = await post('/api/series', body);
    expect(refused.status).toBe(409);
    expect((await refused.json()).errors).toEqual([{ field: 'occurrences.2', message: 'is taken' }]);
    const { rows } = await pg.query<{ n: number }>("select count(*)::int as n from bookings where customer_email = 'sam@example.com'");
    expect(rows[0].n).toBe(0);

    const moved = new Date(Date.parse(taken) + HOUR).toISOString();
    const res = await post('/api/series', { ...body, choices: [{ index: 2, start: moved }, { index: 3, start: null }] });
    expect(res.status).toBe(201);
    const view = seriesViewSchema.parse(await res.json());
    expect(view.bookings.map((b) => [b.index, b.start, b.status])).toEqual([
      [1, new Date(start).toISOString(), 'confirmed'],
      [2, moved, 'confirmed'],
      [4, new Date(Date.parse(start) + 3 * WEEK).toISOString(), 'confirmed'],
    ]);
    expect(view.series.occurrences).toBe(4);
    expect(view.manageUrl).toMatch(/\/s\/[\w-]{43}$/);
  });
});

describe("the series' manage link", () => {
  async function bookSeries(occurrences = 5) {
    const res = await post('/api/series', { provider: 'tutor', service: 'lesson', start: nextStart(), occurrences, intervalWeeks: 2, email: 'm@example.com', name: 'M' });
    expect(res.status).toBe(201);
    return seriesViewSchema.parse(await res.json());
  }

  it('cancels one date, then it and every later one', async () => {
    const view = await bookSeries();
    const token = tokenOf(view.manageUrl!);
    const one = await post(`/api/series/${token}/cancel`, { index: 2 });
    expect(one.status).toBe(200);
    expect((await one.json()).bookings.map((b: { status: string }) => b.status)).toEqual(['confirmed', 'cancelled', 'confirmed', 'confirmed', 'confirmed']);
    const later = await post(`/api/series/${token}/cancel`, { index: 4, andLater: true });
    expect((await later.json()).bookings.map((b: { status: string }) => b.status)).toEqual(['confirmed', 'cancelled', 'confirmed', 'cancelled', 'cancelled']);
    // The freed times are bookable again.
    expect((await single(view.bookings[4].start)).status).toBe(201);
    expect((await post(`/api/series/${'x'.repeat(43)}/cancel`, { index: 1 })).status).toBe(404);
  });

  it('moves one date through the same engine check and atomic reschedule', async () => {
    const view = await bookSeries(3);
    const token = tokenOf(view.manageUrl!);
    const target = new Date(Date.parse(view.bookings[1].start) + 2 * HOUR).toISOString();
    const res = await post(`/api/series/${token}/reschedule`, { index: 2, start: target });
    expect(res.status).toBe(200);
    expect((await res.json()).bookings[1].start).toBe(target);
    // Onto another booking: refused, nothing moves.
    const taken = await post(`/api/series/${token}/reschedule`, { index: 3, start: target });
    expect(taken.status).toBe(409);
  });

  it('the .ics has one event per date, each with its own UID, and round-trips through ical.js', async () => {
    const view = await bookSeries(3);
    const res = await fetch(view.icsUrl!);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const component = new ICAL.Component(ICAL.parse(await res.text()));
    const events = component.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.startDate.toJSDate().toISOString())).toEqual(view.bookings.map((b) => b.start));
    expect(new Set(events.map((e) => e.uid)).size).toBe(3);
    expect(events.map((e) => e.uid)).toEqual(view.bookings.map((b) => `${b.id}@slotline`));
    const again = new ICAL.Component(ICAL.parse(component.toString()));
    expect(again.getAllSubcomponents('vevent')).toHaveLength(3);

  });
});

describe('paid series', () => {
  const book = async (occurrences = 3, email = 'payer@example.com') => {
    const res = await post('/api/series', { provider: 'tutor', service: 'paid', start: nextStart(), occurrences, email, name: 'Payer' });
    expect(res.status).toBe(201);
    return seriesViewSchema.parse(await res.json());
  };
  const sessionOf = (url: string) => stripe.sessions.get(url.split('/pay/')[1])!;

  it('one checkout for the total holds every date; the signed webhook confirms them all', async () => {
    const view = await book(3);
    expect(view.bookings.map((b) => b.status)).toEqual(['pending', 'pending', 'pending']);
    expect(view.next.type).toBe('payment');
    const session = sessionOf((view.next as { url: string }).url);
    expect(session.amount_total).toBe(15000);
    expect(session.metadata.series_id).toBe(view.series.id);
    expect(view.series.payment?.checkoutUrl).toBe((view.next as { url: string }).url);
    const res = await deliver(stripe.event('checkout.session.completed', stripe.pay(session.id)));
    expect((await res.json()).outcome).toBe('confirmed');
    expect(await statuses(view.series.id)).toEqual(['confirmed', 'confirmed', 'confirmed']);
  });

  it('an expired checkout releases every hold', async () => {
    const view = await book(3, 'expire@example.com');
    const session = sessionOf((view.next as { url: string }).url);
    const res = await deliver(stripe.event('checkout.session.expired', { ...session, status: 'expired' }));
    expect((await res.json()).outcome).toBe('released');
    expect(await statuses(view.series.id)).toEqual(['expired', 'expired', 'expired']);
  });

  it('a late payment after one date was taken confirms none and refunds the whole payment through the job queue', async () => {
    const view = await book(3, 'late@example.com');
    const session = sessionOf((view.next as { url: string }).url);
    // The holds run out and someone books the second date meanwhile.
    await pg.query("update bookings set hold_expires_at = now() - interval '1 second' where series_id = $1", [view.series.id]);
    expect((await single(view.bookings[1].start, 'quick@example.com')).status).toBe(201);
    const paid = stripe.pay(session.id);
    const res = await deliver(stripe.event('checkout.session.completed', paid));
    expect((await res.json()).outcome).toBe('refund_pending');
    expect(await statuses(view.series.id)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    await until(() => stripe.refunds.some((r) => r.payment_intent === paid.payment_intent), 'the refund job');
    const refund = stripe.refunds.find((r) => r.payment_intent === paid.payment_intent)!;
    expect(refund.amount ?? 15000).toBe(15000);
    await until(async () => (await pg.query<{ status: string }>(
      'select p.status from payments p join bookings b on b.id = p.booking_id where b.series_id = $1', [view.series.id])).rows[0]?.status === 'refunded', 'the refund to be recorded');
  });
});
