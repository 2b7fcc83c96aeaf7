import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactByLocalDay, computeSlots, countByLocalDay, localDayOf, startOfLocalDay, type SlotQuery } from '../../server/availability/index.ts';
import { decodeSlots } from '../../contract/slots.ts';
import { createIsoFormatter } from '../../server/availability/iso.ts';
import { instant } from '../../server/availability/slots.ts';
import { DAY as ENGINE_DAY, LocalClock, wallToInstant, zoneOf } from '../../server/availability/zone.ts';
import { referenceSlots, refInstantOf, refLocalDate, refWorkingIntervals } from '../support/reference-slots.ts';

// Property tests over random providers in every zone of issue 3, with windows placed around
// each zone's 2026 DST transitions. Runs are bounded so the file stays well under 30 s.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// Each zone with its 2026 transition days (Sundays); ordinary days are mixed in below.
const transitions: Record<string, string[]> = {
  'Asia/Dubai': ['2026-01-20'],
  'America/New_York': ['2026-03-08', '2026-11-01'],
  'Europe/Berlin': ['2026-03-29', '2026-10-25'],
  'Europe/London': ['2026-03-29', '2026-10-25'],
  'Asia/Kolkata': ['2026-01-20'],
  'Asia/Kathmandu': ['2026-01-20'],
  'Australia/Adelaide': ['2026-04-05', '2026-10-04'],
  'Australia/Lord_Howe': ['2026-04-05', '2026-10-04'],
};
const zoneAndAnchor = fc
  .constantFrom(...Object.keys(transitions))
  .chain((zone) => fc.tuple(fc.constant(zone), fc.constantFrom(...transitions[zone], '2026-07-15')));

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** A wall-clock range in 5-minute units, often in the small hours where DST switches happen. */
const wallRange = (earliest: number) =>
  fc
    .tuple(
      fc.oneof({ arbitrary: fc.integer({ min: earliest, max: 48 }), weight: 3 }, { arbitrary: fc.integer({ min: earliest, max: 287 }), weight: 2 }),
      fc.oneof(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 288 })),
    )
    .map(([a, len]) => [a * 5, Math.min(a + len, 288) * 5] as const)
    .map(([a, b]) => ({ start: hhmm(a), end: hhmm(b) }));

// Wednesday ranges and overrides never start at 00:00, so a merged range spans under a week
// (the reference looks back 8 days for the grid anchor).
const weeklyRange = fc
  .tuple(fc.subarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 1 }), wallRange(0))
  .map(([days, r]) => ({ days: r.start === '00:00' ? days.filter((d) => d !== 3) : days, ...r }))
  .filter((r) => r.days.length > 0);

