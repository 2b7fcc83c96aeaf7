import { randomBytes } from 'node:crypto';
import ICAL from 'ical.js';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeClient } from '../../server/payments/stripe.ts';
import { encryptSecret } from '../../server/secrets/crypto.js';
import { startFakeStripe } from '../support/fake-stripe.ts';
import { makeProvider } from '../support/fixtures.js';
import { startRadicale, type RadicaleServer } from '../support/radicale.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

/**
 * Issue 14, defect 3: the event written back into the provider's calendar is complete on every path — a free video
 * booking with its link, a booking confirmed by payment with its service, place and notes — and every change
 * (payment, reschedule) replaces the same event (same UID) with a higher SEQUENCE; cancelling removes it.
 * Real HTTP requests, a signed Stripe webhook, the job worker and Radicale; nothing of ours is mocked.
 */
const KEY = randomBytes(32);
const SECRET = 'whsec_test_write_back_paths';
const HOUR = 3_600_000;
/** Whole hours ahead of now (the database refuses starts in the past). */
const hoursAhead = (h: number) => new Date(Math.floor(Date.now() / HOUR) * HOUR + h * HOUR).toISOString();

interface Written {
  uid: string;
  sequence: number;
  start: string;
  summary: string;
  location: string | null;
  description: string;
}

describe('write-back events are complete on every path (Radicale)', () => {
  let server: TestServer;
  let radicale: RadicaleServer;
  let stripe: Awaited<ReturnType<typeof startFakeStripe>>;
  const workUrl = () => `${radicale.url}kim/work/`;
  const auth = `Basic ${Buffer.from('kim:kim-pass').toString('base64')}`;

  beforeAll(async () => {
    stripe = await startFakeStripe({ webhookSecret: SECRET });
    [server, radicale] = await Promise.all([
      startTestServer({ seed: false, env: { SECRETS_KEY: KEY.toString('base64') }, payments: { stripe: stripeClient('sk_test_paths', stripe.url), webhookSecret: SECRET }, jobs: { pollMs: 20 } }),
      startRadicale({ kim: 'kim-pass' }),
    ]);
    const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'kim', password: 'kim-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    await client.makeCalendar({ url: workUrl(), props: { displayname: 'Work' } });
    await makeProvider(server.db, {
      slug: 'kim',
      settings: { booking: { slotStepMinutes: 60 } },
      services: [
        { slug: 'video', title: 'Video consult', durationMinutes: 60, location: { type: 'video' } },
        { slug: 'studio', title: 'Studio session', durationMinutes: 60, priceCents: 25000, currency: 'AED', location: { type: 'in_person', address: '12 Palm Street, Dubai' } },
      ],
    });
    await server.db.rpc('connect_calendar', {
      p_provider_slug: 'kim', p_kind: 'caldav', p_label: 'Radicale', p_external_username: null, p_external_email: null,
      p_secret: encryptSecret({ serverUrl: radicale.url, username: 'kim', password: 'kim-pass' }, KEY), p_selected_calendar_ids: [workUrl()],
    });
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([radicale?.stop(), stripe?.close()]);
  });

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** The booking's event as stored in Radicale, or null while there is none. */
  async function written(bookingId: string): Promise<Written | null> {
    const res = await fetch(`${workUrl()}${bookingId}.ics`, { headers: { authorization: auth } });
    if (res.status === 404) return null;
    expect(res.status).toBe(200);
    const [v] = new ICAL.Component(ICAL.parse(await res.text())).getAllSubcomponents('vevent');
    return {
      uid: String(v.getFirstPropertyValue('uid')),
      sequence: Number(v.getFirstPropertyValue('sequence') ?? 0),
      start: (v.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(),
      summary: String(v.getFirstPropertyValue('summary')),
      location: (v.getFirstPropertyValue('location') as string | null) ?? null,
      description: String(v.getFirstPropertyValue('description') ?? ''),
    };
  }

  it('a free video booking is written with its link, service and notes; a reschedule raises SEQUENCE; cancel removes it', async () => {
    const res = await post('/api/bookings', {
      provider: 'kim', service: 'video', start: hoursAhead(50), name: 'Sam Lee', email: 'sam@example.com', notes: 'Bring the plans',
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { booking: { id: string }; manageUrl: string };
    const id = body.booking.id;
    const { meetingUrl } = (await server.db.rpc('get_booking_for_write_back', { p_booking_id: id }))!;
    expect(meetingUrl).toMatch(/^https:\/\/meet\.jit\.si\/slotline-/);
    const first = await until(() => written(id), 'the booking to be written back');
    expect(first).toMatchObject({ uid: `${id}@slotline`, start: hoursAhead(50), summary: 'Video consult: Sam Lee', location: meetingUrl });
    expect(first.description).toContain('Bring the plans');
    expect(first.description).toContain('sam@example.com');

    const token = body.manageUrl.split('/b/')[1];
    expect((await post(`/api/bookings/${token}/reschedule`, { start: hoursAhead(53) })).status).toBe(200);
    const moved = await until(async () => ((await written(id))?.start === hoursAhead(53) ? written(id) : null), 'the event to move');
    expect(moved).toMatchObject({ uid: `${id}@slotline`, summary: 'Video consult: Sam Lee', location: meetingUrl });
    expect(moved.description).toContain('Bring the plans');
    expect(moved.sequence).toBeGreaterThan(first.sequence);

    expect((await post(`/api/bookings/${token}/cancel`, {})).status).toBe(200);
    await until(async () => (await written(id)) === null, 'the event to be removed');
  });

  it('a paid booking is written once payment confirms it, with service, place and notes, at a higher SEQUENCE than the hold', async () => {
    const res = await post('/api/bookings', {
      provider: 'kim', service: 'studio', start: hoursAhead(60), name: 'Ana Ruiz', email: 'ana@example.com', notes: 'Second floor please',
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { booking: { id: string; sequence?: number }; next: { url: string } };
    const id = body.booking.id;
    const hold = (await server.db.rpc('get_booking_for_write_back', { p_booking_id: id }))!;
    expect(hold.status).not.toBe('confirmed');
    expect(await written(id)).toBeNull(); // a hold is not written

    const session = stripe.pay(body.next.url.split('/pay/')[1]);
    const event = stripe.event('checkout.session.completed', session);
    const hook = await fetch(`${server.url}/api/stripe/webhook`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, body: event.payload,
    });
    expect(((await hook.json()) as { outcome: string }).outcome).toBe('confirmed');

    const paid = await until(() => written(id), 'the paid booking to be written back');
    expect(paid).toMatchObject({ uid: `${id}@slotline`, start: hoursAhead(60), summary: 'Studio session: Ana Ruiz', location: '12 Palm Street, Dubai' });
    expect(paid.summary).not.toMatch(/Paid booking/);
    expect(paid.description).toContain('Second floor please');
    expect(paid.description).toContain('ana@example.com');
    expect(paid.sequence).toBeGreaterThan(hold.sequence ?? 0);
  });
});
