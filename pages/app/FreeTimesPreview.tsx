import { useSignal } from '@preact/signals';
import type { FreeTimesPreview as Preview } from '../../contract/app-api';
import { formatDate, formatTime, uses12Hour } from '../lib/format';
import { api } from './api';
import { Empty, Loading, useLoad } from './parts';
import { useApp } from './state';

/** `YYYY-MM-DD` of an instant in a zone (en-CA prints dates in that order). */
const dayFormat = new Map<string, Intl.DateTimeFormat>();
export function localDay(instant: string, timeZone: string): string {
  let f = dayFormat.get(timeZone);
  if (!f) dayFormat.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(new Date(instant));
}

/** The preview's slots grouped by the provider-local day, in order. */
export function groupByDay(preview: Pick<Preview, 'slots' | 'timezone'>): { day: string; starts: string[] }[] {
  const groups: { day: string; starts: string[] }[] = [];
  for (const s of preview.slots) {
    const day = localDay(s.start, preview.timezone);
    const last = groups[groups.length - 1];
    if (last?.day === day) last.starts.push(s.start);
    else groups.push({ day, starts: [s.start] });
  }
  return groups;
}

/**
 * "What visitors see next week": the next 7 days of free times from `GET …/preview` (the public slots API's own
 * code), grouped by day in the provider's zone. Under the hours editor (with a service picker) and in the service
 * editor (`serviceId` fixed). `version` changes after a save, to load again.
 */
export function FreeTimesPreview({ serviceId, version = 0 }: { serviceId?: string; version?: number }) {
  const app = useApp();
  const t = app.t.value;
  const services = (app.services.value ?? []).filter((s) => !s.hidden);
  const chosen = useSignal(serviceId ?? services[0]?.id ?? '');
  const id = serviceId ?? chosen.value;
  const loaded = useLoad(() => api.preview(app, id || undefined), [id, version]);
  const locale = app.locale.value;
  const hour12 = uses12Hour(locale);
  const preview = loaded.data.value;
  // No service yet: there is nothing a visitor could book (the services screen says so).
  if (!serviceId && app.services.value && services.length === 0) return null;
  return (
    <section class="card-box free-times" aria-labelledby="free-times-title">
      <h2 class="section-title" id="free-times-title">{t('previewTitle')}</h2>
      {serviceId || services.length < 2 ? null : (
        <div class="field">
          <label for="free-times-service">{t('previewService')}</label>
          <select id="free-times-service" value={chosen.value} onChange={(e) => (chosen.value = e.currentTarget.value)}>
            {services.map((s) => <option key={s.id} value={s.id}>{s.title}</option>)}
          </select>
        </div>
      )}
      {loaded.status.value === 'error' ? (
        <div role="alert" class="alert">
          <p>{t('previewError')}</p>
          <button type="button" class="secondary small-button" onClick={() => void loaded.reload()}>{t('retry')}</button>
        </div>
      ) : loaded.status.value === 'loading' || !preview ? <Loading /> : preview.slots.length === 0 ? (
        <Empty><p>{t('previewEmpty')}</p></Empty>
      ) : (
        <>
          <p class="muted small">{t('previewZone', { zone: preview.timezone })}</p>
          <ul class="free-days">
            {groupByDay(preview).map((g) => (
              <li key={g.day}>
                <h3 class="free-day">{formatDate(g.day, locale)}</h3>
                <p class="free-slots" dir="auto">
                  {g.starts.map((s) => <span class="free-slot" key={s}>{formatTime(Date.parse(s), locale, preview.timezone, hour12)}</span>)}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
