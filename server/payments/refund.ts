import type Stripe from 'stripe';
import type { Db } from '../db/port.ts';

/**
 * Refunds a booking's payment in full (idempotent per booking) and records it; the booking ends
 * cancelled with the reason.
 *
 * @see https://docs.stripe.com/api/refunds/create
 */
export async function refundPayment(
  db: Db,
  stripe: Stripe,
  input: { bookingId: string; paymentIntent: string | null; reason: string; eventId?: string; eventType?: string },
): Promise<string> {
  if (!input.paymentIntent) throw new Error(`booking ${input.bookingId} has no payment intent to refund`);
  const refund = await stripe.refunds.create(
    { payment_intent: input.paymentIntent, metadata: { booking_id: input.bookingId } },
    { idempotencyKey: `refund-${input.bookingId}` },
  );
  await db.rpc('record_refund', {
    p_booking_id: input.bookingId,
    p_refund_id: refund.id,
    p_reason: input.reason,
    p_event_id: input.eventId ?? null,
    p_event_type: input.eventType ?? null,
  });
  return refund.id;
}
