import { startOfLocalDay } from '../availability/index.ts';
import { parseInstant } from '../http/validate.ts';
import type { FieldError } from '../http/problem.ts';
import { DAY, HOUR } from '../time/units.ts';

export const MAX_WINDOW_DAYS = 62;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads `from`/`to` as instants or plain dates. A plain date is a whole day in `zone`:
 * `from=2026-12-01&to=2026-12-07` is Dec 1 00:00 up to the end of Dec 7 there.
 * Missing `from` means now; missing `to` means 14 days after `from`.
 */
export function readWindow(
  fromParam: string | undefined,
  toParam: string | undefined,
  zone: string,
  now: Date,
): { from: Date; to: Date } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const read = (name: 'from' | 'to', value: string | undefined): Date | null => {
    if (value === undefined || value === '') return null;
    if (DATE.test(value)) {
      try {
        // A plain `to` date includes that whole day: the window ends where the next day starts.
        const day = name === 'to' ? nextDate(value) : value;
        const at = new Date(startOfLocalDay(day, zone));
        // Same bounds as instants (1970–2200): a parseInstant round trip checks them.
        if (!parseInstant(at.toISOString())) throw new RangeError('out of range');
        return at;
      } catch {
        errors.push({ field: name, message: 'is not a real date' });
        return null;
      }
    }
    const at = parseInstant(value);
    if (!at) errors.push({ field: name, message: 'must be a date YYYY-MM-DD or an ISO 8601 instant with an offset' });
    return at;
  };
  const from = read('from', fromParam) ?? (errors.some((e) => e.field === 'from') ? null : now);
  const to = read('to', toParam) ?? (from && !errors.some((e) => e.field === 'to') ? new Date(from.getTime() + 14 * DAY) : null);
  if (errors.length || !from || !to) return { errors };
  if (to <= from) return { errors: [{ field: 'to', message: 'must be after from' }] };
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY + 2 * HOUR) {
    return { errors: [{ field: 'to', message: `the window may span at most ${MAX_WINDOW_DAYS} days` }] };
  }
  return { from, to };
}

function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) throw new RangeError('not a date');
  return new Date(d.getTime() + DAY).toISOString().slice(0, 10);
}