const queryArb = fc
  .record({
    zone: zoneAndAnchor,
    intervals: fc.array(weeklyRange, { minLength: 1, maxLength: 4 }),
    overrides: fc.array(fc.record({ day: fc.integer({ min: -3, max: 4 }), intervals: fc.array(wallRange(1), { maxLength: 2 }) }), { maxLength: 2 }),
    fromOffset: fc.integer({ min: -36 * 60, max: 36 * 60 }), // minutes around the anchor's UTC midnight
    fromJitter: fc.integer({ min: 0, max: MIN - 1 }),
    length: fc.oneof(fc.integer({ min: 0, max: 4 * 24 * 60 }), fc.integer({ min: 2 * 24 * 60, max: 4 * 24 * 60 })),
    nowOffset: fc.integer({ min: -5 * 24 * 60, max: 12 * 60 }),
    nowJitter: fc.integer({ min: 0, max: MIN - 1 }),
    durationMinutes: fc.oneof(fc.constantFrom(15, 30, 45, 60), fc.integer({ min: 1, max: 48 }).map((n) => n * 5)),
    stepMinutes: fc.option(fc.constantFrom(5, 10, 15, 20, 30, 45, 60, 90), { nil: undefined }),
    bufferBeforeMinutes: fc.option(fc.integer({ min: 0, max: 12 }).map((n) => n * 5), { nil: undefined }),
    bufferAfterMinutes: fc.option(fc.integer({ min: 0, max: 12 }).map((n) => n * 5), { nil: undefined }),
    minNoticeMinutes: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined, freq: 2 }),
    horizonDays: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined, freq: 2 }),
    maxPerDay: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined, freq: 2 }),
    busy: fc.array(fc.tuple(fc.integer({ min: -24 * 60, max: 5 * 24 * 60 }), fc.integer({ min: 0, max: 300 })), { maxLength: 10 }),
    booked: fc.array(fc.integer({ min: -24 * 60, max: 5 * 24 * 60 }), { maxLength: 6 }),
  })
  .map((g): SlotQuery => {
    const [timezone, anchor] = g.zone;
    const midnight = Date.parse(`${anchor}T00:00:00Z`);
    const from = midnight + g.fromOffset * MIN + g.fromJitter;
    const iso = (t: number) => new Date(t).toISOString();
    return {
      timezone,
      workingHours: {
        intervals: g.intervals,
        overrides: g.overrides.map((o) => ({ date: iso(midnight + o.day * DAY).slice(0, 10), intervals: o.intervals })),
      },
      durationMinutes: g.durationMinutes,
      stepMinutes: g.stepMinutes,
      bufferBeforeMinutes: g.bufferBeforeMinutes,
      bufferAfterMinutes: g.bufferAfterMinutes,
      minNoticeMinutes: g.minNoticeMinutes,
      horizonDays: g.horizonDays,
      maxPerDay: g.maxPerDay,
      busy: g.busy.map(([at, len]) => ({ start: iso(midnight + at * MIN), end: iso(midnight + (at + len) * MIN) })),
      bookedStarts: g.booked.map((at) => iso(midnight + at * MIN)),
      now: iso(from + g.nowOffset * MIN + g.nowJitter),
      from: iso(from),
      to: iso(from + g.length * MIN),
    };
  });

const ms = (s: string | Date) => (s instanceof Date ? s.getTime() : Date.parse(s));
const days = (t: number, n: number) => new Date(t + n * DAY).toISOString().slice(0, 10);

