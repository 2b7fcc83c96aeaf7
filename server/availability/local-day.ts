import { instant, type Instant } from './slots';
import { isoDate, localDayNumber, zoneOf } from './zone';

/**
 * The local date (`YYYY-MM-DD`) an instant falls on in an IANA zone, e.g. to group slots by
 * the visitor's day.
 *
 * @example localDayOf('2026-11-22T21:30:00Z', 'Asia/Dubai') // '2026-11-23'
 */
export function localDayOf(at: Instant, timezone: string): string {
  return isoDate(localDayNumber(zoneOf(timezone), instant('instant', at)));
}
