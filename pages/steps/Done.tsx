import { webUrl } from '../api';
import { StepHeading } from '../heading';
import { useStore } from '../store';
import { When } from '../when';

function icsText(value: string): string {
  return value.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

function icsInstant(iso: string): string {
  return new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * An `.ics` file for the booking as a `data:` URL (RFC 5545 §3.6.1), used when the server does not link one.
 * @example icsDataUrl({ id: 'b1', start, end, title: 'Intro call', url: manageUrl }, Date.now())
 */
export function icsDataUrl(e: { id: string; start: string; end: string; title: string; url: string }, now: number) {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Slotline//Booking page//EN',
    'BEGIN:VEVENT',
    `UID:${e.id}@slotline`,
    `DTSTAMP:${icsInstant(new Date(now).toISOString())}`,
    `DTSTART:${icsInstant(e.start)}`,
    `DTEND:${icsInstant(e.end)}`,
    `SUMMARY:${icsText(e.title)}`,
    `DESCRIPTION:${icsText(e.url)}`,
    `URL:${e.url}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `data:text/calendar;charset=utf-8,${encodeURIComponent(lines.join('\r\n'))}`;
}

/** A Google Calendar "add event" link (the documented `render?action=TEMPLATE` form). */
export function googleCalendarUrl(e: { start: string; end: string; title: string; url: string }): string {
  const q = new URLSearchParams({
    action: 'TEMPLATE',
    text: e.title,
    dates: `${icsInstant(e.start)}/${icsInstant(e.end)}`,
    details: e.url,
  });
  return `https://calendar.google.com/calendar/render?${q}`;
}

/** Step 5: the confirmation, in the visitor's and the provider's zones, with what to do next. */
export function Done() {
  const store = useStore();
  const { t } = store;
  const res = store.booking.value!;
  const b = res.booking;
  const provider = store.provider.value!;
  const service = provider.services.find((s) => s.slug === b.service) ?? store.service.value;
  const visitorZone = store.tz.value;
  const next = res.next ?? { type: 'confirmed' as const };
  const title = t('bookedWith', { service: service?.title ?? b.service, provider: provider.name });
  const newTab = store.embedded ? { target: '_blank', rel: 'noopener' } : {};
  const heading = next.type === 'payment' ? t('bookedPending') : next.type === 'whatsapp' ? t('bookedWhatsapp') : t('booked');
  const manageUrl = webUrl(res.manageUrl);
  const nextUrl = next.type === 'confirmed' ? null : webUrl(next.url);
  // WhatsApp is either the way to finish (next) or, for a confirmed booking, a prepared note to the provider.
  const whatsappUrl = next.type === 'whatsapp' ? nextUrl : next.type === 'confirmed' ? webUrl(res.whatsappUrl) : null;
  const event = { id: b.id, start: b.start, end: b.end, title: title.replace(/[\u2068\u2069]/g, ''), url: manageUrl ?? '' };
  const ics = webUrl(res.icsUrl ?? res.calendarLinks?.ics) ?? icsDataUrl(event, store.now());
  const google = webUrl(res.calendarLinks?.google) ?? googleCalendarUrl(event);

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
            <a class="secondary" href={ics} download="booking.ics">
              {t('downloadIcs')}
            </a>
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
        onClick={() => store.go({ booked: null, slot: null, date: null, month: null })}
      >
        {t('bookAnother')}
      </button>
    </section>
  );
}
