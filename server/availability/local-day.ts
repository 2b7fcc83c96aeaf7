import { instant, type Instant } from './slots.ts';
import { clockOf, dayNumberOf, DAY, isoDate, type LocalClock, localDayNumber, zoneOf } from './zone.ts';

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
  return new Date(clockOf(timezone).startOfDay(day)).toISOString();
}

/**
 * Walks instants through the local days of a zone: `move(t)` makes `[start, end)` the local day holding `t` and
 * says whether that day changed. Moving forward steps to the next midnights (`LocalClock` arithmetic, an offset
 * lookup every few days); only a jump backwards or far ahead looks the date up. For ascending slot starts a month
 * costs about ten offset lookups instead of one or more per day.
 */
class LocalDayCursor {
  readonly clock: LocalClock;
  day = NaN;
  start = Infinity;
  end = -Infinity;

  constructor(timezone: string) {
    this.clock = clockOf(timezone);
  }

  move(t: number): boolean {
    if (t >= this.start && t < this.end) return false;
    if (t >= this.end && t < this.end + 7 * DAY) {
      while (t >= this.end) {
        this.day++;
        this.start = this.end;
        this.end = this.clock.startOfDay(this.day + 1);
      }
      return true;
    }
    this.day = localDayNumber(this.clock.zone, t);
    this.start = this.clock.startOfDay(this.day);
    this.end = this.clock.startOfDay(this.day + 1);
    return true;
  }
}

/**
 * How many of the given instants fall on each local date of a zone — the `days` of the slots
 * response, by `LocalDayCursor` (no per-instant offset lookup).
 *
 * @example countByLocalDay(computeSlots(q).map((s) => s.start), 'Europe/Berlin') // { '2026-12-01': 7, … }
 */
export function countByLocalDay(instants: Iterable<Instant>, timezone: string): Record<string, number> {
  const days = new LocalDayCursor(timezone);
  const counts: Record<string, number> = {};
  let key = '';
  for (const at of instants) {
    if (days.move(instant('instant', at))) key = isoDate(days.day);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * The `days` of the compact slots answer: per local date of a zone, the instant the day starts and each instant as
 * whole minutes elapsed since then (elapsed time, so a DST change inside the day shifts nothing). Instants are
 * expected on whole minutes (the engine's starts); ascending ones give ascending days and minutes.
 *
 * @example compactByLocalDay(['2026-12-01T05:00:00.000Z'], 'Asia/Dubai')
 *   // { '2026-12-01': { start: '2026-11-30T20:00:00.000Z', minutes: [540] } }
 */
export function compactByLocalDay(instants: Iterable<Instant>, timezone: string): Record<string, { start: string; minutes: number[] }> {
  const days = new LocalDayCursor(timezone);
  const out: Record<string, { start: string; minutes: number[] }> = {};
  let minutes: number[] = [];
  for (const at of instants) {
    const t = instant('instant', at);
    if (days.move(t)) minutes = (out[isoDate(days.day)] ??= { start: new Date(days.start).toISOString(), minutes: [] }).minutes;
    minutes.push(Math.round((t - days.start) / 60_000));
  }
  return out;
}
