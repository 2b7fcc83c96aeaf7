import type { Signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { formatDateTime, formatTime, serviceMeta, zoneName } from '../../lib/format';
import { BackButton, StepHeading } from '../../ui/heading';
import { go, monthSlots } from '../../ui/picker';
import { sendRequest, submit, useBooking, type Field } from '../state';
import { Repeat } from './Repeat';

/** Step 4: the visitor's details. Typed values live in the store, so a 409 or Back never loses them. */
export function Details() {
  const app = useBooking();
  const store = app.state;
  const { t, locale } = app.page;
  const slot = store.route.value.slot!;
  const service = store.service.value!;
  const provider = store.provider.value!;
  const tz = store.tz.value;
  const start = Date.parse(slot);
  const end = start + service.durationMinutes * 60_000;
  const errors = store.fieldErrors.value;
  const sending = store.sending.value;
  const date = store.date.value!;
  const state = monthSlots(app, date.slice(0, 7)).value;

  // A preselected slot (share link, Back after booking) that is no longer free sends the visitor to the day's times.
  useEffect(() => {
    if (state.status !== 'ready') return;
    const free = state.days.get(date)?.some((s) => Date.parse(s.start) === start);
    if (!free) {
      store.notice.value = 'slotGone';
      go(app, { slot: null, date }, { replace: true, keepNotice: true });
    }
  }, [state, slot]);

  const input = (field: Field, type: string, autocomplete: string, extra: Record<string, unknown> = {}) => {
    const value: Signal<string> = store.draft[field];
    const error = errors[field];
    const id = `field-${field}`;
    const described = [error ? `${id}-error` : '', field === 'email' || field === 'phone' ? 'contact-hint' : '']
      .filter(Boolean)
      .join(' ');
    const Tag = field === 'notes' ? 'textarea' : 'input';
    return (
      <div class={`field${error ? ' invalid' : ''}`}>
        <label for={id}>{field === 'notes' ? t('notes') : t(field)}</label>
        <Tag
          id={id}
          name={field}
          type={field === 'notes' ? undefined : (type as 'text')}
          autoComplete={autocomplete}
          value={value.value}
          onInput={(e: Event) => {
            value.value = (e.currentTarget as HTMLInputElement).value;
          }}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={described || undefined}
          dir={field === 'email' || field === 'phone' ? 'ltr' : 'auto'}
          {...extra}
        />
        {error ? (
          <p class="field-error" id={`${id}-error`}>
            {error}
          </p>
        ) : null}
      </div>
    );
  };

  const request = store.requestMode.value;
  const requestUrl = store.requestUrl.value;
  useEffect(() => {
    store.requestUrl.value = null;
  }, [slot]);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    await (request ? sendRequest(app) : submit(app));
    const form = e.target as HTMLFormElement;
    // After a refused submit, put the keyboard on the first field to fix.
    if (form.isConnected) form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  };

  return (
    <section class="step details">
      <BackButton />
      <StepHeading>{request ? t('requestTitle') : t('yourDetails')}</StepHeading>
      <div class="details-body">
        <div class="summary">
          <p class="summary-service">
            <bdi>{service.title}</bdi>
          </p>
          <p class="summary-when">
            {formatDateTime(start, locale, tz, store.hour12.value)}
            {' – '}
            {formatTime(end, locale, tz, store.hour12.value)}
          </p>
          <p class="muted small">{zoneName(tz, locale, start)}</p>
          <p class="muted">{serviceMeta(service, locale, t('free'))}</p>
        </div>
        <form class="form" noValidate onSubmit={onSubmit}>
          {request ? <p>{t('requestHint', { name: provider.personName || provider.name })}</p> : null}
          {input('name', 'text', 'name', { required: true, 'aria-required': 'true', maxLength: 200 })}
          {request ? null : (
            <>
              {input('email', 'email', 'email', { inputMode: 'email', maxLength: 254 })}
              {input('phone', 'tel', 'tel', { inputMode: 'tel', maxLength: 26 })}
              <p class="hint" id="contact-hint">
                {t('contactHint', { name: provider.personName || provider.name })}
              </p>
              {input('notes', '', 'off', { rows: 3, maxLength: 2000 })}
            </>
          )}
          {service.series && !request ? <Repeat slot={slot} /> : null}
          {store.formError.value ? (
            <p class="alert" role="alert">
              {store.formError.value}
            </p>
          ) : null}
          {request ? (
            <button type="submit" class="primary whatsapp" aria-disabled={sending ? 'true' : undefined}>
              {t('continueWhatsapp')}
            </button>
          ) : (
            <button type="submit" class="primary" aria-disabled={sending ? 'true' : undefined}>
              {sending ? t('sending') : service.priceCents > 0 && !/[?&]wallet=/.test(app.page.win.location.search) ? t('confirmPay') : t('confirm')}
            </button>
          )}
          {request && requestUrl ? (
            <p class="muted small">
              {t('requestOpen')}{' '}
              <a href={requestUrl} target="_blank" rel="noopener">
                {t('openWhatsapp')}
              </a>
            </p>
          ) : null}
        </form>
      </div>
    </section>
  );
}
