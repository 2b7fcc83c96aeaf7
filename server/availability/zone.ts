import { IANAZone } from 'luxon';
import { DAY, HOUR, MINUTE } from '../time/units.ts';
import { wallToInstant as wallClockToInstant } from '../time/wall-clock.ts';

/** The server's time units (`server/time/units.ts`), re-exported so the engine's files keep one import. */
export { MINUTE, HOUR, DAY } from '../time/units.ts';

// Every UTC offset in the tz database lies within [-12h, +14h], so the instant for a wall
// time W is never earlier than W - 14h (LocalClock samples offsets from there).
const EARLIEST = 14 * HOUR;

/** The luxon zone for an IANA name; throws a RangeError for an unknown zone. */
export function zoneOf(name: string): IANAZone {
  // IANAZone.create is memoized by luxon and checks validity once per name;
  // IANAZone.isValidZone would build a new Intl.DateTimeFormat on every call.
  const zone = typeof name === 'string' && name !== '' ? IANAZone.create(name) : undefined;
  if (!zone?.isValid) throw new RangeError(`timezone: unknown IANA zone ${JSON.stringify(name)}`);
  return zone;
}

/**
 * One `LocalClock` per zone, shared by every computation in this process: its samples and transitions depend on the
 * zone alone, and each costs a luxon offset lookup (an `Intl` format, ~20 µs). A fresh clock per `computeSlots`
 * spent most of a booking's server time (issue 16: ~0.7 ms per engine check) sampling the same offsets again.
 */
const clocks = new Map<string, LocalClock>();

/** The shared `LocalClock` of an IANA zone; throws a RangeError for an unknown zone (as `zoneOf`). */
export function clockOf(name: string): LocalClock {
  let clock = clocks.get(name);
  if (!clock) {
    clock = new LocalClock(zoneOf(name));
    clocks.set(name, clock);
  }
  return clock;
}

/** UTC offset in milliseconds in force at `instant` (ms since the epoch). */
export function offsetAt(zone: IANAZone, instant: number): number {
  return zone.offset(instant) * MINUTE;
}

/**
 * The instant of a local wall time in an IANA zone (the shared RFC 5545 rule of `server/time/wall-clock.ts`).
 *
 * @example wallToInstant(zoneOf('America/New_York'), Date.UTC(2026, 10, 1, 1, 30)) // 05:30Z (EDT)
 */
export function wallToInstant(zone: IANAZone, wall: number): number {
  return wallClockToInstant(wall, (instant) => offsetAt(zone, instant));
}

/** Days since 1970-01-01 of the provider-local date that `instant` falls on. */
export function localDayNumber(zone: IANAZone, instant: number): number {
  return Math.floor((instant + offsetAt(zone, instant)) / DAY);
}

/** `YYYY-MM-DD` for a day number (days since 1970-01-01). */
export function isoDate(dayNumber: number): string {
  return new Date(dayNumber * DAY).toISOString().slice(0, 10);
}

/** Day number (days since 1970-01-01) of a `YYYY-MM-DD` date. */
export function dayNumberOf(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY);
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a day number; 1970-01-01 was a Thursday. */
export function isoWeekday(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

// Offsets are sampled every SPACING days. Across all tzdb zones from 1970 to 2040 no two
// transitions are closer than 7 days (Brazil, October 2000), and a wall time's window is
// enclosed by samples at most 6 days apart, so such a window holds at most one transition.
const SPACING = 3;

/**
 * Wall-clock minutes of local dates → instants, for one zone. The offset is sampled every
 * few days; where two samples differ, the transition instant is found once by bisection,
 * so resolving a wall time costs arithmetic only. Same rules as `wallToInstant`.
 */
export class LocalClock {
  private readonly samples = new Map<number, number>();
  private readonly transitions = new Map<number, number>();

  constructor(readonly zone: IANAZone) {}

  /** The instant of `minutes` (0 … 1440, 1440 = next midnight) after local midnight of `day`. */
  at(day: number, minutes: number): number {
    const wall = day * DAY + minutes * MINUTE;
    // Instants for wall times on `day` (00:00 … 24:00) lie in [day - 14h, day + 36h]: the
    // samples at local midnight - 14h of `first` ≤ day and `last` ≥ day + 3 enclose them.
    const first = Math.floor(day / SPACING) * SPACING;
    const last = Math.ceil((day + 3) / SPACING) * SPACING;
    const offset = this.sample(first);
    if (offset === this.sample(last)) return wall - offset;

    let k = first;
    while (this.sample(k) === this.sample(k + SPACING)) k += SPACING;
    const before = this.sample(k);
    const after = this.sample(k + SPACING);
    const transition = this.transition(k);
    const early = wall - before; // valid if it falls before the transition
    const late = wall - after; // valid if it falls at or after it
    const earlyOk = early < transition;
    const lateOk = late >= transition;
    if (earlyOk && lateOk) return Math.min(early, late); // repeated: first occurrence
    if (lateOk) return late;
    return early; // valid with the earlier offset, or in the gap: offset before the gap
  }

  /**
   * The UTC offset (ms) in force at `instant`, from the samples: between two samples there is at most one transition
   * (see SPACING), found once. Same answer as `offsetAt(zone, instant)` without a luxon lookup per call.
   */
  offsetAt(instant: number): number {
    const k = Math.floor((instant + EARLIEST) / (SPACING * DAY)) * SPACING;
    const before = this.sample(k);
    if (before === this.sample(k + SPACING)) return before;
    return instant >= this.transition(k) ? this.sample(k + SPACING) : before;
  }

  /** Days since 1970-01-01 of the local date `instant` falls on (as `localDayNumber`). */
  localDay(instant: number): number {
    return Math.floor((instant + this.offsetAt(instant)) / DAY);
  }

  /** First instant of the local date `day` (its midnight, RFC 5545 rules as above). */
  startOfDay(day: number): number {
    return this.at(day, 0);
  }

  /** Offset at local midnight - 14h of `day` (a multiple of SPACING). */
  private sample(day: number): number {
    let offset = this.samples.get(day);
    if (offset === undefined) {
      offset = offsetAt(this.zone, day * DAY - EARLIEST);
      this.samples.set(day, offset);
    }
    return offset;
  }

  /** The instant the offset changes between samples `day` and `day + SPACING`. */
  private transition(day: number): number {
    let found = this.transitions.get(day);
    if (found === undefined) {
      // tzdb transitions fall on whole seconds: bisect over seconds.
      const before = this.sample(day);
      let lo = (day * DAY - EARLIEST) / 1000; // still `before`
      let hi = lo + (SPACING * DAY) / 1000; // already the next offset
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(this.zone, mid * 1000) === before) lo = mid;
        else hi = mid;
      }
      found = hi * 1000;
      this.transitions.set(day, found);
    }
    return found;
  }
}
