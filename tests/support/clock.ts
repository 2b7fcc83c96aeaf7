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

const DAY = 86_400_000;

/**
 * 06:00Z (10:00 in Dubai, where the demo provider works Mon–Fri 09–13 and 15–19) on a Monday two weeks or more
 * after the real date: the app's clock for provider-app tests. It lies ahead of the database's own `now()` too,
 * which decides hold and manage-link expiry, so bookings made "today" on this clock are in the database's future.
 */
export function mondayAfterTwoWeeks(): Date {
  const t = new Date(Date.now() + 14 * DAY);
  t.setUTCHours(6, 0, 0, 0);
  while (t.getUTCDay() !== 1) t.setTime(t.getTime() + DAY);
  return t;
}

/** Dates `n` days after `start` (`YYYY-MM-DD`), and an instant on such a date at a UTC time of day (`HH:MM`). */
export function daysAfter(start: Date) {
  const day = (n: number) => new Date(start.getTime() + n * DAY).toISOString().slice(0, 10);
  const at = (n: number, utc: string) => `${day(n)}T${utc}:00.000Z`;
  return { day, at };
}
