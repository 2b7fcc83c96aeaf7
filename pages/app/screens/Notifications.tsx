import { useSignal } from '@preact/signals';
import type { NotificationSettings as Settings, OutboxMessage } from '../../../contract/app-api';
import type { AppKey } from '../../../contract/i18n/app';
import { appEn } from '../../../contract/i18n/app-en';
import { webUrl } from '../../lib/api';
import { formatDate, formatTime, uses12Hour } from '../../lib/format';
import { addDays, dateInZone, isDate } from '../../lib/time';
import { api } from '../api';
import { Empty, Field, Link, ScreenTitle, Show, useLoad, whenText } from '../parts';
import { navigate, useApp, type AppState } from '../state';
import { StatusBadge } from './Bookings';
import { Back, patch } from './Settings';

/**
 * What the server tells clients and the provider (issue 13), seen from the app: the messages sent or kept
 * (`GET …/outbox`), the day's clients with one-tap WhatsApp reminders (`GET …/agenda`), and the notification
 * settings (`settings.notifications`, saved with `PATCH` of the provider).
 */

const STATUS_BADGE: Record<OutboxMessage['status'], string> = {
  sent: 'badge badge-confirmed', kept: 'badge badge-pending', queued: 'badge', failed: 'badge badge-cancelled', skipped: 'badge',
};

/** The kind of a message in plain words ("Booking confirmation to the client"); unknown kinds read "Message". */
export function kindText(app: AppState, kind: string): string {
  const key = `kind_${kind}`;
  return app.t.value(key in appEn ? (key as AppKey) : 'kindOther');
}

/** The ready-to-forward offer of a cancelled booking's time (server/notify/send.ts FREED_TIME_KIND). */
const FREED_TIME = 'provider.freed-time';

function MessageItem({ m }: { m: OutboxMessage }) {
  const app = useApp();
  const t = app.t.value;
  const open = useSignal(false);
  const textId = `msg-${m.id}-text`;
  // The offer of a cancelled booking's time is never emailed: its text is the message to forward, shown as it is.
  const freed = m.kind === FREED_TIME;
  return (
    <li class="item">
      <span class="item-top">
        <span class="item-title">{kindText(app, m.kind)}</span>
        {freed ? null : <span class={STATUS_BADGE[m.status] ?? 'badge'}>{t(`msgStatus_${m.status}` as AppKey)}</span>}
      </span>
      <span class="muted small">
        {whenText(app, m.createdAt)}{freed ? '' : ' · '}{m.channel === 'whatsapp' ? `${t('msgWhatsapp')} · ` : ''}
        {m.recipient ? <bdi dir="ltr">{t('msgTo', { to: m.recipient })}</bdi> : freed ? null : t('msgNoRecipient')}
      </span>
      {m.subject ? <span><bdi>{m.subject}</bdi></span> : null}
      {m.status === 'failed' && m.lastError ? <span class="small field-error">{t('msgFailedError', { error: m.lastError })}</span> : null}
      {m.status === 'skipped' ? <span class="small muted">{m.lastError ? t('msgSkippedWhy', { error: m.lastError }) : t('msgSkippedStale')}</span> : null}
      {freed ? <span class="small muted">{t('msgFreedReady')}</span> : null}
      {freed && m.text ? <div class="msg-text" dir="auto" lang={m.lang ?? undefined}>{m.text}</div> : null}
      <span class="row">
        {freed && m.text ? (
          <a class="primary small-button whatsapp" href={`https://wa.me/?text=${encodeURIComponent(m.text)}`} target="_blank" rel="noopener">{t('msgOfferWhatsapp')}</a>
        ) : null}
        {m.text && !freed ? (
          <button type="button" class="link-button" aria-expanded={open.value} aria-controls={textId} onClick={() => (open.value = !open.value)}>
            {t(open.value ? 'msgHide' : 'msgRead')}
          </button>
        ) : null}
        {m.bookingId ? <Link href={`/app/bookings/${m.bookingId}`}>{t('msgOpenBooking')}</Link> : null}
      </span>
      {m.text && open.value ? <div class="msg-text" id={textId} dir="auto" lang={m.lang ?? undefined}>{m.text}</div> : null}
    </li>
  );
}

