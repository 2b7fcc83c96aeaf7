import { z } from 'zod';
import { workingHoursSchema, type WorkingHours } from '../availability/working-hours.ts';
import { isTimeZone } from '../http/validate.ts';
import { DAY } from '../time/units.ts';

const timeOfDay = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM between 00:00 and 24:00');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}, 'must be a real calendar date');
const range = z.object({ start: timeOfDay, end: timeOfDay })
  .refine((r) => r.start < r.end, { message: 'end must be after start', path: ['end'] });

/** The longest time off one range may close (a year and a day). */
const MAX_TIME_OFF_DAYS = 366;

/**
 * What the app edits on the hours screen: several ranges per weekday (ISO days, 1 = Monday … 7 = Sunday), one-off
 * dates with their own ranges (`[]` = closed that day), and time off — a range of dates closed at once (a
 * vacation). Time off is stored as entered and expanded into closed dates for the availability engine.
 */
export const hoursSchema = z.object({
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Dubai').optional(),
  weekly: z.array(z.object({ days: z.array(z.number().int().min(1).max(7)).min(1), start: timeOfDay, end: timeOfDay })
    .refine((r) => r.start < r.end, { message: 'end must be after start', path: ['end'] })).max(100),
  overrides: z.array(z.object({ date: localDate, intervals: z.array(range).max(20) })).max(1000).default([]),
  timeOff: z.array(z.object({ from: localDate, to: localDate, label: z.string().trim().max(200).optional() })
    .refine((t) => t.from <= t.to, { message: 'must be on or after from', path: ['to'] })
    .refine((t) => daysBetween(t.from, t.to) < MAX_TIME_OFF_DAYS, { message: `must be within ${MAX_TIME_OFF_DAYS} days of from`, path: ['to'] }))
    .max(100).default([]),
}).superRefine((h, ctx) => {
  const seen = new Set<string>();
  h.overrides.forEach((o, i) => {
    if (seen.has(o.date)) ctx.addIssue({ code: 'custom', message: `${o.date} is given twice`, path: ['overrides', i, 'date'] });
    seen.add(o.date);
  });
});

export type HoursInput = z.infer<typeof hoursSchema>;
export type TimeOff = HoursInput['timeOff'];

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/** Every date of a time-off range, inclusive. @example datesOf('2026-12-30', '2027-01-01') // 3 dates */
export function datesOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/**
 * The engine's `workingHours` for what the app sent: weekly ranges as `intervals`, and `overrides` with every
 * time-off date closed (time off wins over a one-off date it covers).
 */
export function toWorkingHours(input: HoursInput, fallbackZone: string): WorkingHours {
  const closed = new Set(input.timeOff.flatMap((t) => datesOf(t.from, t.to)));
  const overrides = [
    ...input.overrides.filter((o) => !closed.has(o.date)),
    ...[...closed].map((date) => ({ date, intervals: [] })),
  ].sort((a, b) => a.date.localeCompare(b.date));
  return workingHoursSchema.parse({ timezone: input.timezone ?? fallbackZone, intervals: input.weekly, overrides });
}

/** The hours screen's view of stored settings: the inverse of `toWorkingHours` (time-off dates are not listed as overrides). */
export function hoursView(workingHours: WorkingHours | undefined, timeOff: TimeOff | undefined, zone: string) {
  const wh = workingHours ?? { intervals: [] };
  const off = timeOff ?? [];
  const closed = new Set(off.flatMap((t) => datesOf(t.from, t.to)));
  const weekly = [
    ...(wh.days && wh.start && wh.end ? [{ days: wh.days, start: wh.start, end: wh.end }] : []),
    ...(wh.intervals ?? []),
  ].map((r) => ({ ...r, days: r.days.map((d) => (d === 0 ? 7 : d)) }));
  return {
    timezone: wh.timezone ?? zone,
    weekly,
    overrides: (wh.overrides ?? []).filter((o) => !(closed.has(o.date) && o.intervals.length === 0)),
    timeOff: off,
  };
}

/** Working-hours presets offered at onboarding (the Gulf works Sunday to Thursday). */
export const HOURS_PRESETS = {
  'mon-fri-9-5': [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }],
  'sun-thu-9-5': [{ days: [7, 1, 2, 3, 4], start: '09:00', end: '17:00' }],
  'mon-sat-9-5': [{ days: [1, 2, 3, 4, 5, 6], start: '09:00', end: '17:00' }],
  'every-day-9-9': [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '21:00' }],
} as const;
export type HoursPreset = keyof typeof HOURS_PRESETS;
