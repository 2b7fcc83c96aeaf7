import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { stripeClient } from '../../server/payments/stripe.ts';
import { sweepHolds } from '../../server/payments/sweep.ts';
import { startFakeStripe } from '../support/fake-stripe.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeProvider } from '../support/fixtures.ts';
import { until } from '../support/until.ts';

const SECRET = 'whsec_test_secret';
let stripe: Awaited<ReturnType<typeof startFakeStripe>>;
let server: TestServer;
let pg: PGlite;
let hour = 0;
/** A fresh grid-aligned start for each test, days ahead. */
const nextStart = () => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 4 * 86_400_000 + ++hour * 3_600_000).toISOString();

beforeAll(async () => {
  stripe = await startFakeStripe({ webhookSecret: SECRET });
  const client = stripeClient('sk_test_123', stripe.url);
  server = await startTestServer({ payments: { stripe: client, webhookSecret: SECRET } });
  pg = (server.db as unknown as { pg: PGlite }).pg;
  await makeProvider(server.db, {
    slug: 'paid',
    settings: { booking: { slotStepMinutes: 60, holdMinutes: 15, refundUntilHoursBefore: 24, cancelUntilHoursBefore: 2 } },
    services: [{ slug: 'pt', title: 'Personal training', durationMinutes: 60, priceCents: 25000, currency: 'AED' }],
  });
});
afterAll(async () => {
  await server?.close();
  await stripe?.close();
});

