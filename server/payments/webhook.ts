import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type Stripe from 'stripe';
import type { Db } from '../db/port.ts';
import { confirmBooking } from '../bookings/service.ts';
import { confirmSeriesPayment } from '../series/service.ts';
import { problem } from '../http/problem.ts';
import { stripeForProvider, type PaymentAccountsOptions } from './accounts.ts';

type PaymentKind = 'paid' | 'failed' | 'expired';

/** Stripe's Checkout events are a few KB; anything this big is not from Stripe and is not buffered. */
export const WEBHOOK_MAX_BODY_BYTES = 64 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The events `paymentKind` acts on: what a provider selects when adding the webhook endpoint in Stripe. */
export const WEBHOOK_EVENTS = [
  'checkout.session.completed', 'checkout.session.expired',
  'checkout.session.async_payment_succeeded', 'checkout.session.async_payment_failed',
] as const;

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
 * `POST /api/stripe/webhook` (the server's account) and `POST /api/stripe/webhook/:providerId` (a provider's own
 * account, connected in the app): verifies Stripe's signature on the raw body (forged, stale or
 * missing → 400 and nothing changes), then applies each event once in SQL. A payment for a
 * time that was taken meanwhile ends its booking cancelled with `refund_pending`, and the refund job enqueued in the
 * same transaction gives the money back (`wake` starts it at once). Calendar write-back of a confirmed booking is
 * enqueued by the database too.
 *
 * @see https://docs.stripe.com/webhooks#verify-events
 */
export function stripeWebhookRoutes({ db, stripe, webhookSecret, accounts = null, now = () => new Date(), wake = () => {}, log = console.error }: {
  db: Db;
  stripe: Stripe | null;
  webhookSecret: string | null;
  /** Reads providers' own Stripe keys for `/api/stripe/webhook/:providerId` (null: that route answers 404). */
  accounts?: Omit<PaymentAccountsOptions, 'server'> | null;
  /** The server's clock: a package's validity runs from the payment (server/packages/). */
  now?: () => Date;
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
    return handleEvent(c, stripe, webhookSecret, null);
  });

  // A provider who connected their own Stripe points its webhook here; it is verified with their signing secret and
  // acts only on that provider's bookings.
  app.post('/api/stripe/webhook/:providerId', tooLarge, async (c) => {
    const providerId = c.req.param('providerId');
    if (!accounts || !UUID.test(providerId)) return problem(c, 404, 'not-found', 'Payments are not configured');
    const row = await db.rpc('payment_account_for_provider', { p_provider_id: providerId });
    if (!row) return problem(c, 404, 'not-found', 'Payments are not configured');
    let own: Awaited<ReturnType<typeof stripeForProvider>>;
    try {
      own = await stripeForProvider(db, { ...accounts, server: null }, providerId);
    } catch {
      own = null;
    }
    if (!own) return problem(c, 503, 'payments-unavailable', 'This provider\'s Stripe keys cannot be read on this server');
    return handleEvent(c, own.stripe, own.webhookSecret, providerId);
  });

  async function handleEvent(c: Context, client: Stripe, secret: string, providerId: string | null) {
    const signature = c.req.header('stripe-signature');
    if (!signature) return problem(c, 400, 'bad-signature', 'Missing Stripe-Signature header');
    const raw = await c.req.text();
    let event: Stripe.Event;
    try {
      event = client.webhooks.constructEvent(raw, signature, secret);
    } catch {
      return problem(c, 400, 'bad-signature', 'The Stripe signature does not match this body');
    }
    if (providerId) await db.rpc('note_payment_webhook', { p_provider_id: providerId, p_at: now() });

    const kind = paymentKind(event);
    if (!kind) return c.json({ received: true, handled: false });
    const session = event.data.object as Stripe.Checkout.Session;
    const paymentRef = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id ?? null;
    // A package sale (server/packages/purchase.ts): granted once per event, on the sale's own Checkout Session.
    const grantId = session.metadata?.credit_grant_id ?? '';
    if (UUID.test(grantId)) {
      const result = await db.rpc('apply_package_payment_event', {
        p_event_id: event.id, p_event_type: event.type, p_kind: kind, p_grant_id: grantId, p_session_id: session.id,
        p_payment_intent: paymentRef, p_now: now(),
      });
      return c.json({ received: true, outcome: result.outcome });
    }
    const bookingId = session.metadata?.booking_id ?? session.client_reference_id ?? '';
    if (!UUID.test(bookingId)) return c.json({ received: true, handled: false });
    if (providerId) {
      // A provider's signing secret speaks for that provider's bookings only.
      const account = await db.rpc('payment_account_for_booking', { p_booking_id: bookingId });
      if (account?.providerId !== providerId) return c.json({ received: true, handled: false });
    }
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
  }
  return app;
}
