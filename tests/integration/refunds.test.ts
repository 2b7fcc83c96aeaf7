import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { stripeClient } from '../../server/payments/stripe.ts';
import { startFakeStripe } from '../support/fake-stripe.ts';
import { makeProvider } from '../support/fixtures.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

/**
 * Refunds on real PostgreSQL: recorded "pending" in the cancellation's own transaction, settled by the job queue
 * (retried when Stripe fails), and judged on the deadline frozen when the visitor paid.
 */
const SECRET = 'whsec_test_refunds';
const HOUR = 3_600_000;
let pgServer: PostgresServer;
let sql: postgres.Sql;
let stripe: Awaited<ReturnType<typeof startFakeStripe>>;
let server: TestServer;
let hour = 0;
/** Whole hours from now (the database judges deadlines by its own clock, so times are relative to it). */
const hoursAhead = (h: number) => new Date(Math.floor(Date.now() / HOUR) * HOUR + h * HOUR).toISOString();
/** A fresh start four days ahead for each test. */
const nextStart = () => hoursAhead(96 + ++hour);

beforeAll(async () => {
  pgServer = await startPostgres();
  const url = await pgServer.createDatabase('slotline_refunds');
  stripe = await startFakeStripe({ webhookSecret: SECRET });
  // Backoff long enough to look at the pending state between attempts, short enough for a test.
  server = await startTestServer({
    databaseUrl: url, seed: false, payments: { stripe: stripeClient('sk_test_refunds', stripe.url), webhookSecret: SECRET },
    jobs: { backoffMs: 1_500 },
  });
  sql = postgres(url, { max: 2, onnotice: () => {} });
  await makeProvider(server.db, {
    slug: 'coach',
    settings: { booking: { slotStepMinutes: 60, refundUntilHoursBefore: 24, cancelUntilHoursBefore: 2, rescheduleUntilHoursBefore: 2 } },
    services: [{ slug: 'pt', title: 'Personal training', durationMinutes: 60, priceCents: 25000, currency: 'AED' }],
  });
});
afterAll(async () => {
  await server?.close();
  await stripe?.close();
  await sql?.end();
  await pgServer?.stop();
});

const token = (manageUrl: string) => manageUrl.split('/b/')[1];
const api = (path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
const manage = async (manageUrl: string) => (await api(`/api/bookings/${token(manageUrl)}`)).json();

/** Books and pays (signed webhook): a confirmed, paid booking. */
async function paidBooking(start: string, email = 'payer@example.com') {
  const res = await api('/api/bookings', { provider: 'coach', service: 'pt', start, email, name: 'Payer' });
  expect(res.status).toBe(201);
  const body = await res.json();
  const session = stripe.pay(body.next.url.split('/pay/')[1]);
  const event = stripe.event('checkout.session.completed', session);
  const hook = await fetch(`${server.url}/api/stripe/webhook`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, body: event.payload,
  });
  expect((await hook.json()).outcome).toBe('confirmed');
  return { manageUrl: body.manageUrl as string, bookingId: body.booking.id as string, paymentIntent: session.payment_intent as string };
}
const refundJobs = (bookingId: string) =>
  sql<{ status: string; attempts: number; last_error: string | null }[]>`
    select status, attempts, last_error from jobs where kind = 'payment.refund' and payload ->> 'bookingId' = ${bookingId} order by id`;

