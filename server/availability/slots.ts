import { workingHoursSchema, type WorkingHours } from './working-hours.ts';
import { mergeSpans, WeekPlan, workingSpans, type Span } from './ranges.ts';
import { createIsoFormatter } from './iso.ts';
import { clockOf, LocalClock, MINUTE } from './zone.ts';

/** An instant: an ISO 8601 date-time string with a time part (`Z` or an offset), or a `Date`. */
export type Instant = string | Date;

/** What `computeSlots` needs: the provider's rules, their busy time, and the window asked for. */
export interface SlotQuery {
  /** The provider's IANA zone; working hours are wall-clock times there (wins over `workingHours.timezone`). */
  timezone: string;
  /** Weekly ranges and per-date overrides, in the provider-file shapes (`workingHoursSchema`). */
  workingHours: WorkingHours;
  durationMinutes: number;
  /** Distance between slot starts in real elapsed minutes; default `durationMinutes`. */
  stepMinutes?: number;
  /** Time kept free before/after each appointment; may fall outside working hours. Default 0. */
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  /** A slot starts at least this long after `now` (inclusive). Default 0. */
  minNoticeMinutes?: number;
  /** Slots start before the end of the provider-local day `today + horizonDays`. Default 60. */
  horizonDays?: number;
  /** At most this many live bookings per provider-local day; a full day offers nothing. Default: no limit. */
  maxPerDay?: number;
  /** Time that is not free: bookings, live holds, external calendar events. `[start, end)`. */
  busy: { start: Instant; end: Instant }[];
  /**
   * Starts of the provider's live bookings (pending or confirmed). Used only to count
   * `maxPerDay` per provider-local day, since `busy` cannot tell bookings from calendar events.
   */
  bookedStarts?: Instant[];
  /**
   * Rule 8: the service's own daily limit — a provider-local day holding this many of `serviceBookedStarts` (the
   * live bookings of this service only) offers nothing for this service. Default: no limit.
   */
  serviceMaxPerDay?: number;
  /** Starts of this service's live bookings; counted only for `serviceMaxPerDay`. */
  serviceBookedStarts?: Instant[];
  now: Instant;
  /** Slot starts `s` satisfy `from ≤ s < to`. */
  from: Instant;
  to: Instant;
}

/** One bookable time, as `toISOString()` prints it (`2026-03-09T13:00:00.000Z`). */
export interface Slot {
  start: string;
  end: string;
}

/**
 * Every slot a provider can take in a window: pure, no I/O, no clock reads (`now` is an
 * input). Rules (issue 3, DST per RFC 5545 §3.3.5):
 * - a working range of a local date is the instants `[start, end)` in `timezone`; a wall
 *   time in a spring-forward gap uses the offset before the gap, a repeated one its first
 *   occurrence; `24:00` is the next midnight; adjacent/overlapping ranges are merged first;
 * - starts are the merged range's start plus whole steps of real elapsed time; the
 *   appointment `[s, s + duration)` lies inside the range; busy time never moves the grid;
 * - `[s − bufferBefore, s + duration + bufferAfter)` overlaps no busy interval (touching is
 *   fine), as the database's exclusion constraint;
 * - `s ≥ now + minNotice`, `s` before the end of the local day `today + horizonDays`,
 *   `from ≤ s < to`, and the local day of `s` holds fewer than `maxPerDay` `bookedStarts`
 *   and fewer than `serviceMaxPerDay` `serviceBookedStarts`.
 * Cost: O((ranges + busy) · log) plus the slots returned.
 *
 * @example
 * computeSlots({
 *   timezone: 'Asia/Dubai', workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
 *   durationMinutes: 60, busy: [], now: '2026-11-22T00:00:00Z',
 *   from: '2026-11-23T00:00:00+04:00', to: '2026-11-24T00:00:00+04:00',
 * }) // [{ start: '2026-11-23T05:00:00.000Z', end: '2026-11-23T06:00:00.000Z' }, … 8 slots]
 * @throws TypeError / RangeError naming the field when the query is malformed.
 */
export function computeSlots(query: SlotQuery): Slot[] {
  const q = normalize(query);
  const clock = clockOf(query.timezone);

  const today = clock.localDay(q.now);
  const horizonEnd = clock.startOfDay(today + q.horizonDays + 1);
  const lower = Math.max(q.from, q.now + q.minNotice);
  const upper = Math.min(q.to, horizonEnd);
  if (lower >= upper) return [];

  // Days whose ranges can hold a slot starting in [lower, upper) and ending by upper + duration.
  const firstDay = clock.localDay(lower);
  const lastDay = clock.localDay(upper + q.duration);
  const ranges = workingSpans(new WeekPlan(query.workingHours), clock, firstDay, lastDay);
  // An interval with end ≤ start is empty: like an empty PostgreSQL range, it overlaps nothing.
  const busy = mergeSpans(q.busy.filter((b) => b.end > b.start));
  const fullDays = mergeSpans([
    ...fullDaySpans(clock, q.bookedStarts, q.maxPerDay),
    ...fullDaySpans(clock, q.serviceBookedStarts, q.serviceMaxPerDay),
  ]);

  const iso = createIsoFormatter();
  const out: Slot[] = [];
  let b = 0; // first busy span that may overlap the current occupancy (busy is sorted)
  let f = 0; // same for full days
  for (const range of ranges) {
    // Grid index of the first step at or after `lower`.
    let k = range.start >= lower ? 0 : Math.ceil((lower - range.start) / q.step);
    for (;;) {
      const s = range.start + k * q.step;
      if (s >= upper || s + q.duration > range.end) break;

      const occStart = s - q.before;
      const occEnd = s + q.duration + q.after;
      while (b < busy.length && busy[b].end <= occStart) b++;
      if (b < busy.length && busy[b].start < occEnd) {
        // Jump to the first step whose occupancy starts at or after this busy span's end.
        k = Math.max(k + 1, Math.ceil((busy[b].end + q.before - range.start) / q.step));
        continue;
      }
      while (f < fullDays.length && fullDays[f].end <= s) f++;
      if (f < fullDays.length && fullDays[f].start <= s) {
        k = Math.max(k + 1, Math.ceil((fullDays[f].end - range.start) / q.step));
        continue;
      }
      out.push({ start: iso(s), end: iso(s + q.duration) });
      k++;
    }
  }
  return out;
}

