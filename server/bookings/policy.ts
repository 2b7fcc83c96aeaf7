import { isLive, type Booking } from './booking.ts';

const HOUR = 3_600_000;

/**
 * Hours left before the start, and what the provider's policy still allows a visitor. A refund is judged on the terms
 * the visitor paid under: the deadline frozen on the payment, not the booking's current start (`cancel_booking` applies
 * the same rule in SQL and decides; this is what the page says beforehand).
 */
export function policyState(b: Booking, now: Date): { canCancel: boolean; canReschedule: boolean; refundable: boolean } {
  const hoursLeft = (Date.parse(b.start) - now.getTime()) / HOUR;
  const p = b.provider.policy;
  return {
    // An unpaid hold can always be let go (e.g. "Cancel" on the checkout page); the window is for confirmed bookings.
    canCancel: b.status === 'pending' || (isLive(b) && hoursLeft >= (p.cancelUntilHoursBefore ?? 0)),
    canReschedule: b.status === 'confirmed' && hoursLeft >= (p.rescheduleUntilHoursBefore ?? 0),
    refundable: b.payment?.status === 'paid' && !!b.payment.refundUntil && now.getTime() <= Date.parse(b.payment.refundUntil),
  };
}

/**
 * What the provider's cancel does with a payment: the refund window of the terms the client paid under (frozen at
 * payment, as `cancel_booking` judges it; for payments made before it was recorded, the policy's hours before the
 * start) unless the provider says otherwise (`override`).
 */
export function refundDecision(b: Booking, now: Date, override: boolean | undefined): { refund: boolean; byPolicy: boolean } {
  const paid = b.payment?.status === 'paid' && Boolean(b.payment.txnId);
  const deadline = b.payment?.refundUntil
    ? Date.parse(b.payment.refundUntil)
    : Date.parse(b.start) - (b.provider.policy.refundUntilHoursBefore ?? 0) * HOUR;
  const byPolicy = paid && now.getTime() <= deadline;
  return { refund: paid && (override ?? byPolicy), byPolicy };
}
