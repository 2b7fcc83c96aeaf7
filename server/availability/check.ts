import { computeSlots, instant, type Instant, type SlotQuery } from './slots.ts';

/**
 * Why a start can or cannot be booked now: `available`; `taken` (the provider's rules allow
 * it but busy time blocks it: "someone just took it"); `unavailable` (outside working hours,
 * too soon, beyond the horizon, off the step grid, or the day is full: "pick another time").
 * Issue 3: the booking API answers `/slot-taken` and `/slot-unavailable` from this.
 *
 * @example checkStart({ ...query }, '2026-11-23T05:00:00Z') // 'available'
 */
export function checkStart(
  query: Omit<SlotQuery, 'from' | 'to'>,
  start: Instant,
): 'available' | 'taken' | 'unavailable' {
  const s = instant('start', start);
  // A one-millisecond window holds exactly the slot starting at `s`, if there is one.
  const window = { from: new Date(s), to: new Date(s + 1) };
  if (computeSlots({ ...query, ...window }).length > 0) return 'available';
  return computeSlots({ ...query, ...window, busy: [] }).length > 0 ? 'taken' : 'unavailable';
}