/** Provider-local days (as instant spans) that already hold `maxPerDay` live bookings. */
function fullDaySpans(clock: LocalClock, bookedStarts: number[], maxPerDay: number): Span[] {
  if (maxPerDay === Infinity) return [];
  if (maxPerDay === 0) return [{ start: -Infinity, end: Infinity }];
  const perDay = new Map<number, number>();
  for (const t of bookedStarts) {
    const day = clock.localDay(t);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  const full: Span[] = [];
  for (const [day, count] of perDay) {
    if (count >= maxPerDay) full.push({ start: clock.startOfDay(day), end: clock.startOfDay(day + 1) });
  }
  return mergeSpans(full);
}

interface Normalized {
  duration: number;
  step: number;
  before: number;
  after: number;
  minNotice: number;
  horizonDays: number;
  maxPerDay: number;
  serviceMaxPerDay: number;
  busy: Span[];
  bookedStarts: number[];
  serviceBookedStarts: number[];
  now: number;
  from: number;
  to: number;
}

/**
 * Working-hours objects that passed the schema. A provider kept in process (the booking path) is judged again and
 * again with the very same object, and the schema check was the largest part of judging one start; settings are
 * never changed in place (a change is a new object read from the database), so a checked object stays valid.
 */
const checkedHours = new WeakSet<object>();

/** Checks the query and turns it into milliseconds; throws naming the field. */
function normalize(query: SlotQuery): Normalized {
  const hours = query.workingHours as unknown;
  if (!(typeof hours === 'object' && hours !== null && checkedHours.has(hours))) {
    const checked = workingHoursSchema.safeParse(hours);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new TypeError(`workingHours.${issue.path.join('.')}: ${issue.message}`);
    }
    checkedHours.add(hours as object);
  }
  if (!Array.isArray(query.busy)) throw new TypeError('busy: must be an array');
  const duration = minutes('durationMinutes', query.durationMinutes, 1);
  return {
    duration,
    step: query.stepMinutes === undefined ? duration : minutes('stepMinutes', query.stepMinutes, 1),
    before: minutes('bufferBeforeMinutes', query.bufferBeforeMinutes ?? 0, 0),
    after: minutes('bufferAfterMinutes', query.bufferAfterMinutes ?? 0, 0),
    minNotice: minutes('minNoticeMinutes', query.minNoticeMinutes ?? 0, 0),
    horizonDays: count('horizonDays', query.horizonDays ?? 60),
    maxPerDay: query.maxPerDay === undefined ? Infinity : count('maxPerDay', query.maxPerDay),
    busy: query.busy.map((b, i) => ({ start: instant(`busy.${i}.start`, b?.start), end: instant(`busy.${i}.end`, b?.end) })),
    bookedStarts: (query.bookedStarts ?? []).map((t, i) => instant(`bookedStarts.${i}`, t)),
    serviceMaxPerDay: query.serviceMaxPerDay === undefined ? Infinity : count('serviceMaxPerDay', query.serviceMaxPerDay),
    serviceBookedStarts: (query.serviceBookedStarts ?? []).map((t, i) => instant(`serviceBookedStarts.${i}`, t)),
    now: instant('now', query.now),
    from: instant('from', query.from),
    to: instant('to', query.to),
  };
}

/** A whole number of minutes ≥ `min`, in ms. */
function minutes(field: string, value: unknown, min: number): number {
  return count(field, value, min) * MINUTE;
}

function count(field: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${field}: must be a whole number ≥ ${min}`);
  }
  return value;
}

// A date-time with its offset: without one, Date.parse would read the server's own zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** ms since the epoch of a `Date` or an ISO date-time string with `Z` or an offset. */
export function instant(field: string, value: unknown): number {
  let ms = NaN;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') {
    ms = canonical(value);
    if (Number.isNaN(ms) && ISO_INSTANT.test(value)) ms = Date.parse(value);
  }
  if (!Number.isFinite(ms)) throw new TypeError(`${field}: must be an ISO date-time with Z or an offset, or a Date`);
  return ms;
}

/**
 * Fast path for the form `toISOString()` and JSON give (`2026-03-08T07:30:00.000Z`), several
 * times faster than Date.parse on the thousand busy intervals of a query. Anything unusual
 * (other forms, days past the 28th, years before 100) is NaN here and left to Date.parse.
 */
function canonical(v: string): number {
  if (v.length !== 24 || v[23] !== 'Z' || v[4] !== '-' || v[7] !== '-' || v[10] !== 'T' || v[13] !== ':' || v[16] !== ':' || v[19] !== '.') {
    return NaN;
  }
  const y = digits(v, 0, 4);
  const mo = digits(v, 5, 2);
  const d = digits(v, 8, 2);
  const h = digits(v, 11, 2);
  const mi = digits(v, 14, 2);
  const s = digits(v, 17, 2);
  const ms = digits(v, 20, 3);
  if (!(y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 28 && h <= 23 && mi <= 59 && s <= 59 && ms >= 0)) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** The decimal number in `v[at … at + length)`, or NaN if it is not all digits. */
function digits(v: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}