/** Every message the server sent or kept, newest first; a kept one can be read, with how to make mail go out. */
export function Messages() {
  const app = useApp();
  const t = app.t.value;
  const loaded = useLoad(() => api.outbox(app), []);
  return (
    <section class="screen">
      <Back />
      <ScreenTitle>{t('settingsMessages')}</ScreenTitle>
      <p class="muted">{t('messagesIntro')}</p>
      <Show loaded={loaded}>
        {(messages) => messages.length === 0 ? <Empty>{t('messagesEmpty')}</Empty> : (
          <>
            {messages.some((m) => m.status === 'kept' && m.kind !== FREED_TIME) ? <p class="banner banner-info msg-hint">{t('msgKeptHint')}</p> : null}
            <ul class="list">{messages.map((m) => <MessageItem m={m} key={m.id} />)}</ul>
          </>
        )}
      </Show>
    </section>
  );
}

/** Tomorrow in the provider's zone, by the app's clock. */
export const tomorrow = (app: AppState) => addDays(dateInZone(app.now(), app.zone.value), 1);

/** One day's clients (default tomorrow) with time, service and "Remind on WhatsApp"; the day is in the URL. */
export function Agenda() {
  const app = useApp();
  const t = app.t.value;
  const asked = app.route.value.query.get('date');
  const next = tomorrow(app);
  const date = isDate(asked) ? asked : next;
  const loaded = useLoad(() => api.agenda(app, date), [date]);
  const locale = app.locale.value;
  const h12 = uses12Hour(locale);
  const zone = app.zone.value;
  return (
    <section class="screen">
      <Link href="/app" class="back"><span class="back-arrow" aria-hidden="true">←</span> {t('backToBookings')}</Link>
      <ScreenTitle>{t('agendaTitle')}</ScreenTitle>
      <div class="row">
        <Field id="agenda-date" label={t('agendaDay')}>
          <input id="agenda-date" type="date" value={date} onChange={(e) => {
            const value = e.currentTarget.value;
            if (isDate(value)) navigate(app, `/app/agenda?date=${value}`, true);
          }} />
        </Field>
        {date !== next ? <button type="button" class="secondary small-button" onClick={() => navigate(app, `/app/agenda?date=${next}`, true)}>{t('agendaTomorrow')}</button> : null}
      </div>
      <p class="muted">{t('agendaIntro', { date: formatDate(date, locale) })}</p>
      <Show loaded={loaded}>
        {(agenda) => agenda.items.length === 0 ? <Empty>{t('agendaEmpty')}</Empty> : (
          <ul class="list">
            {agenda.items.map((item) => {
              const wa = webUrl(item.whatsappUrl);
              return (
                <li class="item" key={item.bookingId}>
                  <span class="item-top">
                    <span class="item-title">
                      {formatTime(Date.parse(item.start), locale, zone, h12)} – {formatTime(Date.parse(item.end), locale, zone, h12)}
                    </span>
                    <StatusBadge booking={{ status: item.status as 'confirmed', awaitingApproval: item.awaitingApproval }} />
                  </span>
                  <Link href={`/app/bookings/${item.bookingId}`}><bdi>{item.name}</bdi></Link>
                  <span class="muted small"><bdi>{item.service}</bdi></span>
                  {wa ? (
                    <a class="primary small-button whatsapp" href={wa} target="_blank" rel="noopener">{t('remindWhatsapp')}</a>
                  ) : <span class="muted small">{t('agendaNoPhone')}</span>}
                </li>
              );
            })}
          </ul>
        )}
      </Show>
      <Link href="/app/settings/messages">{t('agendaMessages')}</Link>
    </section>
  );
}

