import type Stripe from 'stripe';
import type { Db } from '../db/port.ts';
import { PermanentJobError, type JobHandler } from '../jobs/worker.ts';
import { stripeForBooking, type PaymentAccountsOptions } from './accounts.ts';

/** The job kind `cancel_booking` and `apply_payment_event` enqueue when a payment must be given back. */
export const REFUND_JOB = 'payment.refund';

/** What `get_pending_refund` returns. */
export interface PendingRefund {
  paymentId: string;
  bookingId: string;
  paymentIntent: string | null;
  amountCents: number;
  currency: string;
  reason: string | null;
}

/**
 * The `payment.refund` job: refunds a payment marked `refund_pending` in full and records it (`record_refund`). The
 * database marked it in the same transaction as the cancellation, so a refund is never lost with a crash or a Stripe
 * outage: a failed call fails the job, which runs again with backoff while the manage page shows "refund pending".
 *
 * Safe to run twice: a payment no longer pending is left alone, and Stripe's idempotency key (`refund-<booking id>`,
 * the key refunds have always used) returns the first refund for a repeated call. After Stripe forgot the key (24 h),
 * "already refunded" is answered by looking the refund up.
 *
 * @see https://docs.stripe.com/api/refunds/create
 * @see https://docs.stripe.com/api/idempotent_requests
 */
export function refundJob(accounts: PaymentAccountsOptions): JobHandler {
  // Stripe's client has no abort signal; its own timeout and retries (server/payments/stripe.ts) bound the call,
  // well inside a job's lease.
  return async (job, { db }) => {
    const paymentId = job.payload.paymentId;
    if (typeof paymentId !== 'string') throw new PermanentJobError('payload.paymentId is missing');
    const pending = await db.rpc('get_pending_refund', { p_payment_id: paymentId });
    if (!pending) return; // refunded already, or never asked for
    if (!pending.paymentIntent) throw new PermanentJobError(`payment ${paymentId} has no payment intent to refund`);
    // The account that took the payment gives it back: the provider's own Stripe, or the server's.
    const stripe = await stripeForBooking(db, accounts, pending.bookingId);
    if (!stripe) throw new Error('The Stripe account that took this payment is not connected here: reconnect it to make the refund');
    const refundId = await createRefund(stripe, pending);
    await recordRefund(db, pending.bookingId, refundId, pending.reason ?? 'Refunded');
  };
}

async function createRefund(stripe: Stripe, p: PendingRefund): Promise<string> {
  try {
    const refund = await stripe.refunds.create(
      { payment_intent: p.paymentIntent!, metadata: { booking_id: p.bookingId } },
      { idempotencyKey: `refund-${p.bookingId}` },
    );
    return refund.id;
  } catch (error) {
    if ((error as { code?: string }).code !== 'charge_already_refunded') throw error;
    const existing = await stripe.refunds.list({ payment_intent: p.paymentIntent!, limit: 10 });
    const made = existing.data.find((r) => r.status !== 'failed' && r.status !== 'canceled');
    if (!made) throw error;
    return made.id;
  }
}

/** Marks the payment refunded and the booking cancelled (with the reason, unless it has one). */
export function recordRefund(db: Db, bookingId: string, refundId: string, reason: string) {
  return db.rpc('record_refund', {
    p_booking_id: bookingId, p_refund_id: refundId, p_reason: reason, p_event_id: null, p_event_type: null,
  });
}
