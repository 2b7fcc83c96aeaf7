/**
 * Clocks for tests that must not depend on today's date: the server's `now` and the browser's `page.clock` share
 * one, fixed at a chosen instant and running at real speed from there (timeouts, holds and countdowns still move).
 */

/** A clock that reads `at` now and runs at real speed. */
export function clockFrom(at: Date): () => Date {
  const real = Date.now();
  return () => new Date(at.getTime() + (Date.now() - real));
}

/** 09:00 in Dubai on the 10th of next month: the month has free days left and the next two weeks are open. */
export function midNextMonth(): Date {
  const real = new Date();
  return new Date(Date.UTC(real.getUTCFullYear(), real.getUTCMonth() + 1, 10, 5));
}

/** 20:00 in Dubai on the last day of next month: that month has no free time left (the demo closes at 19:00). */
export function endOfNextMonth(): Date {
  const real = new Date();
  return new Date(Date.UTC(real.getUTCFullYear(), real.getUTCMonth() + 2, 0, 16));
}
