import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type Stripe from 'stripe';
import type { Db } from '../db/port.ts';
import { confirmBooking } from '../bookings/service.ts';
import { confirmSeriesPayment } from '../series/service.ts';
import { problem } from '../http/problem.ts';

type PaymentKind = 'paid' | 'failed' | 'expired';

/** Stripe's Checkout events are a few KB; anything this big is not from Stripe and is not buffered. */
export const WEBHOOK_MAX_BODY_BYTES = 64 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Which of our transitions a Checkout event means (null: nothing to do). */
export function paymentKind(event: Stripe.Event): PaymentKind | null {
  switch (event.type) {
    case 'checkout.session.completed':
      // Delayed methods complete "unpaid" first and settle with an async_payment_* event.
      return (event.data.object as Stripe.Checkout.Session).payment_status === 'unpaid' ? null : 'paid';
    case 'checkout.session.async_payment_succeeded':
      return 'paid';
    case 'checkout.session.async_payment_failed':
      return 'failed';
    case 'checkout.session.expired':
      return 'expired';
    default:
      return null;
  }
}

/**
 * `POST /api/stripe/webhook`: verifies Stripe's signature on the raw body (forged, stale or
 * missing → 400 and nothing changes), then applies each event once in SQL. A payment for a
 * time that was taken meanwhile ends its booking cancelled with `refund_pending`, and the refund job enqueued in the
 * same transaction gives the money back (`wake` starts it at once). Calendar write-back of a confirmed booking is
 * enqueued by the database too.
 *
 * @see https://docs.stripe.com/webhooks#verify-events
 */
export function stripeWebhookRoutes({ db, stripe, webhookSecret, wake = () => {}, log = console.error }: {
  db: Db;
  stripe: Stripe | null;
  webhookSecret: string | null;
  /** Tells this instance's job worker that work was just enqueued. */
  wake?: () => void;
  log?: (message: string) => void;
}) {
  const app = new Hono();
  const tooLarge = bodyLimit({
    maxSize: WEBHOOK_MAX_BODY_BYTES,
    // The rest of the body is never read: close the connection so no client reuses it mid-upload.
    onError: (c) => problem(c, 413, 'body-too-large', `The body is over ${WEBHOOK_MAX_BODY_BYTES / 1024} KB`, {}, { connection: 'close' }),
  });
  app.post('/api/stripe/webhook', tooLarge, async (c) => {
    if (!stripe || !webhookSecret) return problem(c, 404, 'not-found', 'Payments are not configured');
    const signature = c.req.header('stripe-signature');
    if (!signature) return problem(c, 400, 'bad-signature', 'Missing Stripe-Signature header');
    const raw = await c.req.text();
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(raw, signature, webhookSecret);
    } catch {
      return problem(c, 400, 'bad-signature', 'The Stripe signature does not match this body');
    }

    const kind = paymentKind(event);
    if (!kind) return c.json({ received: true, handled: false });
    const session = event.data.object as Stripe.Checkout.Session;
    const bookingId = session.metadata?.booking_id ?? session.client_reference_id ?? '';
    if (!UUID.test(bookingId)) return c.json({ received: true, handled: false });
    const paymentIntent = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id ?? null;

    // A weekly series paid in one Checkout: every occurrence is confirmed, or none and the payment is refunded.
    const seriesId = session.metadata?.series_id ?? '';
    if (UUID.test(seriesId)) {
      const result = await confirmSeriesPayment({ db, wake }, {
        eventId: event.id, eventType: event.type, paymentKind: kind, seriesId, sessionId: session.id, paymentIntent,
        amountCents: session.amount_total ?? null, currency: session.currency ?? null,
      });
      if (result.outcome === 'refund_pending') log(`[slotline] series ${seriesId}: payment arrived after a date was lost; refund queued`);
      return c.json({ received: true, outcome: result.outcome });
    }
    // The booking service applies the event once in SQL and wakes the worker for the write-back or refund it queued.
    const result = await confirmBooking({ db, wake }, {
      kind: 'payment',
      eventId: event.id,
      eventType: event.type,
      paymentKind: kind,
      bookingId,
      sessionId: session.id,
      paymentIntent,
      amountCents: session.amount_total ?? null,
      currency: session.currency ?? null,
    });
    if (result.outcome === 'refund_pending') log(`[slotline] booking ${bookingId}: payment arrived after its time was taken; refund queued`);
    return c.json({ received: true, outcome: result.outcome });
  });
  return app;
}
