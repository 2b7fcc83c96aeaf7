/**
 * Busy-time expansion of iCalendar data (RFC 5545), shared by every iCalendar source (CalDAV, ICS feeds).
 *
 * Servers disagree about recurrence (Radicale 3.1 ignores `expand`, some free-busy answers omit recurring
 * instances), so we always expand ourselves. Recurrence runs on wall-clock fields with ical.js's rule iterator;
 * every count, bound and time-zone rule that ical.js gets subtly different from the RFC is applied here.
 */
import ICAL from 'ical.js';
import { isBookingUid } from '../ics/writer.ts';
import { parseLenient } from './lenient.js';
import { floating, wallMs, wallToUtc, ZoneResolver, type OffsetAt } from './zones.js';
import { DAY, HOUR, MINUTE } from '../time/units.ts';

/** A busy interval as UTC ISO-8601 strings, end exclusive. */
export interface BusyInterval {
  start: string;
  end: string;
}

/** A time window; instances overlapping it (`start < to && end > from`) are returned. */
export interface BusyWindow {
  from: Date | string;
  to: Date | string;
}

export interface ExpandOptions {
  /** The provider's IANA zone: places floating date-times, all-day dates and unknown TZIDs. */
  timezone: string;
  /** The calendar owner's own addresses (`a@b.c` or `mailto:a@b.c`), used to recognise declined invitations. */
  selfAddresses?: string[];
  /** Whether invitations the owner has not answered (PARTSTAT=NEEDS-ACTION) block time. Default true. */
  unansweredBusy?: boolean;
  /** Told about each event (or other component) that could not be understood and was left out (for source health). */
  onSkip?: (what: string) => void;
}

/** Upper bound on generated instances per rule, so a pathological rule (FREQ=SECONDLY) cannot hang a request. */
const MAX_ITERATIONS = 200_000;

/**
 * Every busy instance of the events in `ics` that overlaps `window`, sorted, as UTC ISO strings.
 *
 * Follows RFC 5545 §3.8.5.3 / §3.3.10: DTSTART is the first instance and counts toward COUNT; UNTIL is inclusive;
 * EXDATE is applied after COUNT; RDATE adds instances; RECURRENCE-ID components replace (or cancel, or move) the
 * instance they name. An instance lasts DTEND − DTSTART in exact time (DURATION: days nominal, time exact).
 * TZIDs resolve through the object's VTIMEZONE, else the IANA zone of that name; floating times and all-day dates
 * are placed in `options.timezone`; local times in a DST gap move forward, repeated ones mean the first occurrence.
 * Lenient (`lenient.ts`): known slips are repaired and only what cannot be understood is skipped (`onSkip`).
 * Windows zone names map to IANA (CLDR); a VTIMEZONE is trusted over the years it describes, the IANA zone of the
 * same name elsewhere. RANGE=THISANDFUTURE overrides move every later instance; a date-time RECURRENCE-ID can
 * override a day of an all-day series; DTEND before DTSTART is the swapped range; a UTC UNTIL on an all-day series
 * is compared by date.
 * Not busy: events Slotline wrote (UID `<booking id>@slotline`), TRANSP:TRANSPARENT, STATUS:CANCELLED, invitations one of `selfAddresses` declined (and, with
 * `unansweredBusy: false`, ones not answered yet). VFREEBUSY periods other than FBTYPE=FREE count too.
 *
 * @example
 * expandBusy(icsText, { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' }, { timezone: 'Europe/Berlin' })
 * // → [{ start: '2026-03-02T08:00:00.000Z', end: '2026-03-02T09:00:00.000Z' }, …]
 * @see https://www.rfc-editor.org/rfc/rfc5545#section-3.8.5.3
 */
