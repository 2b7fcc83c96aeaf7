import { LocalClock, offsetAt, zoneOf } from '../availability/zone.ts';
import { DAY, MINUTE } from '../time/units.ts';
import { isoDate } from '../availability/zone.ts';

/** One planned date of a weekly series: `index` 1 … count, its start instant and its local date (`YYYY-MM-DD`). */
export interface Occurrence {
  index: number;
  start: Date;
  date: string;
}

/**
 * The planned starts of a weekly series: the first start's local date + k × `intervalWeeks` weeks, each at the first
 * start's local WALL time in `timezone` (so "Tuesday 18:00 Berlin" is 18:00 before and after a DST change, and the
 * UTC instant moves by an hour instead). The same zone rules as the availability engine (`LocalClock`: a wall time in
 * a spring-forward gap reads with the offset before the gap; a repeated wall time means its first occurrence).
 * create_series_if_free re-checks the result: every date on the weekly grid, every unmoved start at the same wall time.
 *
 * @example weeklyOccurrences(new Date('2026-03-24T17:00:00Z'), 'Europe/Berlin', 1, 2)
 *   // [{ index: 1, start: 17:00Z (18:00 CET), date: '2026-03-24' }, { index: 2, start: 16:00Z (18:00 CEST), date: '2026-03-31' }]
 */
export function weeklyOccurrences(first: Date, timezone: string, intervalWeeks: number, count: number): Occurrence[] {
  const zone = zoneOf(timezone);
  const clock = new LocalClock(zone);
  const wall = first.getTime() + offsetAt(zone, first.getTime());
  const day = Math.floor(wall / DAY);
  const minutes = (wall - day * DAY) / MINUTE;
  return Array.from({ length: count }, (_, k) => {
    const d = day + k * 7 * intervalWeeks;
    return { index: k + 1, start: new Date(k === 0 ? first.getTime() : clock.at(d, minutes)), date: isoDate(d) };
  });
}
