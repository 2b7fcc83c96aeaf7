import { DAY, HOUR, MINUTE } from './zone.ts';

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `new Date(ms).toISOString()` (`2026-03-08T07:30:00.000Z`), several times faster for runs of
 * instants on the same UTC day: the date part is formatted once per day. Slots are returned
 * by the thousand, and `toISOString` was most of the engine's cost.
 *
 * @example createIsoFormatter()(Date.UTC(2026, 2, 8, 7, 30)) // '2026-03-08T07:30:00.000Z'
 */
export function createIsoFormatter(): (ms: number) => string {
  let lastDay = NaN;
  let datePart = '';
  return (ms) => {
    const day = Math.floor(ms / DAY);
    if (day !== lastDay) {
      lastDay = day;
      datePart = new Date(day * DAY).toISOString().slice(0, -13); // through the "T"
    }
    let rest = ms - day * DAY;
    const h = Math.floor(rest / HOUR);
    rest -= h * HOUR;
    const m = Math.floor(rest / MINUTE);
    rest -= m * MINUTE;
    const s = Math.floor(rest / 1000);
    return `${datePart}${TWO[h]}:${TWO[m]}:${TWO[s]}.${THREE[rest - s * 1000]}Z`;
  };
}