async function book(start: string, email = 'payer@example.com') {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'paid', service: 'pt', start, email, name: 'Payer' }),
  });
  return { status: res.status, body: await res.json() };
}
const sessionOf = (url: string) => stripe.sessions.get(url.split('/pay/')[1])!;
const token = (manageUrl: string) => manageUrl.split('/b/')[1];
const manage = async (manageUrl: string) => (await (await fetch(`${server.url}/api/bookings/${token(manageUrl)}`)).json()).booking;
const deliver = (event: { payload: string; header: string }, header: string | null = event.header) =>
  fetch(`${server.url}/api/stripe/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
    body: event.payload,
  });
const status = async (id: string) =>
  (await pg.query<{ status: string }>('select status from bookings where id = $1', [id])).rows[0].status;

describe('Stripe payment holds', () => {
  it('paid path: a hold with a Checkout Session, confirmed by the signed webhook', async () => {
    const start = nextStart();
    const { status: code, body } = await book(start);
    expect(code).toBe(201);
    expect(body.booking.status).toBe('pending');
    expect(body.next.type).toBe('payment');
    const session = sessionOf(body.next.url);
    expect(session.metadata.booking_id).toBe(body.booking.id);
    expect(session.amount_total).toBe(25000);
    expect(session.currency).toBe('aed');
    expect(session.success_url).toBe(`${body.manageUrl}?payment=success`);
    expect(session.cancel_url).toBe(`${body.manageUrl}?payment=cancelled`);
    // Stripe sessions live at least 30 minutes even though the hold is 15.
    expect(session.expires_at - Date.now() / 1000).toBeGreaterThan(1800);

    // The hold blocks the time for everyone else.
    expect((await book(start, 'other@example.com')).status).toBe(409);
    // A visitor who closed the checkout finds the way back to it on the manage page.
    const pendingView = await (await fetch(`${server.url}/api/bookings/${token(body.manageUrl)}`)).json();
    expect(pendingView.links.payment).toBe(body.next.url);

    const res = await deliver(stripe.event('checkout.session.completed', stripe.pay(session.id)));
    expect(res.status).toBe(200);
    const view = await manage(body.manageUrl);
    expect(view.status).toBe('confirmed');
    expect(view.payment).toMatchObject({ status: 'paid', amountCents: 25000 });
    const paidView = await (await fetch(`${server.url}/api/bookings/${token(body.manageUrl)}`)).json();
    expect(paidView.links.payment).toBeUndefined();
  });

  it('handles each event once: a replay changes nothing', async () => {
    const { body } = await book(nextStart());
    const event = stripe.event('checkout.session.completed', stripe.pay(sessionOf(body.next.url).id));
    expect((await (await deliver(event)).json()).outcome).toBe('confirmed');
    expect((await (await deliver(event)).json()).outcome).toBe('duplicate');
    const { rows } = await pg.query<{ n: number }>('select count(*)::int as n from payments where booking_id = $1', [body.booking.id]);
    expect(rows[0].n).toBe(1);
  });

  it('rejects forged, stale and missing signatures with 400 and changes nothing', async () => {
    const { body } = await book(nextStart());
    const session = stripe.pay(sessionOf(body.next.url).id);
    const forged = stripe.event('checkout.session.completed', session, { secret: 'whsec_wrong' });
    const stale = stripe.event('checkout.session.completed', session, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const good = stripe.event('checkout.session.completed', session);
    for (const [event, header] of [[forged, forged.header], [stale, stale.header], [good, null]] as const) {
      const res = await deliver(event, header);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    // A tampered body under a valid signature is refused too.
    const tampered = { payload: good.payload.replace('"paid"', '"unpaid"'), header: good.header };
    expect((await deliver(tampered)).status).toBe(400);
    expect(await status(body.booking.id)).toBe('pending');
  });

  it('expiry path: an abandoned checkout releases the hold', async () => {
    const start = nextStart();
    const { body } = await book(start);
    const session = sessionOf(body.next.url);
    session.status = 'expired';
    expect((await deliver(stripe.event('checkout.session.expired', session))).status).toBe(200);
    expect(await status(body.booking.id)).toBe('expired');
    expect((await book(start, 'next@example.com')).status).toBe(201);
  });

  it('out of order: an expiry arriving after the payment does not undo it', async () => {
    const { body } = await book(nextStart());
    const paid = stripe.event('checkout.session.completed', stripe.pay(sessionOf(body.next.url).id));
    const expired = stripe.event('checkout.session.expired', { ...sessionOf(body.next.url), status: 'expired' });
    await deliver(paid);
    await deliver(expired);
    expect(await status(body.booking.id)).toBe('confirmed');
  });

  it('async methods: completed-but-unpaid waits, async success confirms, async failure releases', async () => {
    const a = (await book(nextStart())).body;
    const sa = stripe.pay(sessionOf(a.next.url).id, 'unpaid');
    await deliver(stripe.event('checkout.session.completed', sa));
    expect(await status(a.booking.id)).toBe('pending');
    await deliver(stripe.event('checkout.session.async_payment_succeeded', { ...sa, payment_status: 'paid' }));
    expect(await status(a.booking.id)).toBe('confirmed');

    const b = (await book(nextStart())).body;
    const sb = stripe.pay(sessionOf(b.next.url).id, 'unpaid');
    await deliver(stripe.event('checkout.session.async_payment_failed', sb));
    expect(await status(b.booking.id)).toBe('expired');
  });

  it('a late payment for a time taken meanwhile ends cancelled with the reason, and a refund job gives the money back', async () => {
    const start = nextStart();
    const late = (await book(start)).body;
    await pg.query("update bookings set hold_expires_at = now() - interval '1 minute' where id = $1", [late.booking.id]);
    const winner = await book(start, 'winner@example.com');
    expect(winner.status).toBe(201);
    const session = stripe.pay(sessionOf(late.next.url).id);
    const res = await deliver(stripe.event('checkout.session.completed', session));
    // Answered once the refund is durably queued; Stripe is called by the job, not inside the webhook.
    expect((await res.json()).outcome).toBe('refund_pending');
    const { rows } = await pg.query<{ status: string; cancel_reason: string }>(
      'select status, cancel_reason from bookings where id = $1', [late.booking.id]);
    expect(rows[0].status).toBe('cancelled');
    expect(rows[0].cancel_reason).toMatch(/refunded automatically/);
    const paymentOf = async () => (await pg.query<{ status: string; refund_txn_id: string }>(
      'select status, refund_txn_id from payments where booking_id = $1', [late.booking.id])).rows[0];
    await until(async () => (await paymentOf()).status === 'refunded', 'the refund job');
    expect(await paymentOf()).toMatchObject({ status: 'refunded', refund_txn_id: expect.stringMatching(/^re_/) });
    expect(stripe.refunds.filter((r) => r.payment_intent === session.payment_intent)).toHaveLength(1);
    // The winner keeps its hold on the time.
    expect(await status(winner.body.booking.id)).toBe('pending');
  });

  it('a late payment for a time still free confirms the booking', async () => {
    const { body } = await book(nextStart());
    await pg.query("update bookings set hold_expires_at = now() - interval '1 minute' where id = $1", [body.booking.id]);
    await deliver(stripe.event('checkout.session.completed', stripe.pay(sessionOf(body.next.url).id)));
    expect(await status(body.booking.id)).toBe('confirmed');
  });

  it('the sweep releases expired holds with nobody booking next, and expires their sessions', async () => {
    const { body } = await book(nextStart());
    await pg.query("update bookings set hold_expires_at = now() - interval '1 second' where id = $1", [body.booking.id]);
    const result = await sweepHolds(server.db, stripeClient('sk_test_123', stripe.url));
    expect(result.released).toBeGreaterThanOrEqual(1);
    expect(await status(body.booking.id)).toBe('expired');
    expect(sessionOf(body.next.url).status).toBe('expired');
  });

  it('an unpaid hold can be let go even inside the cancellation window', async () => {
    const soon = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3 * 3_600_000).toISOString();
    await pg.query("update providers set settings = jsonb_set(settings, '{booking,cancelUntilHoursBefore}', '48') where public_slug = 'paid'");
    try {
      const { body } = await book(soon);
      expect(body.booking.status).toBe('pending');
      const res = await fetch(`${server.url}/api/bookings/${token(body.manageUrl)}/cancel`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'checkout cancelled' }),
      });
      expect(res.status).toBe(200);
      expect(await status(body.booking.id)).toBe('cancelled');
    } finally {
      await pg.query("update providers set settings = jsonb_set(settings, '{booking,cancelUntilHoursBefore}', '2') where public_slug = 'paid'");
    }
  });

  it('cancelling a paid booking refunds it while the policy allows', async () => {
    const { body } = await book(nextStart()); // four days ahead: inside the 24 h refund window
    const session = stripe.pay(sessionOf(body.next.url).id);
    await deliver(stripe.event('checkout.session.completed', session));
    const res = await fetch(`${server.url}/api/bookings/${token(body.manageUrl)}/cancel`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'Travel' }),
    });
    expect(res.status).toBe(200);
    const view = (await res.json()).booking;
    expect(view.status).toBe('cancelled');
    // Recorded with the cancellation; the job may already have finished by the time the view is read.
    expect(['refund_pending', 'refunded']).toContain(view.payment.status);
    await until(async () => (await manage(body.manageUrl)).payment.status === 'refunded', 'the refund job');
    expect(stripe.refunds.filter((r) => r.payment_intent === session.payment_intent)).toHaveLength(1);
  });
});
