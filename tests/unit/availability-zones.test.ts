import { describe, expect, it } from 'vitest';
import { computeSlots, type SlotQuery } from '../../server/availability/index.ts';
import { referenceSlots } from '../support/reference-slots.ts';

// Table tests per zone: one local date, one working range, the slot starts in UTC worked out
// by hand (offsets and 2026 transition instants in the comments). Each case runs with the
// range given as a per-date override and as a weekly range, and is cross-checked against
// the slow reference implementation.

interface Case {
  zone: string;
  date: string; // the local date the range is on
  range: [string, string];
  step: number; // minutes; duration = step unless `duration`
  duration?: number;
  expected: string[]; // UTC "YYYY-MM-DDTHH:MM"
  why: string;
}

const cases: Case[] = [
  // Asia/Dubai: UTC+4 all year.
  { zone: 'Asia/Dubai', date: '2026-11-23', range: ['09:00', '12:00'], step: 60, why: '+04:00',
    expected: ['2026-11-23T05:00', '2026-11-23T06:00', '2026-11-23T07:00'] },
  { zone: 'Asia/Dubai', date: '2026-11-23', range: ['02:00', '05:00'], step: 60, why: 'crosses UTC midnight',
    expected: ['2026-11-22T22:00', '2026-11-22T23:00', '2026-11-23T00:00'] },

  // America/New_York: 2026-03-08 02:00 EST → 03:00 EDT at 07:00Z; 2026-11-01 02:00 EDT → 01:00 EST at 06:00Z.
  { zone: 'America/New_York', date: '2026-03-08', range: ['01:00', '04:00'], step: 60, why: 'spring: 01:00 EST–04:00 EDT is 2 h',
    expected: ['2026-03-08T06:00', '2026-03-08T07:00'] },
  { zone: 'America/New_York', date: '2026-03-08', range: ['01:30', '03:30'], step: 30, why: 'spring: 01:30 EST–03:30 EDT is 1 h',
    expected: ['2026-03-08T06:30', '2026-03-08T07:00'] },
  { zone: 'America/New_York', date: '2026-03-08', range: ['02:30', '04:00'], step: 30, why: 'spring: 02:30 in the gap = 07:30Z',
    expected: ['2026-03-08T07:30'] },
  { zone: 'America/New_York', date: '2026-11-01', range: ['01:00', '04:00'], step: 60, why: 'fall: 01:00 EDT–04:00 EST is 4 h',
    expected: ['2026-11-01T05:00', '2026-11-01T06:00', '2026-11-01T07:00', '2026-11-01T08:00'] },
  { zone: 'America/New_York', date: '2026-11-01', range: ['00:00', '01:30'], step: 30, why: 'fall: ends at the first 01:30',
    expected: ['2026-11-01T04:00', '2026-11-01T04:30', '2026-11-01T05:00'] },
  { zone: 'America/New_York', date: '2026-11-23', range: ['18:00', '21:00'], step: 60, why: 'EST crosses UTC midnight',
    expected: ['2026-11-23T23:00', '2026-11-24T00:00', '2026-11-24T01:00'] },

  // Europe/Berlin: 2026-03-29 02:00 CET → 03:00 CEST at 01:00Z; 2026-10-25 03:00 CEST → 02:00 CET at 01:00Z.
  { zone: 'Europe/Berlin', date: '2026-03-29', range: ['01:00', '04:00'], step: 60, why: 'spring: 01:00 CET–04:00 CEST is 2 h',
    expected: ['2026-03-29T00:00', '2026-03-29T01:00'] },
  { zone: 'Europe/Berlin', date: '2026-03-29', range: ['02:30', '04:00'], step: 30, why: 'spring: 02:30 in the gap = 01:30Z',
    expected: ['2026-03-29T01:30'] },
  { zone: 'Europe/Berlin', date: '2026-10-25', range: ['01:00', '04:00'], step: 60, why: 'fall: 01:00 CEST–04:00 CET is 4 h',
    expected: ['2026-10-24T23:00', '2026-10-25T00:00', '2026-10-25T01:00', '2026-10-25T02:00'] },
  { zone: 'Europe/Berlin', date: '2026-10-25', range: ['02:30', '03:30'], step: 30, why: 'fall: starts at the first 02:30 (CEST)',
    expected: ['2026-10-25T00:30', '2026-10-25T01:00', '2026-10-25T01:30', '2026-10-25T02:00'] },

  // Europe/London: 2026-03-29 has 23 hours, 2026-10-25 has 25.
  { zone: 'Europe/London', date: '2026-10-25', range: ['00:00', '24:00'], step: 60, why: '25-hour day',
    expected: Array.from({ length: 25 }, (_, i) => new Date(Date.UTC(2026, 9, 24, 23 + i)).toISOString().slice(0, 16)) },
  { zone: 'Europe/London', date: '2026-03-29', range: ['00:00', '24:00'], step: 60, why: '23-hour day',
    expected: Array.from({ length: 23 }, (_, i) => new Date(Date.UTC(2026, 2, 29, i)).toISOString().slice(0, 16)) },

  // Asia/Kolkata: UTC+05:30.
  { zone: 'Asia/Kolkata', date: '2026-11-23', range: ['09:00', '11:00'], step: 60, why: '+05:30',
    expected: ['2026-11-23T03:30', '2026-11-23T04:30'] },
  { zone: 'Asia/Kolkata', date: '2026-11-23', range: ['04:00', '07:00'], step: 60, why: 'crosses UTC midnight',
    expected: ['2026-11-22T22:30', '2026-11-22T23:30', '2026-11-23T00:30'] },

  // Asia/Kathmandu: UTC+05:45.
  { zone: 'Asia/Kathmandu', date: '2026-11-23', range: ['09:00', '11:00'], step: 60, why: '+05:45',
    expected: ['2026-11-23T03:15', '2026-11-23T04:15'] },
  { zone: 'Asia/Kathmandu', date: '2026-11-23', range: ['05:00', '06:45'], step: 15, duration: 30, why: 'crosses UTC midnight, step 15',
    expected: ['2026-11-22T23:15', '2026-11-22T23:30', '2026-11-22T23:45', '2026-11-23T00:00', '2026-11-23T00:15', '2026-11-23T00:30'] },

  // Australia/Adelaide: ACST +09:30, ACDT +10:30. 2026-04-05 03:00 ACDT → 02:00 ACST at 04-04 16:30Z;
  // 2026-10-04 02:00 ACST → 03:00 ACDT at 10-03 16:30Z.
  { zone: 'Australia/Adelaide', date: '2026-01-12', range: ['09:00', '11:00'], step: 60, why: 'ACDT, crosses UTC midnight',
    expected: ['2026-01-11T22:30', '2026-01-11T23:30'] },
  { zone: 'Australia/Adelaide', date: '2026-04-05', range: ['01:00', '04:00'], step: 60, why: 'fall: 01:00 ACDT–04:00 ACST is 4 h',
    expected: ['2026-04-04T14:30', '2026-04-04T15:30', '2026-04-04T16:30', '2026-04-04T17:30'] },
  { zone: 'Australia/Adelaide', date: '2026-10-04', range: ['01:00', '04:00'], step: 60, why: 'spring: 01:00 ACST–04:00 ACDT is 2 h',
    expected: ['2026-10-03T15:30', '2026-10-03T16:30'] },
  { zone: 'Australia/Adelaide', date: '2026-10-04', range: ['02:30', '04:00'], step: 30, why: 'spring: 02:30 in the gap = 17:00Z',
    expected: ['2026-10-03T17:00'] },

  // Australia/Lord_Howe: +10:30, DST +11 (a 30-minute shift). 2026-04-05 02:00 LHDT → 01:30 LHST
  // at 04-04 15:00Z; 2026-10-04 02:00 LHST → 02:30 LHDT at 10-03 15:30Z.
  { zone: 'Australia/Lord_Howe', date: '2026-04-05', range: ['01:00', '03:00'], step: 30, why: 'fall: 01:00 LHDT–03:00 LHST is 2.5 h',
    expected: ['2026-04-04T14:00', '2026-04-04T14:30', '2026-04-04T15:00', '2026-04-04T15:30', '2026-04-04T16:00'] },
  { zone: 'Australia/Lord_Howe', date: '2026-04-05', range: ['01:45', '02:15'], step: 15, why: 'fall: first 01:45 (LHDT) to 02:15 LHST',
    expected: ['2026-04-04T14:45', '2026-04-04T15:00', '2026-04-04T15:15', '2026-04-04T15:30'] },
  { zone: 'Australia/Lord_Howe', date: '2026-10-04', range: ['02:15', '03:00'], step: 15, why: 'spring: 02:15 in the 30-minute gap = 15:45Z',
    expected: ['2026-10-03T15:45'] },
  { zone: 'Australia/Lord_Howe', date: '2026-10-04', range: ['01:00', '04:00'], step: 60, why: 'spring: 01:00 LHST–04:00 LHDT is 2.5 h',
    expected: ['2026-10-03T14:30', '2026-10-03T15:30'] },
];

