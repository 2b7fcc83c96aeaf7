import { instant, type Instant } from './slots.ts';
import { dayNumberOf, DAY, isoDate, LocalClock, localDayNumber, wallToInstant, zoneOf } from './zone.ts';

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

/**
 * How many of the given instants fall on each local date of a zone — the `days` of the slots
 * response. One offset lookup per distinct day instead of one per instant, so counting a
 * thousand slots costs about as much as counting sixty.
 *
 * @example countByLocalDay(computeSlots(q).map((s) => s.start), 'Europe/Berlin') // { '2026-12-01': 7, … }
 */
export function countByLocalDay(instants: Iterable<Instant>, timezone: string): Record<string, number> {
  const clock = new LocalClock(zoneOf(timezone));
  const counts: Record<string, number> = {};
  let start = Infinity; // the current local day is [start, end)
  let end = -Infinity;
  let key = '';
  for (const at of instants) {
    const t = instant('instant', at);
    if (t < start || t >= end) {
      const day = localDayNumber(clock.zone, t);
      start = clock.startOfDay(day);
      end = clock.startOfDay(day + 1);
      key = isoDate(day);
    }
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * The `days` of the compact slots answer: per local date of a zone, the instant the day starts and each instant as
 * whole minutes elapsed since then (elapsed time, so a DST change inside the day shifts nothing). One offset lookup
 * per distinct day, as in `countByLocalDay`. Instants are expected ascending, on whole minutes (the engine's starts).
 *
 * @example compactByLocalDay(['2026-12-01T05:00:00.000Z'], 'Asia/Dubai')
 *   // { '2026-12-01': { start: '2026-11-30T20:00:00.000Z', minutes: [540] } }
 */
export function compactByLocalDay(instants: Iterable<Instant>, timezone: string): Record<string, { start: string; minutes: number[] }> {
  const clock = new LocalClock(zoneOf(timezone));
  const days: Record<string, { start: string; minutes: number[] }> = {};
  let start = Infinity; // the current local day is [start, end)
  let end = -Infinity;
  let minutes: number[] = [];
  for (const at of instants) {
    const t = instant('instant', at);
    if (t < start || t >= end) {
      const day = localDayNumber(clock.zone, t);
      start = clock.startOfDay(day);
      end = clock.startOfDay(day + 1);
      const key = isoDate(day);
      minutes = (days[key] ??= { start: new Date(start).toISOString(), minutes: [] }).minutes;
    }
    minutes.push(Math.round((t - start) / 60_000));
  }
  return days;
}
