import { googleCalendarUrl } from '../../../contract/calendar-links';
import { webUrl } from '../../lib/api';
import { StepHeading } from '../../ui/heading';
import { go } from '../../ui/picker';
import { When } from '../../ui/When';
import { useBooking } from '../state';

/** Step 5: the confirmation, in the visitor's and the provider's zones, with what to do next. */
export function Done() {
  const app = useBooking();
  const { state } = app;
  const { t } = app.page;
  const res = state.booking.value!;
  const b = res.booking;
  const provider = state.provider.value!;
  const service = provider.services.find((s) => s.slug === b.service) ?? state.service.value;
  const visitorZone = state.tz.value;
  const next = res.next ?? { type: 'confirmed' as const };
  const title = t('bookedWith', { service: service?.title ?? b.service, provider: provider.name });
  const newTab = app.page.embedded ? { target: '_blank', rel: 'noopener' } : {};
  const heading = next.type === 'payment' ? t('bookedPending') : t('booked');
  const manageUrl = webUrl(res.manageUrl);
  const nextUrl = next.type === 'payment' ? webUrl(next.url) : null;
  // For a confirmed booking, a prepared note to the provider.
  const whatsappUrl = next.type === 'confirmed' ? webUrl(res.whatsappUrl) : null;
  // The file is the server's (one iCalendar writer); the Google link comes from the contract's one builder.
  const ics = webUrl(res.icsUrl);
  const google = googleCalendarUrl({
    start: b.start,
    end: b.end,
    title: title.replace(/[\u2068\u2069]/g, ''),
    description: manageUrl ?? '',
  });

  return (
    <section class="step done">
      <div class="done-mark" aria-hidden="true" />
      <StepHeading>{heading}</StepHeading>
      <p class="done-what">{title}</p>
      <When start={b.start} end={b.end} zone={visitorZone} providerZone={provider.timezone} providerName={provider.name} />
      {next.type === 'payment' && nextUrl ? (
        <div class="next">
          <p class="muted" role="status">
            {t('paymentRedirect')}
          </p>
          <a class="primary" href={nextUrl} target="_top">
            {t('payNow')}
          </a>
        </div>
      ) : null}
      {whatsappUrl ? (
        <div class="next">
          <p>{t('whatsappHint', { name: provider.name })}</p>
          <a class="primary whatsapp" href={whatsappUrl} target="_blank" rel="noopener">
            {t('whatsapp', { name: provider.name })}
          </a>
        </div>
      ) : null}
      {next.type !== 'payment' ? (
        <div class="add-calendar">
          <p class="label">{t('addToCalendar')}</p>
          <div class="button-row">
            <a class="secondary" href={google} target="_blank" rel="noopener">
              {t('googleCalendar')}
            </a>
            {ics ? (
              <a class="secondary" href={ics} download="booking.ics">
                {t('downloadIcs')}
              </a>
            ) : null}
          </div>
        </div>
      ) : null}
      {manageUrl ? (
        <p class="manage">
          <a href={manageUrl} {...newTab}>
            {t('manage')}
          </a>
        </p>
      ) : null}
      <button
        type="button"
        class="link-button"
        onClick={() => go(app, { booked: null, slot: null, date: null, month: null })}
      >
        {t('bookAnother')}
      </button>
    </section>
  );
}