export function expandBusy(ics: string, window: BusyWindow, options: ExpandOptions): BusyInterval[] {
  const from = new Date(window.from).getTime();
  const to = new Date(window.to).getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new Error('expandBusy: invalid window');
  const self = new Set((options.selfAddresses ?? []).map(normalizeAddress));
  const unansweredBusy = options.unansweredBusy ?? true;

  const out: { start: number; end: number }[] = [];
  const onSkip = options.onSkip ?? (() => {});
  for (const vcalendar of parseLenient(ics, onSkip)) {
    const ctx: Context = { to, self, unansweredBusy, zones: new ZoneResolver(vcalendar, options.timezone) };
    const byUid = new Map<string, { masters: ICAL.Component[]; overrides: ICAL.Component[] }>();
    vcalendar.getAllSubcomponents('vevent').forEach((vevent, i) => {
      const uid = String(vevent.getFirstPropertyValue('uid') ?? `(no uid ${i})`);
      const group = byUid.get(uid) ?? { masters: [], overrides: [] };
      if (vevent.hasProperty('recurrence-id')) group.overrides.push(vevent);
      else group.masters.push(vevent); // duplicates happen in feeds; none of them may be lost
      byUid.set(uid, group);
    });
    for (const [uid, { masters, overrides }] of byUid) {
      // Slotline's own copy of a booking (write-back, a subscribed provider feed): the booking itself blocks it.
      if (isBookingUid(uid)) continue;
      try {
        out.push(...eventBusy(masters, overrides, ctx));
      } catch (error) {
        onSkip(`VEVENT ${uid}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200));
      }
    }
    for (const vfb of vcalendar.getAllSubcomponents('vfreebusy')) out.push(...freeBusyPeriods(vfb, ctx));
  }

  const seen = new Set<string>();
  return out
    .filter((i) => i.end > i.start && i.start < to && i.end > from)
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((i) => ({ start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString() }))
    .filter((i) => {
      const k = `${i.start}/${i.end}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/** Busy instances of one UID: its master(s) with their overrides applied, and the overrides themselves. */
function eventBusy(masters: ICAL.Component[], overrides: ICAL.Component[], ctx: Context): Instance[] {
  const out: Instance[] = [];
  const valid = overrides.filter((o) => o.getFirstProperty('dtstart'));
  // RANGE=THISANDFUTURE (RFC 5545 §3.8.4.4): from that instance on, every instance moves by the same amount and
  // takes the override's length (or is cancelled with it).
  const futures = valid
    .filter((o) => upper(o.getFirstProperty('recurrence-id')!.getParameter('range')) === 'THISANDFUTURE')
    .map((o) => {
      const rid = o.getFirstProperty('recurrence-id')!;
      const ref = timeRef(rid, rid.getFirstValue() as ICAL.Time, ctx);
      const from = toUtc(ref.wall, ref.zone);
      const inst = singleInstance(o, ctx)!;
      return { from, shift: inst.start - from, length: inst.end - inst.start, busy: isBusy(o, ctx) };
    })
    .sort((a, b) => a.from - b.from);
  for (const master of masters) {
    if (!isBusy(master, ctx)) continue;
    const masterIsDate = (master.getFirstPropertyValue('dtstart') as ICAL.Time | null)?.isDate ?? false;
    const replaced = new Set<string>();
    const replacedDays = new Set<number>();
    for (const o of overrides) {
      const rid = o.getFirstProperty('recurrence-id')!;
      const ref = timeRef(rid, rid.getFirstValue() as ICAL.Time, ctx);
      if (masterIsDate) replaced.add(`d:${Math.floor(ref.wall / DAY) * DAY}`); // a date-time id names its day (Exchange)
      else if (ref.isDate) replacedDays.add(ref.wall);
      else replaced.add(`t:${toUtc(ref.wall, ref.zone)}`);
    }
    const masterZone = masterIsDate ? ctx.zones.fallback : zoneOfStart(master, ctx);
    for (const inst of masterInstances(master, ctx)) {
      if (replaced.has(inst.key)) continue;
      if (replacedDays.size > 0 && replacedDays.has(localDay(inst.start, masterZone))) continue;
      const future = futures.filter((f) => f.from <= inst.start).at(-1);
      if (!future) out.push(inst);
      else if (future.busy) out.push({ key: inst.key, start: inst.start + future.shift, end: inst.start + future.shift + future.length });
    }
  }
  for (const o of valid) {
    if (!isBusy(o, ctx)) continue;
    const inst = singleInstance(o, ctx);
    if (inst) out.push(inst);
  }
  return out;
}

function zoneOfStart(vevent: ICAL.Component, ctx: Context): OffsetAt | null {
  const prop = vevent.getFirstProperty('dtstart');
  return prop ? timeRef(prop, prop.getFirstValue() as ICAL.Time, ctx).zone : null;
}

/** Wall milliseconds of the local day (in `zone`; UTC when null) an instant falls on. */
function localDay(utc: number, zone: OffsetAt | null): number {
  return Math.floor((utc + (zone ? zone(utc) : 0)) / DAY) * DAY;
}

interface Context {
  to: number;
  self: Set<string>;
  unansweredBusy: boolean;
  zones: ZoneResolver;
}

interface Instance {
  /** Identifies the instance for EXDATE / RECURRENCE-ID: `d:<wall ms>` for dates, `t:<utc ms>` otherwise. */
  key: string;
  start: number;
  end: number;
}

function normalizeAddress(a: string): string {
  return a.trim().replace(/^mailto:/i, '').toLowerCase();
}

function upper(v: unknown): string {
  return typeof v === 'string' ? v.trim().toUpperCase() : '';
}

function isBusy(vevent: ICAL.Component, ctx: Context): boolean {
  if (upper(vevent.getFirstPropertyValue('transp')) === 'TRANSPARENT') return false;
  if (upper(vevent.getFirstPropertyValue('status')) === 'CANCELLED') return false;
  // Outlook's "show as free" is sometimes only in its own property.
  if (upper(vevent.getFirstPropertyValue('x-microsoft-cdo-busystatus')) === 'FREE') return false;
  if (ctx.self.size === 0) return true;
  const organizer = vevent.getFirstPropertyValue('organizer');
  if (typeof organizer === 'string' && ctx.self.has(normalizeAddress(organizer))) return true;
  const mine = vevent
    .getAllProperties('attendee')
    .filter((a) => ctx.self.has(normalizeAddress(String(a.getFirstValue() ?? ''))))
    .map((a) => upper(a.getParameter('partstat')) || 'NEEDS-ACTION');
  if (mine.length === 0) return true;
  if (mine.some((p) => p === 'ACCEPTED' || p === 'TENTATIVE')) return true;
  if (mine.some((p) => p === 'NEEDS-ACTION')) return ctx.unansweredBusy;
  return false; // DECLINED or DELEGATED
}

/** How a DATE / DATE-TIME property maps to UTC. */
interface TimeRef {
  isDate: boolean;
  wall: number;
  /** Null for UTC values. */
  zone: OffsetAt | null;
}

function timeRef(prop: ICAL.Property, value: ICAL.Time, ctx: Context): TimeRef {
  const tzid = prop.getParameter('tzid');
  const isUtc = !value.isDate && value.zone === ICAL.Timezone.utcTimezone;
  let zone: OffsetAt | null;
  if (value.isDate) zone = ctx.zones.fallback;
  else if (isUtc) zone = null;
  else if (typeof tzid === 'string' && tzid) zone = ctx.zones.zone(tzid);
  else zone = ctx.zones.fallback;
  return { isDate: value.isDate, wall: wallMs(value), zone };
}

function toUtc(wall: number, zone: OffsetAt | null): number {
  return zone ? wallToUtc(wall, zone) : wall;
}

/** Length rule of an event: a number of nominal days (wall clock) plus exact milliseconds. */
interface Length {
  days: number;
  exact: number;
}

function eventLength(vevent: ICAL.Component, start: TimeRef, ctx: Context): Length {
  const endProp = vevent.getFirstProperty('dtend');
  if (endProp) {
    const end = timeRef(endProp, endProp.getFirstValue() as ICAL.Time, ctx);
    if (start.isDate) return { days: Math.round((end.wall - start.wall) / DAY), exact: 0 };
    return { days: 0, exact: toUtc(end.wall, end.zone) - toUtc(start.wall, start.zone) };
  }
  const duration = vevent.getFirstPropertyValue('duration') as ICAL.Duration | null;
  if (duration) {
    const sign = duration.isNegative ? -1 : 1;
    return {
      days: sign * (duration.weeks * 7 + duration.days),
      exact: sign * (duration.hours * HOUR + duration.minutes * MINUTE + duration.seconds * 1000),
    };
  }
  // RFC 5545 §3.6.1: a DATE start without end lasts one day; a DATE-TIME start without end is an instant.
  return start.isDate ? { days: 1, exact: 0 } : { days: 0, exact: 0 };
}

function makeInstance(wall: number, start: TimeRef, length: Length): Instance {
  const s = toUtc(wall, start.zone);
  const end = length.days === 0 ? s + length.exact : toUtc(wall + length.days * DAY, start.zone) + length.exact;
  const key = start.isDate ? `d:${wall}` : `t:${s}`;
  // DTEND before DTSTART (seen in Nextcloud exports) means the swapped range, not "no time at all".
  return end < s ? { key, start: end, end: s } : { key, start: s, end };
}

function singleInstance(vevent: ICAL.Component, ctx: Context): Instance | null {
  const prop = vevent.getFirstProperty('dtstart');
  if (!prop) return null;
  const start = timeRef(prop, prop.getFirstValue() as ICAL.Time, ctx);
  return makeInstance(start.wall, start, eventLength(vevent, start, ctx));
}

function masterInstances(vevent: ICAL.Component, ctx: Context): Instance[] {
  const prop = vevent.getFirstProperty('dtstart');
  if (!prop) return [];
  const dtstart = prop.getFirstValue() as ICAL.Time;
  const start = timeRef(prop, dtstart, ctx);
  const length = eventLength(vevent, start, ctx);
  const instances = new Map<string, Instance>();
  const add = (i: Instance): void => {
    if (!instances.has(i.key)) instances.set(i.key, i);
  };
  add(makeInstance(start.wall, start, length));

  // Stop generating once instances start a day past the window (wall order is UTC order up to a DST shift).
  const horizon = ctx.to + DAY;
  for (const rprop of vevent.getAllProperties('rrule')) {
    const rule = (rprop.getFirstValue() as ICAL.Recur).clone();
    const count = rule.count;
    const until = rule.until ? untilBound(rule.until, start) : null;
    // ical.js skips a DTSTART that does not match the rule and compares UNTIL in the wrong zone: bound it here.
    rule.count = null;
    rule.until = null;
    const it = rule.iterator(floating(dtstart));
    let n = 1;
    let guard = 0;
    for (let occ = it.next(); occ && guard < MAX_ITERATIONS; occ = it.next(), guard++) {
      const wall = wallMs(occ);
      if (wall <= start.wall) continue;
      if (count !== null && n >= count) break;
      const inst = makeInstance(wall, start, length);
      if (until && !until(wall, inst.start)) break;
      if (inst.start > horizon) break;
      n++;
      add(inst);
    }
  }

  for (const rprop of vevent.getAllProperties('rdate')) {
    for (const v of rprop.getValues() as (ICAL.Time | ICAL.Period)[]) {
      if (v instanceof ICAL.Period) {
        const s = timeRef(rprop, v.start, ctx);
        const end = v.getEnd();
        const e = timeRef(rprop, end, ctx);
        const su = toUtc(s.wall, s.zone);
        add({ key: `t:${su}`, start: su, end: toUtc(e.wall, e.zone) });
      } else {
        const ref = timeRef(rprop, v, ctx);
        if (start.isDate) add(makeInstance(ref.wall, start, length));
        else {
          // An RDATE may name its own zone; its instance keeps the event's length.
          const su = toUtc(ref.wall, ref.zone);
          const first = makeInstance(start.wall, start, length);
          add({ key: `t:${su}`, start: su, end: su + (first.end - first.start) });
        }
      }
    }
  }

  const excludedKeys = new Set<string>();
  const excludedDays = new Set<number>();
  for (const xprop of vevent.getAllProperties('exdate')) {
    for (const v of xprop.getValues() as ICAL.Time[]) {
      const ref = timeRef(xprop, v, ctx);
      if (ref.isDate && !start.isDate) excludedDays.add(ref.wall);
      else excludedKeys.add(ref.isDate ? `d:${ref.wall}` : `t:${toUtc(ref.wall, ref.zone)}`);
    }
  }
  return [...instances.values()].filter((i) => {
    if (excludedKeys.has(i.key)) return false;
    if (excludedDays.size === 0) return true;
    // A DATE exdate on a timed series removes the instance on that local day (seen in the wild).
    const localDay = Math.floor((i.start + (start.zone ? start.zone(i.start) : 0)) / DAY) * DAY;
    return !excludedDays.has(localDay);
  });
}

/**
 * UNTIL (inclusive): compared in UTC when it is a UTC value, else on wall time (DATE: the whole day). An all-day
 * series compares on dates, whatever UNTIL's form: its instances are dates, not instants in the provider's zone.
 */
function untilBound(until: ICAL.Time, start: TimeRef): (wall: number, utc: number) => boolean {
  const u = wallMs(until);
  if (until.isDate || start.isDate) {
    const lastDay = Math.floor(u / DAY) * DAY;
    return (wall) => wall < lastDay + DAY;
  }
  if (until.zone === ICAL.Timezone.utcTimezone && start.zone !== null) return (_wall, utc) => utc <= u;
  return (wall) => wall <= u;
}

function freeBusyPeriods(vfb: ICAL.Component, ctx: Context): Instance[] {
  const out: Instance[] = [];
  for (const prop of vfb.getAllProperties('freebusy')) {
    const type = upper(prop.getParameter('fbtype')) || 'BUSY';
    if (type === 'FREE') continue;
    for (const v of prop.getValues() as ICAL.Period[]) {
      const s = timeRef(prop, v.start, ctx);
      const e = timeRef(prop, v.getEnd(), ctx);
      const su = toUtc(s.wall, s.zone);
      out.push({ key: `t:${su}`, start: su, end: toUtc(e.wall, e.zone) });
    }
  }
  return out;
}