describe('availability properties', () => {
  it('equals the slow reference implementation (minute bitmap, Intl zone conversion)', () => {
    fc.assert(
      fc.property(queryArb, (q) => {
        expect(computeSlots(q)).toEqual(referenceSlots(q));
      }),
      { numRuns: 150 },
    );
  });

  it('every slot lies in working hours', () => {
    fc.assert(
      fc.property(queryArb, (q) => {
        const slots = computeSlots(q);
        if (slots.length === 0) return;
        const working = refWorkingIntervals(q, days(ms(q.from), -2), days(ms(q.to), 2)).sort((a, b) => a[0] - b[0]);
        for (const slot of slots) {
          // Walk the (sorted) intervals, extending coverage from the slot start until it reaches the end.
          let covered = ms(slot.start);
          for (const [a, b] of working) if (a <= covered && b > covered) covered = b;
          expect(covered, `${slot.start} not inside working hours`).toBeGreaterThanOrEqual(ms(slot.end));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('no slot’s occupied range overlaps busy time; slots respect window, notice and duration', () => {
    fc.assert(
      fc.property(queryArb, (q) => {
        const before = (q.bufferBeforeMinutes ?? 0) * MIN;
        const after = (q.bufferAfterMinutes ?? 0) * MIN;
        const slots = computeSlots(q);
        for (const slot of slots) {
          const s = ms(slot.start);
          const e = ms(slot.end);
          expect(e - s).toBe(q.durationMinutes * MIN);
          expect(s).toBeGreaterThanOrEqual(Math.max(ms(q.from), ms(q.now) + (q.minNoticeMinutes ?? 0) * MIN));
          expect(s).toBeLessThan(ms(q.to));
          for (const b of q.busy) {
            const overlaps = ms(b.end) > ms(b.start) && ms(b.start) < e + after && ms(b.end) > s - before;
            expect(overlaps, `${slot.start} overlaps busy ${b.start}–${b.end}`).toBe(false);
          }
        }
        for (let i = 1; i < slots.length; i++) expect(ms(slots[i].start)).toBeGreaterThan(ms(slots[i - 1].start));
      }),
      { numRuns: 300 },
    );
  });

  it('adding a busy interval never adds a slot (and never moves one)', () => {
    const extra = fc.tuple(fc.integer({ min: -24 * 60, max: 5 * 24 * 60 }), fc.integer({ min: 1, max: 600 }));
    fc.assert(
      fc.property(queryArb, extra, (q, [at, len]) => {
        const base = ms(q.from);
        const more = { ...q, busy: [...q.busy, { start: new Date(base + at * MIN), end: new Date(base + (at + len) * MIN) }] };
        const without = new Set(computeSlots(q).map((s) => s.start));
        for (const slot of computeSlots(more)) expect(without.has(slot.start), `${slot.start} appeared`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the fast ISO formatter prints exactly what toISOString prints, and the fast parser reads it back', () => {
    const iso = createIsoFormatter();
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 253_000_000_000_000 }), (t) => {
        expect(iso(t)).toBe(new Date(t).toISOString());
        expect(instant('t', new Date(t).toISOString())).toBe(t); // and the fast parser reads it back
      }),
      { numRuns: 2000 },
    );
  });

  it('wall time → instant agrees with the reference in every IANA zone, 1970–2037', () => {
    const allZones = Intl.supportedValuesOf('timeZone');
    const day = fc.integer({ min: 0, max: 24_835 }); // 1970-01-01 … 2037-12-31
    fc.assert(
      fc.property(fc.constantFrom(...allZones), day, fc.integer({ min: 0, max: 1440 }), (tz, d, minutes) => {
        const wall = d * ENGINE_DAY + minutes * MIN;
        const expected = refInstantOf(tz, wall);
        expect(wallToInstant(zoneOf(tz), wall)).toBe(expected);
        expect(new LocalClock(zoneOf(tz)).at(d, minutes)).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('wall time → instant agrees with the reference around every 2026 transition of the tested zones', () => {
    fc.assert(
      fc.property(zoneAndAnchor, fc.integer({ min: -2, max: 2 }), fc.integer({ min: 0, max: 1440 }), ([tz, anchor], shift, minutes) => {
        const d = Math.round(Date.parse(`${anchor}T00:00:00Z`) / DAY) + shift;
        expect(new LocalClock(zoneOf(tz)).at(d, minutes)).toBe(refInstantOf(tz, d * DAY + minutes * MIN));
      }),
      { numRuns: 400 },
    );
  });

  it('countByLocalDay equals counting localDayOf one by one (and the reference’s Intl dates)', () => {
    fc.assert(
      fc.property(zoneAndAnchor, fc.array(fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }), { maxLength: 40 }), ([tz, anchor], offsets) => {
        const base = Date.parse(`${anchor}T00:00:00Z`);
        const instants = offsets.map((m) => new Date(base + m * MIN).toISOString());
        const one: Record<string, number> = {};
        const ref: Record<string, number> = {};
        for (const t of instants) {
          one[localDayOf(t, tz)] = (one[localDayOf(t, tz)] ?? 0) + 1;
          ref[refLocalDate(tz, Date.parse(t))] = (ref[refLocalDate(tz, Date.parse(t))] ?? 0) + 1;
        }
        expect(countByLocalDay(instants, tz)).toEqual(one);
        expect(one).toEqual(ref);
      }),
      { numRuns: 200 },
    );
  });

  it('the compact answer (per local day its start and minute offsets) decodes to the same instants, each on its own local day', () => {
    fc.assert(
      fc.property(zoneAndAnchor, fc.uniqueArray(fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }), { maxLength: 40 }), ([tz, anchor], offsets) => {
        const base = Date.parse(`${anchor}T00:00:00Z`);
        const instants = offsets.sort((a, b) => a - b).map((m) => new Date(base + m * MIN).toISOString());
        const days = compactByLocalDay(instants, tz);
        expect(decodeSlots({ days, durationMinutes: 45 })).toEqual(
          instants.map((start) => ({ start, end: new Date(Date.parse(start) + 45 * MIN).toISOString() })),
        );
        for (const [date, day] of Object.entries(days)) {
          expect(day.start).toBe(startOfLocalDay(date, tz));
          expect(day.start).toBe(new Date(refInstantOf(tz, Date.parse(`${date}T00:00:00Z`))).toISOString());
          expect(day.minutes.length).toBe(countByLocalDay(instants, tz)[date]);
          for (const m of day.minutes) expect(refLocalDate(tz, Date.parse(day.start) + m * MIN)).toBe(date);
        }
      }),
      { numRuns: 200 },
    );
  });
});
