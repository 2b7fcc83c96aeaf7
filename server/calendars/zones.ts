/**
 * Time-zone arithmetic for iCalendar values.
 *
 * Wall-clock times are carried as "wall milliseconds": the local date and time read as if it were UTC
 * (`Date.UTC(y, m - 1, d, h, mi, s)`). A zone is an `OffsetAt` function: UTC instant → offset in milliseconds.
 * Keeping our own offset functions (instead of ical.js's) lets us apply RFC 5545 §3.3.5 exactly: a local time
 * in a DST gap moves forward by the gap, and a repeated local time means its first occurrence.
 */
import ICAL from 'ical.js';
import { IANAZone } from 'luxon';

import type { OffsetAt } from '../time/wall-clock.ts';
import { DAY, MINUTE } from '../time/units.ts';
import { windowsToIana } from './windows-zones.ts';

export type { OffsetAt } from '../time/wall-clock.ts';

/** Wall milliseconds of an ical.js time (fields only; the zone is ignored). */
export function wallMs(t: ICAL.Time): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.isDate ? 0 : t.hour, t.isDate ? 0 : t.minute, t.isDate ? 0 : t.second);
}

/** Wall time → UTC instant by RFC 5545 §3.3.5: the one rule of `server/time/wall-clock.ts`. */
export { wallToInstant as wallToUtc } from '../time/wall-clock.ts';

const ianaZones = new Map<string, OffsetAt>();

/**
 * Offset function of an IANA zone (luxon, backed by Intl), shared per zone. Intl lookups are slow (~25 µs), and a
 * long series needs several per instance, so offsets are memoised per UTC day: a day whose first and last
 * millisecond agree has that one offset throughout (no zone changes offset twice within a day); other days ask Intl.
 */
export function ianaOffset(zone: string): OffsetAt {
  const known = ianaZones.get(zone);
  if (known) return known;
  const z = IANAZone.create(zone);
  if (!z.isValid) throw new Error(`unknown time zone: ${zone}`);
  const days = new Map<number, number | null>();
  const fn: OffsetAt = (utcMs) => {
    const day = Math.floor(utcMs / DAY);
    let constant = days.get(day);
    if (constant === undefined) {
      const first = z.offset(day * DAY);
      constant = first === z.offset(day * DAY + DAY - 1) ? first * MINUTE : null;
      if (days.size > 200_000) days.clear();
      days.set(day, constant);
    }
    return constant ?? z.offset(utcMs) * MINUTE;
  };
  ianaZones.set(zone, fn);
  return fn;
}

/** True when `zone` names an IANA zone known to this runtime. */
export function isIanaZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

interface Transition {
  at: number;
  offset: number;
}

/**
 * Offset function of a VTIMEZONE component (RFC 5545 §3.6.5): every STANDARD/DAYLIGHT onset from DTSTART,
 * RRULE and RDATE becomes a UTC transition (onset wall time − TZOFFSETFROM). Transitions are expanded lazily
 * up to two years past the latest instant asked for.
 */
