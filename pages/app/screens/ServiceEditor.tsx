import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { OwnerService, ServiceBody } from '../../../contract/app-api';
import { formatDuration, formatPrice } from '../../lib/format';
import { api, type SeriesOptions } from '../api';
import { describedBy, Empty, Field, Link, problemText, ScreenTitle } from '../parts';
import { navigate, showFlash, useApp } from '../state';
import { minorDigits } from './Onboarding';
import { ServiceReminders } from './ServiceReminders';
import { FreeTimesPreview } from '../FreeTimesPreview';

const LOCATIONS = ['video', 'phone', 'whatsapp', 'in_person'] as const;

/** What the service form holds, as typed. */
export interface ServiceDraft {
  title: string; description: string; duration: string; price: string; currency: string;
  before: string; after: string; location: '' | (typeof LOCATIONS)[number]; address: string; mode: 'instant' | 'request'; hidden: boolean;
  /** The service's own notice (minutes), horizon (days) and bookings a day; '' = the provider's default. */
  notice: string; horizon: string; maxPerDay: string;
}

export function draftOf(s: OwnerService | null): ServiceDraft {
  const digits = minorDigits(s?.currency ?? 'AED');
  return {
    title: s?.title ?? '', description: s?.description ?? '', duration: String(s?.durationMinutes ?? 60),
    price: s && s.priceCents > 0 ? String(s.priceCents / 10 ** digits) : '', currency: s?.currency ?? 'AED',
    before: String(s?.bufferBeforeMinutes ?? 0), after: String(s?.bufferAfterMinutes ?? 0),
    location: s?.location?.type ?? '', address: s?.location?.address ?? '', mode: s?.bookingMode ?? 'instant', hidden: s?.hidden ?? false,
    notice: s?.minNoticeMinutes == null ? '' : String(s.minNoticeMinutes),
    horizon: s?.horizonDays == null ? '' : String(s.horizonDays),
    maxPerDay: s?.maxPerDay == null ? '' : String(s.maxPerDay),
  };
}

const whole = (v: string, min: number, max: number) => /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max;
/** Empty (the provider's default) or a whole number in range. */
const optionalWhole = (v: string, min: number, max: number) => !v.trim() || whole(v, min, max);
const orNull = (v: string) => (v.trim() ? Number(v) : null);

/** The form's problems by field (empty when it can be sent), and the body to send. */
export function checkService(d: ServiceDraft): { errors: Partial<Record<keyof ServiceDraft, true>>; body: ServiceBody } {
  const errors: Partial<Record<keyof ServiceDraft, true>> = {};
  if (!d.title.trim()) errors.title = true;
  if (!whole(d.duration, 5, 1440)) errors.duration = true;
  if (d.price.trim() && !(Number(d.price) >= 0)) errors.price = true;
  if (!/^[A-Z]{3}$/.test(d.currency)) errors.currency = true;
  if (!whole(d.before, 0, 1440)) errors.before = true;
  if (!whole(d.after, 0, 1440)) errors.after = true;
  if (!optionalWhole(d.notice, 0, 525_600)) errors.notice = true;
  if (!optionalWhole(d.horizon, 1, 730)) errors.horizon = true;
  if (!optionalWhole(d.maxPerDay, 1, 1000)) errors.maxPerDay = true;
  const body: ServiceBody = {
    title: d.title.trim(), description: d.description.trim(), durationMinutes: Number(d.duration),
    priceCents: d.price.trim() ? Math.round(Number(d.price) * 10 ** minorDigits(d.currency)) : 0, currency: d.currency,
    bufferBeforeMinutes: Number(d.before), bufferAfterMinutes: Number(d.after), bookingMode: d.mode, hidden: d.hidden,
    minNoticeMinutes: orNull(d.notice), horizonDays: orNull(d.horizon), maxPerDay: orNull(d.maxPerDay),
    ...(d.location ? { location: { type: d.location, ...(d.address.trim() ? { address: d.address.trim() } : {}) } } : {}),
  };
  return { errors, body };
}

/**
 * Create or edit one service: length, price and currency, buffers, description, place, instant or request, hidden,
 * its own notice and limits (empty = the provider's default), and the free times visitors see next week.
 */
