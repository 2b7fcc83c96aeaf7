import type Stripe from 'stripe';
import type { Db } from '../db/port.ts';
import { stripeForBooking, type PaymentAccountsOptions } from './accounts.ts';

/** Providers' own Stripe keys (connected in the app) are read with these; without them only the server's account. */
type ProviderKeys = Omit<PaymentAccountsOptions, 'server'>;

/**
 * One pass of the hold sweep: releases holds whose time ran out (even when nobody books next),
 * then expires their still-open Checkout Sessions so a late visitor cannot pay for a released
 * time.
 *
 * @see https://docs.stripe.com/api/checkout/sessions/expire
 */
export async function sweepHolds(db: Db, stripe: Stripe | null, keys?: ProviderKeys): Promise<{ released: number; sessionsClosed: number }> {
  const released = await db.rpc('expire_holds', { p_provider_id: null });
  // Sealed manage-link copies nobody needs any more (off the booking request since issue 16).
  await db.rpc('prune_link_copies', { p_limit: 1000 });
  let sessionsClosed = 0;
  if (stripe || keys?.secretsKey) {
    const stale = await db.rpc('list_stale_checkout_sessions', { p_limit: 50 });
    for (const { sessionId, bookingId } of stale) {
      // Each session is closed with the account it was made with (the provider's own, or the server's).
      const client = keys
        ? await stripeForBooking(db, { ...keys, server: stripe ? { stripe } : null }, bookingId).catch(() => null)
        : stripe;
      if (!client) continue;
      try {
        await client.checkout.sessions.expire(sessionId);
      } catch (error) {
        // Already complete or expired at Stripe: nothing left to close.
        const code = (error as { statusCode?: number }).statusCode;
        if (code !== 400 && code !== 404) continue;
      }
      await db.rpc('mark_checkout_closed', { p_session_id: sessionId });
      sessionsClosed++;
    }
  }
  return { released, sessionsClosed };
}

/** Runs `sweepHolds` every `intervalMs`; returns a stop function. Errors are logged, never thrown. */
export function startHoldSweep(db: Db, stripe: Stripe | null, intervalMs = 60_000, log = console.error, keys?: ProviderKeys): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await sweepHolds(db, stripe, keys);
    } catch (error) {
      log(`[slotline] hold sweep failed: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