/** The reminder choices offered, plus any other offsets already stored (so saving never drops them). */
export function reminderChoices(current: number[] | undefined): number[] {
  return [...new Set([1440, 120, 60, ...(current ?? [])])].sort((a, b) => b - a);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reminder offsets, the daily agenda hour, provider emails on/off, their address and language. The whole
 * `notifications` section is sent (PATCH replaces a section), starting from what is stored.
 */
export function NotificationSettings() {
  const app = useApp();
  const t = app.t.value;
  const current: Settings = app.provider.value?.notifications ?? {};
  const reminders = useSignal<number[]>(current.reminders ?? [1440, 120]);
  const hour = useSignal(current.agendaHour === undefined ? '' : String(current.agendaHour));
  const providerEmails = useSignal(current.providerEmails !== false);
  const email = useSignal(current.email ?? '');
  const lang = useSignal<'en' | 'ar'>(current.lang ?? app.lang.value);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const locale = app.locale.value;
  const h12 = uses12Hour(locale);
  const label = (n: number) => (n % 60 === 0 ? t('hoursBefore', { n: n / 60 }) : t('minutesBefore', { n }));
  return (
    <section class="screen narrow">
      <Back />
      <ScreenTitle>{t('settingsNotifications')}</ScreenTitle>
      <form class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        const address = email.value.trim();
        if (address && !EMAIL.test(address)) return void (error.value = t('emailInvalid'));
        const notifications: Settings = {
          reminders: [...reminders.value].sort((a, b) => b - a),
          providerEmails: providerEmails.value,
          lang: lang.value,
          ...(address ? { email: address } : {}),
          ...(hour.value !== '' ? { agendaHour: Number(hour.value) } : {}),
        };
        void patch(app, { notifications }, error, busy);
      }}>
        <fieldset class="choice">
          <legend>{t('notifReminders')}</legend>
          {reminderChoices(current.reminders).map((n) => (
            <label class="toggle" key={n}>
              <input type="checkbox" checked={reminders.value.includes(n)} onChange={(e) => {
                reminders.value = e.currentTarget.checked ? [...reminders.value, n] : reminders.value.filter((x) => x !== n);
              }} />
              {label(n)}
            </label>
          ))}
          <p class="muted small">{t('notifRemindersHint')}</p>
        </fieldset>
        <Field id="notif-hour" label={t('notifAgenda')}>
          <select id="notif-hour" value={hour.value} onChange={(e) => (hour.value = e.currentTarget.value)}>
            <option value="">{t('notifAgendaOff')}</option>
            {Array.from({ length: 24 }, (_, h) => (
              <option value={String(h)} key={h}>{formatTime(Date.UTC(2026, 0, 1, h), locale, 'UTC', h12)}</option>
            ))}
          </select>
        </Field>
        <label class="toggle">
          <input type="checkbox" checked={providerEmails.value} onChange={(e) => (providerEmails.value = e.currentTarget.checked)} />
          {t('notifProviderEmails')}
        </label>
        <Field id="notif-email" label={t('notifEmail')} hint={t('notifEmailHint', { email: app.me.value?.user.email ?? '' })}>
          <input id="notif-email" type="email" dir="ltr" autoComplete="email" value={email.value} aria-describedby="notif-email-hint"
            onInput={(e) => (email.value = e.currentTarget.value)} />
        </Field>
        <Field id="notif-lang" label={t('notifLang')}>
          <select id="notif-lang" value={lang.value} onChange={(e) => (lang.value = e.currentTarget.value === 'ar' ? 'ar' : 'en')}>
            <option value="en" lang="en">English</option>
            <option value="ar" lang="ar">العربية</option>
          </select>
        </Field>
        {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
        <button class="primary" type="submit" aria-disabled={busy.value ? 'true' : undefined}>{t('save')}</button>
      </form>
    </section>
  );
}
