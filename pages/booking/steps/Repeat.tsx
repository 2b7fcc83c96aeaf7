import { batch } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { seriesCall } from '../../lib/api';
import { formatDateTime, formatTime } from '../../lib/format';
import { useBooking } from '../state';

/**
 * "Repeat weekly" under the details (services that allow a series): how many dates and how often; the server's
 * preview lists every date, and each date that is not free offers the nearest free time that day or skipping it.
 * Plain selects and a list, to stay inside the page's byte budget.
 */
export function Repeat({ slot }: { slot: string }) {
  const app = useBooking();
  const { t, locale } = app.page;
  const s = app.state;
  const svc = s.service.value!;
  const { maxOccurrences, maxIntervalWeeks } = svc.series!;
  const n = s.repeat.value;
  const every = s.every.value;
  const preview = s.preview.value;
  const at = (v: string) => formatDateTime(Date.parse(v), locale, s.tz.value, s.hour12.value);

  // Runs again whenever the preview is dropped: a changed series, or a date taken meanwhile (submit's 409).
  useEffect(() => {
    if (n > 1 && !preview) {
      seriesCall(app.page.env.fetch, { provider: s.route.value.slug, service: svc.slug, start: slot, occurrences: n, intervalWeeks: every }, true)
        .then((r) => batch(() => {
          s.choices.value = Object.fromEntries(r.items.filter((i) => i.status != 'free').map((i) => [i.index, i.alternative]));
          s.preview.value = r.items;
        }), () => (s.formError.value = t('submitFailed')));
    }
  }, [n, every, slot, preview]);

  /** A select of 1 … `count` (or the given options); choosing drops the preview. */
  const pick = (label: string, value: number, set: (v: number) => void, count: number, text: (v: number) => string, options = Array.from({ length: count }, (_, i) => i + 1)) => (
    <select aria-label={label} value={value} onChange={(e) => set(+(e.currentTarget as HTMLSelectElement).value)}>
      {options.map((v) => <option value={v}>{text(v)}</option>)}
    </select>
  );

  return (
    <fieldset class="field">
      <legend>{t('repeatWeekly')}</legend>
      {pick(t('repeatWeekly'), n, (v) => ((s.repeat.value = v), (s.preview.value = null)), maxOccurrences, (v) => `${v}×`)}
      {maxIntervalWeeks > 1 && n > 1
        ? pick(t('everyWeeks', { n: '' }), every, (v) => ((s.every.value = v), (s.preview.value = null)), maxIntervalWeeks, (v) => t('everyWeeks', { n: v }))
        : null}
      {n > 1 && preview ? (
        <ul aria-live="polite">
          {preview.map((i) => i.status == 'free' ? <li>{at(i.start)}</li> : (
            <li class="field-error">
              {t('busy')}: {at(i.start)}{' '}
              {pick(at(i.start), s.choices.value[i.index] ? 1 : 0, (v) => (s.choices.value = { ...s.choices.value, [i.index]: v ? i.alternative : null }),
                0, (v) => (v ? formatTime(Date.parse(i.alternative!), locale, s.tz.value, s.hour12.value) : t('skip')), i.alternative ? [1, 0] : [0])}
            </li>
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}
