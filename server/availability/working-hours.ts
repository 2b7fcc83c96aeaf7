import { z } from 'zod';

/**
 * The shapes a provider's `settings.workingHours` may take (the seeds' single range, plus
 * several ranges per day and per-date overrides).
 *
 * @example
 * { "timezone": "Asia/Dubai", "days": [1,2,3,4,5], "start": "09:00", "end": "17:00" }
 * { "intervals": [{ "days": [1,2,3,4], "start": "09:00", "end": "12:00" }],
 *   "overrides": [{ "date": "2026-12-24", "intervals": [] }] }
 *
 * Days are ISO weekdays (1 = Monday … 7 = Sunday); 0 is accepted for Sunday. `24:00` is the
 * next midnight.
 */
const timeOfDay = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM between 00:00 and 24:00');

const weekday = z.number().int().min(0).max(7);

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'must be a real calendar date');

const range = z
  .object({ start: timeOfDay, end: timeOfDay })
  .refine((r) => r.start < r.end, { message: 'end must be after start', path: ['end'] });

const weeklyRange = z
  .object({ days: z.array(weekday).min(1), start: timeOfDay, end: timeOfDay })
  .refine((r) => r.start < r.end, { message: 'end must be after start', path: ['end'] });

export const workingHoursSchema = z
  .object({
    timezone: z.string().optional(),
    days: z.array(weekday).optional(),
    start: timeOfDay.optional(),
    end: timeOfDay.optional(),
    intervals: z.array(weeklyRange).optional(),
    overrides: z.array(z.object({ date: localDate, intervals: z.array(range) })).optional(),
  })
  .superRefine((wh, ctx) => {
    const single = [wh.days, wh.start, wh.end].filter((v) => v !== undefined).length;
    if (single !== 0 && single !== 3) {
      ctx.addIssue({ code: 'custom', message: 'days, start and end go together', path: ['days'] });
    }
    if (wh.start && wh.end && wh.start >= wh.end) {
      ctx.addIssue({ code: 'custom', message: 'end must be after start', path: ['end'] });
    }
    if (single === 0 && !wh.intervals && !wh.overrides) {
      ctx.addIssue({ code: 'custom', message: 'give days/start/end or intervals', path: ['intervals'] });
    }
  });

export type WorkingHours = z.infer<typeof workingHoursSchema>;
export type TimeOfDay = string; // "HH:MM", "24:00" allowed

/** Every weekly range, the seeds' single range included, with Sunday as 7. */
export function weeklyRanges(wh: WorkingHours): { days: number[]; start: string; end: string }[] {
  const out: { days: number[]; start: string; end: string }[] = [];
  if (wh.days && wh.start && wh.end) out.push({ days: wh.days, start: wh.start, end: wh.end });
  for (const r of wh.intervals ?? []) out.push(r);
  return out.map((r) => ({ ...r, days: r.days.map((d) => (d === 0 ? 7 : d)) }));
}
