import type { Hours } from '../../contract/app-api';
import { weekdayNames } from '../lib/format';
import { useApp } from './state';

/** One weekly range as the editor holds it: days 1…7 (ISO, Monday first), `HH:MM` times. */
export type Weekly = Hours['weekly'];

/** Presets a provider starts from (the Gulf works Sunday to Thursday). Same ids as the server's onboarding presets. */
export const PRESETS = {
  'mon-fri-9-5': [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }],
  'sun-thu-9-5': [{ days: [7, 1, 2, 3, 4], start: '09:00', end: '17:00' }],
  'mon-sat-9-5': [{ days: [1, 2, 3, 4, 5, 6], start: '09:00', end: '17:00' }],
  'every-day-9-9': [{ days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '21:00' }],
} as const;
export type PresetId = keyof typeof PRESETS;

/** Ranges per weekday: the editor's view (one list of ranges for each day) of the API's `weekly`. */
export function byDay(weekly: Weekly): { start: string; end: string }[][] {
  const days: { start: string; end: string }[][] = [[], [], [], [], [], [], []];
  for (const r of weekly) for (const d of r.days) days[d - 1].push({ start: r.start, end: r.end });
  for (const list of days) list.sort((a, b) => a.start.localeCompare(b.start));
  return days;
}

/** Back to the API's shape: one entry per day and range (the server accepts several ranges per day). */
export function fromDays(days: { start: string; end: string }[][]): Weekly {
  return days.flatMap((ranges, i) => ranges.map((r) => ({ days: [i + 1], start: r.start, end: r.end })));
}

export const presetWeekly = (id: PresetId): Weekly => PRESETS[id].map((r) => ({ days: [...r.days], start: r.start, end: r.end }));

/** The first problem with a week's ranges, or null: each end after its start, ranges of a day not overlapping. */
export function weeklyProblem(days: { start: string; end: string }[][]): { day: number; index: number; kind: 'order' | 'overlap' } | null {
  for (let d = 0; d < 7; d++) {
    const sorted = days[d].map((r, index) => ({ ...r, index })).sort((a, b) => a.start.localeCompare(b.start));
    for (let i = 0; i < sorted.length; i++) {
      const r = sorted[i];
      if (!(r.start < r.end || (r.end === '00:00' && r.start !== '00:00'))) return { day: d, index: r.index, kind: 'order' };
      if (i > 0 && r.start < sorted[i - 1].end) return { day: d, index: r.index, kind: 'overlap' };
    }
  }
  return null;
}

/** `<input type=time>` cannot say 24:00: an end of 00:00 means midnight at the end of the day. */
const toInput = (t: string) => (t === '24:00' ? '00:00' : t);
const fromInput = (t: string, isEnd: boolean) => (isEnd && t === '00:00' ? '24:00' : t);

/**
 * The week's working hours: each weekday open or closed, with one or more ranges ("9–1 and 2–6"). The order of
 * the days follows the locale (Sunday first in the Gulf's Arabic calendars reads naturally either way: Monday first
 * is kept so the editor matches the ISO days the server stores).
 */
export function WeekEditor({ days, onChange, idPrefix = 'hours' }: {
  days: { start: string; end: string }[][];
  onChange: (days: { start: string; end: string }[][]) => void;
  idPrefix?: string;
}) {
  const app = useApp();
  const t = app.t.value;
  const problem = weeklyProblem(days);
  const set = (d: number, ranges: { start: string; end: string }[]) => onChange(days.map((r, i) => (i === d ? ranges : r)));
  return (
    <div class="week">
      {days.map((ranges, d) => {
        const [, dayName] = weekdayNames(app.locale.value, d + 1);
        const open = ranges.length > 0;
        const id = `${idPrefix}-${d + 1}`;
        return (
          <div class="hours-day" role="group" aria-label={dayName} key={d}>
            <label class="toggle">
              <input
                type="checkbox"
                id={`${id}-open`}
                checked={open}
                onChange={(e) => set(d, e.currentTarget.checked ? [{ start: '09:00', end: '17:00' }] : [])}
              />
              <span class="label">{dayName}</span>
              {open ? null : <span class="muted">— {t('closed')}</span>}
            </label>
            {ranges.map((r, i) => {
              const bad = problem && problem.day === d && problem.index === i;
              return (
                <div class="hours-range" key={i}>
                  <label class="sr-only" for={`${id}-${i}-start`}>{t('rangeFrom', { day: dayName })}</label>
                  <input
                    type="time"
                    id={`${id}-${i}-start`}
                    value={toInput(r.start)}
                    step={300}
                    aria-invalid={bad ? 'true' : undefined}
                    onChange={(e) => set(d, ranges.map((x, j) => (j === i ? { ...x, start: e.currentTarget.value } : x)))}
                  />
                  <span aria-hidden="true">–</span>
                  <label class="sr-only" for={`${id}-${i}-end`}>{t('rangeTo', { day: dayName })}</label>
                  <input
                    type="time"
                    id={`${id}-${i}-end`}
                    value={toInput(r.end)}
                    step={300}
                    aria-invalid={bad ? 'true' : undefined}
                    onChange={(e) => set(d, ranges.map((x, j) => (j === i ? { ...x, end: fromInput(e.currentTarget.value, true) } : x)))}
                  />
                  <button type="button" class="secondary small-button" onClick={() => set(d, ranges.filter((_, j) => j !== i))}>
                    {t('remove')}<span class="sr-only"> {dayName}</span>
                  </button>
                  {bad ? <p class="field-error">{t(problem.kind === 'order' ? 'endAfterStart' : 'rangesOverlap')}</p> : null}
                </div>
              );
            })}
            {open ? (
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  const last = ranges[ranges.length - 1];
                  const start = last && last.end < '22:00' ? last.end : '18:00';
                  const end = `${String(Math.min(23, Number(start.slice(0, 2)) + 2)).padStart(2, '0')}:00`;
                  set(d, [...ranges, { start, end: end > start ? end : '24:00' }]);
                }}
              >
                {t('addRange', { day: dayName })}
              </button>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
