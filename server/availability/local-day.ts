import { instant, type Instant } from './slots.ts';
import { dayNumberOf, DAY, isoDate, localDayNumber, wallToInstant, zoneOf } from './zone.ts';

/**
 * The local date (`YYYY-MM-DD`) an instant falls on in an IANA zone, e.g. to group slots by
 * the visitor's day.
 *
 * @example localDayOf('2026-11-22T21:30:00Z', 'Asia/Dubai') // '2026-11-23'
 */
export function localDayOf(at: Instant, timezone: string): string {
  return isoDate(localDayNumber(zoneOf(timezone), instant('instant', at)));
}

/**
 * The first instant of a local date in an IANA zone, as an ISO UTC string: turns a plain
 * date such as `from=2026-03-08` into an instant. Where midnight falls in a DST gap the day
 * starts when the clocks jump (RFC 5545 §3.3.5, as the engine reads wall times).
 *
 * @example startOfLocalDay('2026-03-08', 'America/New_York') // '2026-03-08T05:00:00.000Z'
 */
export function startOfLocalDay(date: string, timezone: string): string {
  const day = typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? dayNumberOf(date) : NaN;
  if (!Number.isFinite(day) || isoDate(day) !== date) {
    throw new RangeError(`date: must be a real calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  return new Date(wallToInstant(zoneOf(timezone), day * DAY)).toISOString();
}
