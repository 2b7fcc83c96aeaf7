import type Stripe from 'stripe';
import type { Db } from '../db/port.ts';

/**
 * One pass of the hold sweep: releases holds whose time ran out (even when nobody books next),
 * then expires their still-open Checkout Sessions so a late visitor cannot pay for a released
 * time.
 *
 * @see https://docs.stripe.com/api/checkout/sessions/expire
 */
export async function sweepHolds(db: Db, stripe: Stripe | null): Promise<{ released: number; sessionsClosed: number }> {
  const released = await db.rpc('expire_holds', { p_provider_id: null });
  let sessionsClosed = 0;
  if (stripe) {
    const stale = await db.rpc('list_stale_checkout_sessions', { p_limit: 50 });
    for (const { sessionId } of stale) {
      try {
        await stripe.checkout.sessions.expire(sessionId);
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
export function startHoldSweep(db: Db, stripe: Stripe | null, intervalMs = 60_000, log = console.error): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await sweepHolds(db, stripe);
    } catch (error) {
      log(`[slotline] hold sweep failed: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