describe('refunds are never lost', () => {
  it('Stripe fails once: the cancellation stays recorded with the refund pending, and the job retries until refunded', async () => {
    const start = nextStart();
    const paid = await paidBooking(start);
    stripe.control.failRefunds = 1;

    const res = await api(`/api/bookings/${token(paid.manageUrl)}/cancel`, { reason: 'Travel' });
    expect(res.status).toBe(200);
    const cancelled = await res.json();
    expect(cancelled.booking.status).toBe('cancelled');
    expect(cancelled.booking.payment.status).toBe('refund_pending');

    // The first attempt failed and was kept with its error; the job waits for its retry.
    await until(async () => (await refundJobs(paid.bookingId))[0]?.last_error, 'the first refund attempt to fail');
    expect((await refundJobs(paid.bookingId))[0]).toMatchObject({ status: 'queued', attempts: 1, last_error: expect.stringMatching(/Stripe/) });
    const meanwhile = await manage(paid.manageUrl);
    expect(meanwhile.booking.status).toBe('cancelled');
    expect(meanwhile.booking.payment.status).toBe('refund_pending');
    // The time is free again at once, refund or not.
    expect((await api('/api/bookings', { provider: 'coach', service: 'pt', start, email: 'next@example.com', name: 'Next' })).status).toBe(201);

    await until(async () => (await manage(paid.manageUrl)).booking.payment.status === 'refunded', 'the retried refund');
    // The handler records the refund, then the worker finishes the job: wait for that second step too.
    await until(async () => (await refundJobs(paid.bookingId))[0]?.status !== 'running', 'the refund job to finish');
    expect(await refundJobs(paid.bookingId)).toEqual([{ status: 'done', attempts: 2, last_error: expect.stringMatching(/Stripe/) }]);
    expect(stripe.refunds.filter((r) => r.payment_intent === paid.paymentIntent)).toHaveLength(1);
    const [row] = await sql<{ refund_txn_id: string; refund_reason: string }[]>`
      select refund_txn_id, refund_reason from payments where booking_id = ${paid.bookingId}`;
    expect(row).toEqual({ refund_txn_id: stripe.refunds.find((r) => r.payment_intent === paid.paymentIntent)!.id, refund_reason: 'Cancelled by the visitor: Travel' });
  });

  it('a refund Stripe already made (an earlier run died before recording it) is recorded, not made twice', async () => {
    const paid = await paidBooking(nextStart());
    // Made by a run that crashed before record_refund, long enough ago that Stripe forgot the idempotency key.
    const earlier = await stripeClient('sk_test_refunds', stripe.url).refunds.create({ payment_intent: paid.paymentIntent }, { idempotencyKey: 'lost-run' });
    stripe.forgetIdempotencyKeys();
    await api(`/api/bookings/${token(paid.manageUrl)}/cancel`, {});
    await until(async () => (await manage(paid.manageUrl)).booking.payment.status === 'refunded', 'the refund to be recorded');
    expect(stripe.refunds.filter((r) => r.payment_intent === paid.paymentIntent)).toHaveLength(1);
    const [row] = await sql<{ refund_txn_id: string }[]>`select refund_txn_id from payments where booking_id = ${paid.bookingId}`;
    expect(row.refund_txn_id).toBe(earlier.id);
  });

  it('the refund job is enqueued in the cancellation transaction: a cancellation rolled back leaves no job', async () => {
    const paid = await paidBooking(nextStart());
    const hash = (await sql<{ h: string }[]>`select manage_token_hash as h from bookings where id = ${paid.bookingId}`)[0].h;
    let inside = 0;
    await sql.begin(async (tx) => {
      await tx`select cancel_booking(${hash}, 'changed my mind')`;
      inside = (await tx`select 1 from jobs where kind = 'payment.refund' and payload ->> 'bookingId' = ${paid.bookingId}`).length;
      throw new Error('roll back');
    }).catch((error: Error) => {
      if (error.message !== 'roll back') throw error;
    });
    expect(inside).toBe(1);
    expect(await refundJobs(paid.bookingId)).toEqual([]);
    expect((await manage(paid.manageUrl)).booking).toMatchObject({ status: 'confirmed', payment: { status: 'paid' } });
  });
});

describe('the refund window is the one the visitor paid under', () => {
  it('freezes the deadline at payment and says it on the manage view', async () => {
    const start = nextStart();
    const paid = await paidBooking(start);
    const view = await manage(paid.manageUrl);
    expect(view.booking.payment.refundUntil).toBe(new Date(Date.parse(start) - 24 * HOUR).toISOString());
    expect(view.policy.refundable).toBe(true);
  });

  it('move far ahead, then cancel: no refund once the frozen window has closed', async () => {
    // Paid 20 hours before the start under "refunds until 24 hours before": never refundable.
    const start = hoursAhead(20);
    const paid = await paidBooking(start);
    const before = await manage(paid.manageUrl);
    expect(before.policy.refundable).toBe(false);
    expect(before.booking.payment.refundUntil).toBe(new Date(Date.parse(start) - 24 * HOUR).toISOString());

    // Moving ten days ahead does not reopen it (judged on the current start, it would).
    const moved = await api(`/api/bookings/${token(paid.manageUrl)}/reschedule`, { start: hoursAhead(240 + ++hour) });
    expect(moved.status).toBe(200);
    const after = await moved.json();
    expect(after.booking.payment.refundUntil).toBe(before.booking.payment.refundUntil);
    expect(after.policy.refundable).toBe(false);

    const res = await api(`/api/bookings/${token(paid.manageUrl)}/cancel`, {});
    expect(res.status).toBe(200);
    const cancelled = await res.json();
    expect(cancelled.booking.status).toBe('cancelled');
    expect(cancelled.booking.payment.status).toBe('paid');
    expect(await refundJobs(paid.bookingId)).toEqual([]);
    expect(stripe.refunds.some((r) => r.payment_intent === paid.paymentIntent)).toBe(false);
  });

  it('a provider who changes the policy after payment does not change the deadline already paid under', async () => {
    const start = nextStart();
    const paid = await paidBooking(start);
    await sql`update providers set settings = jsonb_set(settings, '{booking,refundUntilHoursBefore}', '200') where public_slug = 'coach'`;
    try {
      const view = await manage(paid.manageUrl);
      expect(view.booking.payment.refundUntil).toBe(new Date(Date.parse(start) - 24 * HOUR).toISOString());
      expect(view.policy.refundable).toBe(true);
      await api(`/api/bookings/${token(paid.manageUrl)}/cancel`, {});
      await until(async () => (await manage(paid.manageUrl)).booking.payment.status === 'refunded', 'the refund');
    } finally {
      await sql`update providers set settings = jsonb_set(settings, '{booking,refundUntilHoursBefore}', '24') where public_slug = 'coach'`;
    }
  });
});