const isoWeekday = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay() || 7;
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString();

function queryFor(c: Case, shape: 'override' | 'weekly'): SlotQuery {
  const [start, end] = c.range;
  return {
    timezone: c.zone,
    workingHours: shape === 'override'
      ? { overrides: [{ date: c.date, intervals: [{ start, end }] }] }
      : { days: [isoWeekday(c.date)], start, end },
    durationMinutes: c.duration ?? c.step,
    stepMinutes: c.step,
    busy: [],
    now: '2025-12-01T00:00:00Z',
    horizonDays: 400,
    // Three days around the date: the weekday occurs once, UTC-midnight crossings are inside.
    from: shift(c.date, -1),
    to: shift(c.date, 2),
  };
}

describe.each(['override', 'weekly'] as const)('zones (range as %s)', (shape) => {
  it.each(cases)('$zone $date $range.0–$range.1 step $step: $why', (c) => {
    const q = queryFor(c, shape);
    const slots = computeSlots(q);
    expect(slots.map((s) => s.start.slice(0, 16))).toEqual(c.expected);
    expect(slots.every((s) => s.start.endsWith(':00.000Z'))).toBe(true);
    expect(slots).toEqual(referenceSlots(q));
  });
});

describe('the shared LocalClock answers offsets as luxon does (issue 16: no luxon lookup per engine call)', () => {
  it('offsetAt and localDay equal the direct lookup at any instant, around every kind of transition', async () => {
    const fc = (await import('fast-check')).default;
    const { clockOf, offsetAt, localDayNumber, zoneOf } = await import('../../server/availability/zone.ts');
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Dubai', 'Pacific/Apia', 'America/Santiago', 'UTC'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: 0, max: Date.UTC(2040, 0, 1) / 1000 }), (name, seconds) => {
        const t = seconds * 1000;
        expect(clockOf(name).offsetAt(t)).toBe(offsetAt(zoneOf(name), t));
        expect(clockOf(name).localDay(t)).toBe(localDayNumber(zoneOf(name), t));
      }),
      { numRuns: 3000 },
    );
    // Exactly at and one second before a transition (Berlin, 2026-03-29 01:00Z and 2026-10-25 01:00Z).
    for (const t of [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1)]) {
      for (const at of [t - 1000, t, t + 1000]) expect(clockOf('Europe/Berlin').offsetAt(at)).toBe(offsetAt(zoneOf('Europe/Berlin'), at));
    }
  });
});
