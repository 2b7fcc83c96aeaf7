import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { weeklyOccurrences } from '../../server/series/occurrences.ts';

// "Every Tuesday 18:00 Berlin" must stay 18:00 local across the clock changes: the instants move, the wall time not.
// Series start up to ten weeks before a 2026 transition in each zone, so most runs cross one (some cross two).

const transitions: Record<string, string[]> = {
  'America/New_York': ['2026-03-08', '2026-11-01'],
  'Europe/Berlin': ['2026-03-29', '2026-10-25'],
  'Australia/Adelaide': ['2026-04-05', '2026-10-04'],
};

const DAY = 86_400_000;

const series = fc.record({
  zone: fc.constantFrom(...Object.keys(transitions)),
  pick: fc.nat(1),
  daysBefore: fc.integer({ min: 0, max: 70 }),
  // 05:00 … 23:45 local: none of these zones changes its clock then, so every planned wall time exists once.
  minutes: fc.integer({ min: 5 * 4, max: 23 * 4 + 3 }).map((q) => q * 15),
  intervalWeeks: fc.integer({ min: 1, max: 4 }),
  count: fc.integer({ min: 2, max: 20 }),
});

describe('weeklyOccurrences', () => {
  it('keeps the local weekday and wall time of the first start, in every zone, across DST', () => {
    fc.assert(fc.property(series, ({ zone, pick, daysBefore, minutes, intervalWeeks, count }) => {
      const anchor = Date.parse(`${transitions[zone][pick]}T00:00:00Z`) - daysBefore * DAY;
      const local = DateTime.fromMillis(anchor, { zone: 'UTC' }).toISODate();
      const first = DateTime.fromISO(`${local}T00:00`, { zone }).plus({ minutes });
      const occurrences = weeklyOccurrences(first.toJSDate(), zone, intervalWeeks, count);
      expect(occurrences).toHaveLength(count);
      occurrences.forEach((o, k) => {
        const at = DateTime.fromJSDate(o.start, { zone });
        expect(o.index).toBe(k + 1);
        expect(at.toFormat('HH:mm')).toBe(first.toFormat('HH:mm'));
        expect(at.weekday).toBe(first.weekday);
        expect(at.toISODate()).toBe(first.plus({ weeks: k * intervalWeeks }).toISODate());
        expect(o.date).toBe(at.toISODate());
      });
    }), { numRuns: 400 });
  });

  it('moves the instant by the offset change (Berlin 18:00: 17:00Z in winter, 16:00Z in summer)', () => {
    const starts = weeklyOccurrences(new Date('2026-03-24T17:00:00Z'), 'Europe/Berlin', 1, 2).map((o) => o.start.toISOString());
    expect(starts).toEqual(['2026-03-24T17:00:00.000Z', '2026-03-31T16:00:00.000Z']);
    const adelaide = weeklyOccurrences(new Date('2026-03-31T07:30:00Z'), 'Australia/Adelaide', 1, 2).map((o) => o.start.toISOString());
    expect(adelaide).toEqual(['2026-03-31T07:30:00.000Z', '2026-04-07T08:30:00.000Z']); // 18:00 ACDT, then 18:00 ACST
  });
});