export function ServiceEditor({ id }: { id: string | null }) {
  const app = useApp();
  const t = app.t.value;
  const existing = id ? app.services.value?.find((s) => s.id === id) ?? null : null;
  const draft = useSignal<ServiceDraft>(draftOf(existing));
  const errors = useSignal<ReturnType<typeof checkService>['errors']>({});
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const policy = app.provider.value?.booking ?? {};
  /** Weekly series options of an existing service (their own endpoint); null until loaded. */
  const series = useSignal<SeriesOptions | null>(null);
  useEffect(() => {
    if (existing) api.serviceSeries(app, existing.id).then((o) => (series.value = o), () => {});
  }, [existing?.id]);
  if (id && !existing) return <Empty><p>{t('errNotFound')}</p></Empty>;
  const d = draft.value;
  const set = (patch: Partial<ServiceDraft>) => (draft.value = { ...draft.value, ...patch });
  const err = (k: keyof ServiceDraft, key: Parameters<typeof t>[0]) => (errors.value[k] ? t(key) : null);

  async function save(e: Event) {
    e.preventDefault();
    const checked = checkService(draft.value);
    errors.value = checked.errors;
    if (Object.keys(checked.errors).length) return;
    busy.value = true;
    error.value = null;
    try {
      if (existing) await api.patchService(app, existing.id, checked.body);
      else await api.createService(app, checked.body);
      if (existing && series.value) {
        const { maxOccurrences, maxIntervalWeeks } = series.value;
        await api.serviceSeries(app, existing.id, { maxOccurrences, maxIntervalWeeks });
      }
      app.services.value = await api.services(app);
      navigate(app, '/app/settings/services');
      showFlash(app, t('saved'));
    } catch (err2) {
      error.value = problemText(app, err2);
    } finally {
      busy.value = false;
    }
  }

  const input = (k: keyof ServiceDraft, label: string, message: Parameters<typeof t>[0], extra: Record<string, unknown> = {}, hint?: string) => (
    <Field id={`sv-${k}`} label={label} hint={hint} error={err(k, message)}>
      <input id={`sv-${k}`} value={d[k] as string} aria-invalid={errors.value[k] ? 'true' : undefined}
        aria-describedby={describedBy(`sv-${k}`, !!hint, errors.value[k])} onInput={(e) => set({ [k]: e.currentTarget.value })} {...extra} />
    </Field>
  );
  return (
    <section class="screen narrow">
      <Link href="/app/settings/services" class="back"><span class="back-arrow" aria-hidden="true">←</span> {t('settingsServices')}</Link>
      <ScreenTitle>{existing ? t('editService') : t('newService')}</ScreenTitle>
      <form class="form" onSubmit={save} noValidate>
        {input('title', t('serviceTitle'), 'serviceTitleRequired')}
        <Field id="sv-description" label={t('description')}>
          <textarea id="sv-description" value={d.description} onInput={(e) => set({ description: e.currentTarget.value })} />
        </Field>
        <div class="row">
          {input('duration', t('durationMinutes'), 'durationInvalid', { inputMode: 'numeric', dir: 'ltr' })}
          {input('price', t('price'), 'priceInvalid', { inputMode: 'decimal', dir: 'ltr' }, t('priceHint'))}
          {input('currency', t('currency'), 'currencyInvalid', { dir: 'ltr', maxLength: 3, autocapitalize: 'characters' })}
        </div>
        <div class="row">
          {input('before', t('bufferBefore'), 'minutesInvalid', { inputMode: 'numeric', dir: 'ltr' })}
          {input('after', t('bufferAfter'), 'minutesInvalid', { inputMode: 'numeric', dir: 'ltr' })}
        </div>
        <div class="row">
          <Field id="sv-location" label={t('where')}>
            <select id="sv-location" value={d.location} onChange={(e) => set({ location: e.currentTarget.value as ServiceDraft['location'] })}>
              <option value="">{t('loc_none')}</option>
              {LOCATIONS.map((l) => <option key={l} value={l}>{t(`loc_${l}`)}</option>)}
            </select>
          </Field>
          {d.location === 'in_person' ? (
            <Field id="sv-address" label={t('address')}>
              <input id="sv-address" value={d.address} onInput={(e) => set({ address: e.currentTarget.value })} />
            </Field>
          ) : null}
        </div>
        <fieldset class="choice">
          <legend>{t('svcLimits')}</legend>
          <p class="muted small">{t('svcLimitsHint')}</p>
          <div class="row">
            {input('notice', t('svcNotice'), 'noticeInvalid', { inputMode: 'numeric', dir: 'ltr', placeholder: String(policy.minNoticeMinutes ?? 0) },
              t('svcDefault', { value: String(policy.minNoticeMinutes ?? 0) }))}
            {input('horizon', t('svcHorizon'), 'horizonInvalid', { inputMode: 'numeric', dir: 'ltr', placeholder: String(policy.horizonDays ?? 60) },
              t('svcDefault', { value: String(policy.horizonDays ?? 60) }))}
            {input('maxPerDay', t('svcMaxPerDay'), 'maxPerDayInvalid', { inputMode: 'numeric', dir: 'ltr' },
              t('svcDefault', { value: policy.maxPerDay ? String(policy.maxPerDay) : t('svcNoLimit') }))}
          </div>
        </fieldset>
        <fieldset class="choice">
          <legend>{t('bookingMode')}</legend>
          <label class="toggle"><input type="radio" name="sv-mode" checked={d.mode === 'instant'} onChange={() => set({ mode: 'instant' })} />{t('mode_instant')}</label>
          <label class="toggle"><input type="radio" name="sv-mode" checked={d.mode === 'request'} onChange={() => set({ mode: 'request' })} />{t('mode_request')}</label>
        </fieldset>
        {series.value ? (
          <div class="row">
            <Field id="sv-series" label={t('seriesMax')}>
              <select id="sv-series" value={series.value.maxOccurrences} onChange={(e) => (series.value = { ...series.value!, maxOccurrences: +e.currentTarget.value })}>
                {[0, 2, 4, 6, 8, 10, 12, 16, 20, 26, 52].map((n) => <option key={n} value={n}>{n ? n : t('seriesNone')}</option>)}
              </select>
            </Field>
            <Field id="sv-every" label={t('seriesEvery')}>
              <select id="sv-every" value={series.value.maxIntervalWeeks} onChange={(e) => (series.value = { ...series.value!, maxIntervalWeeks: +e.currentTarget.value })}>
                {[1, 2, 3, 4].map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </Field>
          </div>
        ) : null}
        <label class="toggle">
          <input type="checkbox" checked={d.hidden} onChange={(e) => set({ hidden: e.currentTarget.checked })} />
          {t('hiddenLabel')}
        </label>
        {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
        <button class="primary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>{busy.value ? t('saving') : t('save')}</button>
      </form>
      {existing ? <ServiceReminders serviceId={existing.id} /> : null}
      {existing ? <FreeTimesPreview serviceId={existing.id} /> : null}
    </section>
  );
}

/** The services in page order: move up or down, hide or show, open to edit, add one. */
export function ServiceList() {
  const app = useApp();
  const t = app.t.value;
  const services = app.services.value ?? [];
  const error = useSignal<string | null>(null);
  async function move(i: number, by: number) {
    const ids = services.map((s) => s.id);
    [ids[i], ids[i + by]] = [ids[i + by], ids[i]];
    try {
      app.services.value = await api.orderServices(app, ids);
      app.env.win.document.getElementById(`move-${ids[i + by]}-${by < 0 ? 'up' : 'down'}`)?.focus();
    } catch (e) {
      error.value = problemText(app, e);
    }
  }
  async function toggleHidden(id: string, hidden: boolean) {
    try {
      await api.patchService(app, id, { hidden });
      app.services.value = await api.services(app);
    } catch (e) {
      error.value = problemText(app, e);
    }
  }
  return (
    <section class="screen">
      <Link href="/app/settings" class="back"><span class="back-arrow" aria-hidden="true">←</span> {t('navSettings')}</Link>
      <div class="item-top">
        <ScreenTitle>{t('settingsServices')}</ScreenTitle>
        <Link href="/app/settings/services/new" class="primary small-button">{t('newService')}</Link>
      </div>
      {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
      {services.length === 0 ? <Empty><p>{t('noServicesYet')}</p></Empty> : (
        <ul class="list">
          {services.map((s, i) => (
            <li key={s.id} class="item">
              <span class="item-top">
                <Link href={`/app/settings/services/${s.id}`} class="item-title"><bdi>{s.title}</bdi></Link>
                {s.hidden ? <span class="badge">{t('hidden')}</span> : null}
              </span>
              <span class="muted small">
                {formatDuration(s.durationMinutes, app.locale.value)} · {s.priceCents > 0 ? formatPrice(s.priceCents, s.currency, app.locale.value) : t('paymentFree')}
                {s.bookingMode === 'request' ? ` · ${t('mode_request_short')}` : ''}
              </span>
              <span class="row">
                <button type="button" class="secondary small-button" id={`move-${s.id}-up`} disabled={i === 0} onClick={() => move(i, -1)}>
                  {t('moveUp')}<span class="sr-only"> {s.title}</span>
                </button>
                <button type="button" class="secondary small-button" id={`move-${s.id}-down`} disabled={i === services.length - 1} onClick={() => move(i, 1)}>
                  {t('moveDown')}<span class="sr-only"> {s.title}</span>
                </button>
                <button type="button" class="secondary small-button" onClick={() => toggleHidden(s.id, !s.hidden)}>
                  {t(s.hidden ? 'show' : 'hide')}<span class="sr-only"> {s.title}</span>
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
