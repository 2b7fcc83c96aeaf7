import type Stripe from 'stripe';
import type { Db } from '../db/port.ts';

/** Stripe Checkout Sessions live at least 30 minutes (and at most 24 hours). */
const MIN_SESSION_SECONDS = 30 * 60 + 60;

/**
 * A Checkout Session for a pending hold: the booking id travels in metadata, the idempotency
 * key comes from the booking (a retried request gets the same session), success returns to the
 * manage page, cancel returns there too and releases the hold.
 *
 * @see https://docs.stripe.com/api/checkout/sessions/create
 */
export async function createCheckout(
  db: Db,
  stripe: Stripe,
  input: {
    /** Which account `stripe` is (recorded on the payment, so refunds go to the same account). */
    account?: 'server' | 'provider';
    bookingId: string;
    /** A weekly series: the payment is for every occurrence (the webhook confirms them all); `bookingId` is its anchor. */
    seriesId?: string;
    serviceTitle: string;
    providerName: string;
    amountCents: number;
    currency: string;
    customerEmail?: string;
    manageUrl: string;
    holdExpiresAt: Date;
  },
): Promise<{ id: string; url: string }> {
  const expiresAt = Math.max(
    Math.ceil(input.holdExpiresAt.getTime() / 1000),
    Math.ceil(Date.now() / 1000) + MIN_SESSION_SECONDS,
  );
  const session = await stripe.checkout.sessions.create(
    {
      mode: 'payment',
      client_reference_id: input.bookingId,
      metadata: { booking_id: input.bookingId, ...(input.seriesId ? { series_id: input.seriesId } : {}) },
      payment_intent_data: { metadata: { booking_id: input.bookingId, ...(input.seriesId ? { series_id: input.seriesId } : {}) } },
      customer_email: input.customerEmail,
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: input.currency.toLowerCase(),
            unit_amount: input.amountCents,
            product_data: { name: `${input.serviceTitle} — ${input.providerName}` },
          },
        },
      ],
      expires_at: expiresAt,
      success_url: `${input.manageUrl}?payment=success`,
      cancel_url: `${input.manageUrl}?payment=cancelled`,
    },
    { idempotencyKey: `checkout-${input.bookingId}` },
  );
  if (!session.url) throw new Error('Stripe returned a Checkout Session without a URL');
  await db.rpc('attach_checkout_session_with', {
    p_booking_id: input.bookingId,
    p_session_id: session.id,
    p_amount_cents: input.amountCents,
    p_currency: input.currency,
    p_checkout_url: session.url,
    p_account: input.account ?? 'server',
  });
  return { id: session.id, url: session.url };
}