export function vtimezoneOffset(vtimezone: ICAL.Component): OffsetAt {
  let coveredYear = -Infinity;
  let transitions: Transition[] = [];

  const build = (untilYear: number): void => {
    const list: Transition[] = [];
    const limit = Date.UTC(untilYear + 1, 0, 1);
    for (const sub of vtimezone.getAllSubcomponents()) {
      const from = sub.getFirstPropertyValue('tzoffsetfrom') as ICAL.UtcOffset | null;
      const to = sub.getFirstPropertyValue('tzoffsetto') as ICAL.UtcOffset | null;
      const dtstart = sub.getFirstPropertyValue('dtstart') as ICAL.Time | null;
      if (!from || !to || !dtstart) continue;
      const fromMs = from.toSeconds() * 1000;
      const offset = to.toSeconds() * 1000;
      const start = wallMs(dtstart);
      list.push({ at: start - fromMs, offset });
      for (const prop of sub.getAllProperties('rdate')) {
        for (const v of prop.getValues() as (ICAL.Time | ICAL.Period)[]) {
          const t = v instanceof ICAL.Period ? v.start : v;
          list.push({ at: wallMs(t) - (t.zone === ICAL.Timezone.utcTimezone ? 0 : fromMs), offset });
        }
      }
      for (const prop of sub.getAllProperties('rrule')) {
        const rule = (prop.getFirstValue() as ICAL.Recur).clone();
        const until = rule.until ? wallMs(rule.until) - (rule.until.zone === ICAL.Timezone.utcTimezone ? 0 : fromMs) : null;
        const count = rule.count;
        rule.until = null;
        rule.count = null;
        const it = rule.iterator(floating(dtstart));
        let n = 1;
        for (let occ = it.next(); occ; occ = it.next()) {
          const at = wallMs(occ) - fromMs;
          if (at <= start - fromMs) continue;
          if (at >= limit || (until !== null && at > until) || (count !== null && n >= count)) break;
          n++;
          list.push({ at, offset });
        }
      }
    }
    list.sort((a, b) => a.at - b.at);
    transitions = list;
    coveredYear = untilYear;
  };

  // Before the first onset the zone keeps the offset that onset changes from.
  const initialOffset = (): number => {
    let best: { at: number; from: number } | null = null;
    for (const sub of vtimezone.getAllSubcomponents()) {
      const from = sub.getFirstPropertyValue('tzoffsetfrom') as ICAL.UtcOffset | null;
      const dtstart = sub.getFirstPropertyValue('dtstart') as ICAL.Time | null;
      if (!from || !dtstart) continue;
      const at = wallMs(dtstart);
      if (!best || at < best.at) best = { at, from: from.toSeconds() * 1000 };
    }
    return best ? best.from : 0;
  };
  const initial = initialOffset();

  return (utcMs) => {
    const year = new Date(utcMs).getUTCFullYear();
    if (year + 1 > coveredYear) build(year + 2);
    let lo = 0;
    let hi = transitions.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (transitions[mid].at <= utcMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? initial : transitions[found].offset;
  };
}

/** A zone-less copy of an ical.js time, so recurrence runs on wall-clock fields only. */
export function floating(t: ICAL.Time): ICAL.Time {
  return ICAL.Time.fromData({
    year: t.year,
    month: t.month,
    day: t.day,
    hour: t.isDate ? 0 : t.hour,
    minute: t.isDate ? 0 : t.minute,
    second: t.isDate ? 0 : t.second,
    isDate: t.isDate,
  });
}

/**
 * Resolves TZID parameters for one VCALENDAR: its own VTIMEZONE blocks first (RFC 5545 §3.2.19), then an IANA
 * zone of the same name (also after a `/vendor/…/Area/City` prefix), else the fallback zone (treated as floating).
 */
export class ZoneResolver {
  private readonly cache = new Map<string, OffsetAt>();
  private readonly vtimezones = new Map<string, ICAL.Component>();
  readonly fallback: OffsetAt;

  constructor(vcalendar: ICAL.Component, fallbackZone: string) {
    for (const vtz of vcalendar.getAllSubcomponents('vtimezone')) {
      const id = vtz.getFirstPropertyValue('tzid');
      if (typeof id === 'string') this.vtimezones.set(id, vtz);
    }
    this.fallback = ianaOffset(fallbackZone);
  }

  /**
   * Offset function for a TZID parameter value: the VTIMEZONE of that name over the years it describes, else (and
   * outside those years) the IANA zone the name stands for — itself, a Windows name through CLDR's table, or the
   * IANA tail of a vendor path — else the fallback zone.
   */
  zone(tzid: string): OffsetAt {
    const cached = this.cache.get(tzid);
    if (cached) return cached;
    const iana = ianaNameOf(tzid);
    const vtz = this.vtimezones.get(tzid);
    let fn: OffsetAt;
    if (vtz) {
      const own = vtimezoneOffset(vtz);
      const range = vtimezoneRange(vtz);
      // iCalcreator writes only the years its events need: outside them the named IANA zone is right, not the
      // offset the VTIMEZONE happened to end (or start) with.
      if (iana && (range.from > -Infinity || range.to < Infinity)) {
        const named = ianaOffset(iana);
        fn = (utcMs) => (utcMs >= range.from && utcMs < range.to ? own(utcMs) : named(utcMs));
      } else fn = own;
    } else fn = iana ? ianaOffset(iana) : this.fallback;
    this.cache.set(tzid, fn);
    return fn;
  }
}

/** The IANA zone a TZID names, or null: an IANA name, a Windows name (CLDR), or a path ending in an IANA name. */
export function ianaNameOf(tzid: string): string | null {
  const name = tzid.trim().replace(/^"|"$/g, '');
  if (isIanaZone(name)) return name;
  const windows = windowsToIana(name);
  if (windows && isIanaZone(windows)) return windows;
  // Longest `/`-separated suffix that is an IANA name, e.g. `/mozilla.org/20050126_1/Europe/Berlin`.
  const parts = name.split('/');
  return parts.map((_, i) => parts.slice(i).join('/')).find((s) => s.includes('/') && isIanaZone(s)) ?? null;
}

/**
 * The UTC span a VTIMEZONE describes: from its first onset to the end of the year of its last one; unbounded on the
 * right when an onset repeats without UNTIL or COUNT (a COUNT is read as that many years: rules are yearly).
 * A VTIMEZONE whose offset never changes (a zone without DST, as Google writes Asia/Dubai) describes all time.
 */
export function vtimezoneRange(vtimezone: ICAL.Component): { from: number; to: number } {
  let from = Infinity;
  let last = -Infinity;
  let changes = false;
  for (const sub of vtimezone.getAllSubcomponents()) {
    const offsetFrom = sub.getFirstPropertyValue('tzoffsetfrom') as ICAL.UtcOffset | null;
    const offsetTo = sub.getFirstPropertyValue('tzoffsetto') as ICAL.UtcOffset | null;
    const dtstart = sub.getFirstPropertyValue('dtstart') as ICAL.Time | null;
    if (!offsetFrom || !offsetTo || !dtstart) continue;
    if (offsetFrom.toSeconds() !== offsetTo.toSeconds()) changes = true;
    const onset = wallMs(dtstart) - offsetFrom.toSeconds() * 1000;
    from = Math.min(from, onset);
    last = Math.max(last, onset);
    for (const prop of sub.getAllProperties('rdate')) {
      for (const v of prop.getValues() as (ICAL.Time | ICAL.Period)[]) last = Math.max(last, wallMs(v instanceof ICAL.Period ? v.start : v));
    }
    for (const prop of sub.getAllProperties('rrule')) {
      const rule = prop.getFirstValue() as ICAL.Recur;
      if (rule.until) last = Math.max(last, wallMs(rule.until));
      else if (rule.count) last = Math.max(last, Date.UTC(dtstart.year + rule.count - 1, 11, 31));
      else last = Infinity;
    }
  }
  if (from === Infinity || !changes) return { from: -Infinity, to: Infinity };
  return { from, to: last === Infinity ? Infinity : Date.UTC(new Date(last).getUTCFullYear() + 1, 0, 1) };
}

