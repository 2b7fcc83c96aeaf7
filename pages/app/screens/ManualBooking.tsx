import { useSignal } from '@preact/signals';
import { dateInZone } from '../../lib/time';
import { api } from '../api';
import { describedBy, Field, Link, problemText, ScreenTitle } from '../parts';
import { navigate, showFlash, useApp } from '../state';
import { instantAt, DateTime } from './BookingDetails';
import { e164 } from './Onboarding';

/**
 * A booking added by hand, for a client who asked on WhatsApp or by phone: it goes through the same
 * conflict-checked function as the public page (a taken time is refused), and within the hours the page offers
 * unless "Book outside my hours" is ticked. The client gets a manage link to pass on.
 */
export function ManualBooking() {
  const app = useApp();
  const t = app.t.value;
  const services = (app.services.value ?? []).filter((s) => !s.hidden);
  const serviceId = useSignal(services[0]?.id ?? '');
  const date = useSignal(dateInZone(app.now(), app.zone.value));
  const time = useSignal('');
  const name = useSignal('');
  const email = useSignal('');
  const phone = useSignal('');
  const notes = useSignal('');
  const outside = useSignal(false);
  const errors = useSignal<{ name?: string; contact?: string; when?: string }>({});
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);

  async function submit(e: Event) {
    e.preventDefault();
    const errs: typeof errors.value = {};
    if (!name.value.trim()) errs.name = t('nameRequired');
    if (!email.value.trim() && !phone.value.trim()) errs.contact = t('contactRequired');
    else if (phone.value.trim() && !e164(phone.value)) errs.contact = t('phoneInvalid');
    if (!date.value || !time.value) errs.when = t('pickDateTime');
    errors.value = errs;
    if (Object.keys(errs).length) return;
    busy.value = true;
    error.value = null;
    try {
      const { booking, manageUrl } = await api.addBooking(app, {
        serviceId: serviceId.value,
        start: new Date(instantAt(date.value, time.value, app.zone.value)).toISOString(),
        name: name.value.trim(),
        ...(email.value.trim() ? { email: email.value.trim() } : {}),
        ...(phone.value.trim() ? { phone: e164(phone.value)! } : {}),
        ...(notes.value.trim() ? { notes: notes.value.trim() } : {}),
        ...(outside.value ? { outsideHours: true } : {}),
      });
      navigate(app, `/app/bookings/${booking.id}`, true);
      showFlash(app, t('manualBooked', { link: manageUrl }));
    } catch (err) {
      error.value = problemText(app, err);
    } finally {
      busy.value = false;
    }
  }

  if (!services.length) {
    return (
      <section class="screen">
        <ScreenTitle>{t('addBooking')}</ScreenTitle>
        <p>{t('noServicesYet')}</p>
        <Link href="/app/settings/services">{t('settingsServices')}</Link>
      </section>
    );
  }
  return (
    <section class="screen narrow">
      <Link href="/app" class="back"><span class="back-arrow" aria-hidden="true">←</span> {t('backToBookings')}</Link>
      <ScreenTitle>{t('addBooking')}</ScreenTitle>
      <form class="form" onSubmit={submit} noValidate>
        <Field id="mb-service" label={t('service')}>
          <select id="mb-service" value={serviceId.value} onChange={(e) => (serviceId.value = e.currentTarget.value)}>
            {services.map((s) => <option key={s.id} value={s.id}>{s.title}</option>)}
          </select>
        </Field>
        <DateTime idPrefix="mb" date={date} time={time} />
        {errors.value.when ? <p class="field-error">{errors.value.when}</p> : null}
        <label class="toggle">
          <input type="checkbox" checked={outside.value} onChange={(e) => (outside.value = e.currentTarget.checked)} />
          {t('outsideHours')}
        </label>
        <Field id="mb-name" label={t('clientName')} error={errors.value.name}>
          <input id="mb-name" value={name.value} aria-invalid={errors.value.name ? 'true' : undefined}
            aria-describedby={describedBy('mb-name', false, errors.value.name)} onInput={(e) => (name.value = e.currentTarget.value)} />
        </Field>
        <Field id="mb-phone" label={t('phone')} hint={t('contactHint')} error={errors.value.contact}>
          <input id="mb-phone" type="tel" dir="ltr" value={phone.value} aria-invalid={errors.value.contact ? 'true' : undefined}
            aria-describedby={describedBy('mb-phone', true, errors.value.contact)} onInput={(e) => (phone.value = e.currentTarget.value)} />
        </Field>
        <Field id="mb-email" label={t('emailLabel')}>
          <input id="mb-email" type="email" dir="ltr" value={email.value} onInput={(e) => (email.value = e.currentTarget.value)} />
        </Field>
        <Field id="mb-notes" label={t('notesOptional')}>
          <textarea id="mb-notes" value={notes.value} onInput={(e) => (notes.value = e.currentTarget.value)} />
        </Field>
        {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
        <button type="submit" class="primary" aria-disabled={busy.value ? 'true' : undefined}>{busy.value ? t('saving') : t('bookIt')}</button>
      </form>
    </section>
  );
}
