import { weeklyRanges, type WorkingHours } from './working-hours.ts';
import { dayNumberOf, isoWeekday, type LocalClock } from './zone.ts';

/** A half-open interval of instants, ms since the epoch: `[start, end)`. */
export interface Span {
  start: number;
  end: number;
}

/** Wall-clock range of a local date in minutes after midnight, end exclusive (1440 = 24:00). */
type MinuteRange = readonly [start: number, end: number];

/** `"HH:MM"` → minutes after midnight (`"24:00"` → 1440). */
export function minutesOf(time: string): number {
  const match = /^(\d{2}):([0-5]\d)$/.exec(time);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!(minutes <= 1440)) throw new RangeError(`workingHours: bad time of day ${JSON.stringify(time)}`);
  return minutes;
}

/**
 * The wall-clock ranges a provider works on each local date: the weekly ranges of that
 * weekday, unless an override names the date (its ranges then replace the weekly ones; an
 * empty override is a day off).
 */
export class WeekPlan {
  private readonly weekly: MinuteRange[][] = [[], [], [], [], [], [], [], []];
  private readonly overrides = new Map<number, MinuteRange[]>();

  constructor(workingHours: WorkingHours) {
    for (const r of weeklyRanges(workingHours)) {
      const range: MinuteRange = [minutesOf(r.start), minutesOf(r.end)];
      for (const day of new Set(r.days)) this.weekly[day].push(range);
    }
    for (const o of workingHours.overrides ?? []) {
      const day = dayNumberOf(o.date);
      const list = this.overrides.get(day) ?? [];
      for (const r of o.intervals) list.push([minutesOf(r.start), minutesOf(r.end)]);
      this.overrides.set(day, list);
    }
  }

  /** Wall-clock ranges of the local date `day` (days since 1970-01-01). */
  on(day: number): readonly MinuteRange[] {
    return this.overrides.get(day) ?? this.weekly[isoWeekday(day)];
  }
}

// A merged range reaching back further than this many days (a provider who works round
// the clock every day) is anchored at that day's first range; see `workingSpans`.
export const MAX_CHAIN_DAYS = 31;

/**
 * Working time of the local dates `firstDay … lastDay` as sorted, disjoint instant spans.
 * Adjacent or overlapping ranges are merged (Fri 20:00–24:00 + Sat 00:00–02:00 is one
 * span), and a span running into `firstDay` from earlier days is followed back to where
 * it really starts (at most MAX_CHAIN_DAYS), because the slot grid is anchored there.
 * A range whose wall times collapse in a DST gap (02:30–03:00 on a spring-forward night
 * in New York) has no instants and is dropped.
 */
export function workingSpans(plan: WeekPlan, clock: LocalClock, firstDay: number, lastDay: number): Span[] {
  const cache = new Map<number, Span[]>();
  const spansOn = (day: number): Span[] => {
    let spans = cache.get(day);
    if (!spans) {
      spans = [];
      for (const [from, to] of plan.on(day)) {
        const start = clock.at(day, from);
        const end = clock.at(day, to);
        if (end > start) spans.push({ start, end });
      }
      cache.set(day, spans);
    }
    return spans;
  };

  let first = firstDay;
  for (let i = 0; i < MAX_CHAIN_DAYS; i++) {
    const today = spansOn(first);
    if (today.length === 0) break;
    const earliest = Math.min(...today.map((s) => s.start));
    if (!spansOn(first - 1).some((s) => s.end >= earliest)) break;
    first -= 1;
  }

  const all: Span[] = [];
  for (let day = first; day <= lastDay; day++) all.push(...spansOn(day));
  return mergeSpans(all);
}

/** Sorts spans and merges the ones that overlap or touch. Returns new objects. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) {
      if (s.end > last.end) last.end = s.end;
    } else {
      out.push({ start: s.start, end: s.end });
    }
  }
  return out;
}
