/**
 * A slow, obviously-correct reference for the availability engine, written only for tests.
 * It shares no code with `server/availability/`: zone conversion goes through
 * `Intl.DateTimeFormat` (instant → wall time) and a search over candidate offsets (wall time
 * → instant) instead of luxon; working time is a minute-by-minute bitmap instead of sorted
 * merged spans; busy time is checked slot by slot against every interval.
 *
 * Assumptions (the property tests' generators keep to them): all wall times and busy bounds
 * are whole minutes, a merged working range reaches back at most 8 days, and the duration
 * is at most a day.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface RefQuery {
  timezone: string;
  workingHours: {
    days?: number[];
    start?: string;
    end?: string;
    intervals?: { days: number[]; start: string; end: string }[];
    overrides?: { date: string; intervals: { start: string; end: string }[] }[];
  };
  durationMinutes: number;
  stepMinutes?: number;
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  minNoticeMinutes?: number;
  horizonDays?: number;
  maxPerDay?: number;
  busy: { start: string | Date; end: string | Date }[];
  bookedStarts?: (string | Date)[];
  now: string | Date;
  from: string | Date;
  to: string | Date;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall time of an instant in `tz`, expressed as "that wall time read as UTC" in ms. */
export function refWallOf(tz: string, t: number): number {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** `YYYY-MM-DD` of an instant in `tz`. */
export function refLocalDate(tz: string, t: number): string {
  return new Date(refWallOf(tz, t)).toISOString().slice(0, 10);
}

/**
 * Wall time → instant: try every offset seen in the 26 hours around it; keep the earliest
 * instant whose wall time matches (first occurrence). None matches in a spring-forward gap:
 * then find the transition by bisection and use the offset in force just before it.
 */
export function refInstantOf(tz: string, wall: number): number {
  const offsets = new Set<number>();
  for (let t = wall - 14 * HOUR; t <= wall + 12 * HOUR; t += HOUR) offsets.add(refWallOf(tz, t) - t);
  const matches = [...offsets].map((o) => wall - o).filter((t) => refWallOf(tz, t) === wall);
  if (matches.length > 0) return Math.min(...matches);

  let lo = wall - 14 * HOUR; // wall time still before `wall`
  let hi = wall + 12 * HOUR; // wall time already past `wall`
  while (hi - lo > MIN) {
    const mid = lo + Math.floor((hi - lo) / 2 / MIN) * MIN;
    if (refWallOf(tz, mid) < wall) lo = mid;
    else hi = mid;
  }
  const offsetBefore = refWallOf(tz, lo) - lo;
  return wall - offsetBefore;
}

const toMs = (v: string | Date): number => (v instanceof Date ? v.getTime() : Date.parse(v));
const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The wall-clock ranges of a date `YYYY-MM-DD`, as minutes after midnight. */
function rangesOn(wh: RefQuery['workingHours'], date: string): [number, number][] {
  const overrides = (wh.overrides ?? []).filter((o) => o.date === date);
  if (overrides.length > 0) return overrides.flatMap((o) => o.intervals.map((r) => [minutesOf(r.start), minutesOf(r.end)] as [number, number]));
  const jsDay = new Date(`${date}T12:00:00Z`).getUTCDay(); // 0 = Sunday
  const weekly = [...(wh.days && wh.start && wh.end ? [{ days: wh.days, start: wh.start, end: wh.end }] : []), ...(wh.intervals ?? [])];
  return weekly
    .filter((r) => r.days.some((d) => d % 7 === jsDay))
    .map((r) => [minutesOf(r.start), minutesOf(r.end)] as [number, number]);
}

/** The instant of local midnight of `date` plus `minutes`. */
function instantAt(tz: string, date: string, minutes: number): number {
  return refInstantOf(tz, Date.parse(`${date}T00:00:00Z`) + minutes * MIN);
}

const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** Working time of the dates `first … last` as instant intervals (unmerged). */
export function refWorkingIntervals(q: RefQuery, first: string, last: string): [number, number][] {
  const out: [number, number][] = [];
  for (let date = first; date <= last; date = addDays(date, 1)) {
    for (const [a, b] of rangesOn(q.workingHours, date)) {
      const start = instantAt(q.timezone, date, a);
      const end = instantAt(q.timezone, date, b);
      if (end > start) out.push([start, end]);
    }
  }
  return out;
}

/** The reference result: sorted `{ start, end }` ISO strings. */
export function referenceSlots(q: RefQuery): { start: string; end: string }[] {
  const tz = q.timezone;
  const duration = q.durationMinutes * MIN;
  const step = (q.stepMinutes ?? q.durationMinutes) * MIN;
  const before = (q.bufferBeforeMinutes ?? 0) * MIN;
  const after = (q.bufferAfterMinutes ?? 0) * MIN;
  const now = toMs(q.now);
  const from = toMs(q.from);
  const to = toMs(q.to);
  const busy = q.busy.map((b) => [toMs(b.start), toMs(b.end)]).filter(([bs, be]) => be > bs); // empty = nothing
  const booked = (q.bookedStarts ?? []).map(toMs);

  const today = refLocalDate(tz, now);
  const horizonEnd = instantAt(tz, addDays(today, (q.horizonDays ?? 60) + 1), 0);
  const lower = Math.max(from, now + (q.minNoticeMinutes ?? 0) * MIN);
  const upper = Math.min(to, horizonEnd);
  if (lower >= upper) return [];

  // Minute bitmap of working time over the dates that matter (and 8 days before, for anchors).
  const first = addDays(refLocalDate(tz, lower), -8);
  const last = addDays(refLocalDate(tz, upper), 2);
  const intervals = refWorkingIntervals(q, first, last);
  if (intervals.length === 0) return [];
  const base = Math.min(...intervals.map(([a]) => a));
  const size = (Math.max(...intervals.map(([, b]) => b)) - base) / MIN;
  const working = new Uint8Array(size + 1); // trailing 0 closes the last run
  for (const [a, b] of intervals) working.fill(1, (a - base) / MIN, (b - base) / MIN);

  const out: { start: string; end: string }[] = [];
  let runStart = -1;
  for (let i = 0; i <= size; i++) {
    if (working[i] && runStart < 0) runStart = i;
    if (!working[i] && runStart >= 0) {
      const a = base + runStart * MIN;
      const b = base + i * MIN;
      for (let s = a; s + duration <= b; s += MIN) {
        if ((s - a) % step !== 0 || s < lower || s >= upper) continue;
        const occStart = s - before;
        const occEnd = s + duration + after;
        if (busy.some(([bs, be]) => bs < occEnd && be > occStart)) continue;
        if (q.maxPerDay !== undefined) {
          const day = refLocalDate(tz, s);
          if (booked.filter((t) => refLocalDate(tz, t) === day).length >= q.maxPerDay) continue;
        }
        out.push({ start: new Date(s).toISOString(), end: new Date(s + duration).toISOString() });
      }
      runStart = -1;
    }
  }
  return out;
}
