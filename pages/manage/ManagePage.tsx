import { creditLine } from '../../contract/credit-line.ts';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MessageKey } from '../../contract/i18n';
import { webUrl } from '../lib/api';
import { formatDateTime, formatPrice, formatTime } from '../lib/format';
import { Calendar } from '../ui/Calendar';
import { Header } from '../ui/Frame';
import { BackButton, StepHeading } from '../ui/heading';
import { Times } from '../ui/Times';
import { When } from '../ui/When';
import { ZoneBar } from '../ui/ZoneBar';
import {
  cancel,
  refresh,
  reschedule,
  returnFromCheckout,
  showView,
  startCancel,
  startReschedule,
  useManage,
  type Flash,
  type ManageApp,
} from './state';

const STATUS: Record<string, MessageKey> = {
  pending: 'statusPending',
  confirmed: 'statusConfirmed',
  cancelled: 'statusCancelled',
  expired: 'statusExpired',
  declined: 'statusDeclined',
  completed: 'statusCompleted',
};
const PAYMENT: Record<string, MessageKey> = {
  paid: 'payPaid',
  pending: 'payPending',
  refunded: 'payRefunded',
  refund_pending: 'payRefundPending',
  failed: 'payFailed',
  expired: 'payExpired',
};

function Notice({ flash }: { flash: Flash }) {
  const { page, state } = useManage();
  const { t, locale } = page;
  const { tz, hour12 } = state;
  const vars = { ...flash.vars };
  if (vars.time) vars.time = formatTime(Date.parse(vars.time), locale, tz.value, hour12.value);
  return (
    <p class={`banner banner-${flash.tone}`} role={flash.tone === 'error' ? 'alert' : 'status'}>
      {t(flash.key, vars)}
    </p>
  );
}

/** Minutes and seconds left on a payment hold, ticking; asks for the booking again when the hold runs out. */
function HoldTimer({ until, onEnd }: { until: string; onEnd: () => void }) {
  const { page, state: store } = useManage();
  const { t, locale } = page;
  const end = Date.parse(until);
  const [now, setNow] = useState(page.now());
  useEffect(() => {
    const id = setInterval(() => {
      const at = page.now();
      setNow(at);
      if (at >= end) {
        clearInterval(id);
        onEnd();
      }
    }, 1000);
    return () => clearInterval(id);
  }, [until]);
  const left = Math.max(0, Math.round((end - now) / 1000));
  const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  const digits = new Intl.NumberFormat(locale, { minimumIntegerDigits: 1 });
  const shown = mmss.replace(/\d+/g, (d) => digits.format(Number(d)).padStart(d.length, digits.format(0)));
  return (
    <div class="hold">
      <p>{t('holdUntil', { time: formatTime(end, locale, store.tz.value, store.hour12.value) })}</p>
      {/* role=timer is not announced on every tick (implicit aria-live off). */}
      <p class="hold-left" role="timer">
        {t('holdLeft', { time: shown })}
      </p>
    </div>
  );
}

/** The location line: a video link, a known kind of call, or the address the provider typed. */
function Where({ manage }: { manage: ManageApp }) {
  const { page, state: store } = useManage();
  const { t } = page;
  const b = manage.state.view.value.booking;
  // A cancelled booking's room is not a place to go.
  const meeting = manage.state.live.value ? webUrl(b.meetingUrl) : null;
  const service = store.provider.value?.services.find((s) => s.slug === b.service);
  let body;
  if (meeting) {
    body = (
      <>
        <a class="primary join" href={meeting} target="_blank" rel="noopener">
          {t('joinVideo')}
        </a>
        <span class="muted small url">{meeting}</span>
      </>
    );
  } else if (b.location === 'Phone call') body = t('locPhone');
  else if (b.location === 'WhatsApp call') body = t('locWhatsapp');
  else if (b.location && b.location !== b.meetingUrl) body = <bdi>{b.location}</bdi>;
  else if (service?.location?.type === 'video' && b.status === 'pending') body = <span class="muted">{t('videoLater')}</span>;
  else return null;
  return (
    <div>
      <dt>{t('where')}</dt>
      <dd>{body}</dd>
    </div>
  );
}

/** The refund deadline frozen when the visitor paid (moving the booking does not move it), while it still matters. */
function RefundTerms({ manage }: { manage: ManageApp }) {
  const { page, state: store } = useManage();
  const { t, locale } = page;
  const { booking: b, policy } = manage.state.view.value;
  const until = b.payment?.status === 'paid' && b.payment.refundUntil ? Date.parse(b.payment.refundUntil) : null;
  if (until === null || !manage.state.live.value) return null;
  const time = formatDateTime(until, locale, store.tz.value, store.hour12.value);
  return <p class="muted refund-terms">{t(policy.refundable ? 'refundOpenUntil' : 'refundClosedSince', { time })}</p>;
}

function CancelPanel({ manage }: { manage: ManageApp }) {
  const { page } = useManage();
  const { t, locale } = page;
  const [reason, setReason] = useState('');
  const { booking: b, policy } = manage.state.view.value;
  const busy = manage.state.busy.value;
  const amount = b.payment ? formatPrice(b.payment.amountCents, b.payment.currency, locale) : '';
  return (
    <section class="step panel" aria-labelledby="cancel-title">
      <StepHeading id="cancel-title">{t('cancelQuestion')}</StepHeading>
      {b.payment?.status === 'paid' ? <p>{policy.refundable ? t('refundYes', { amount }) : t('refundNo')}</p> : null}
      <RefundTerms manage={manage} />
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void cancel(manage, reason);
        }}
      >
        <div class="field">
          <label for="cancel-reason">{t('cancelReason')}</label>
          <textarea
            id="cancel-reason"
            rows={3}
            maxLength={500}
            dir="auto"
            value={reason}
            onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </div>
        {manage.state.flash.value?.tone === 'error' ? <Notice flash={manage.state.flash.value} /> : null}
        <div class="button-row start">
          <button type="submit" class="primary danger" aria-disabled={busy ? 'true' : undefined}>
            {busy ? t('cancelling') : t('cancelConfirm')}
          </button>
          <button type="button" class="secondary" onClick={() => showView(manage, null)}>
            {t('keepBooking')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The last step of rescheduling: the current and the new time side by side, and one button to move. */
function MovePanel({ manage }: { manage: ManageApp }) {
  const { page, state: store } = useManage();
  const { t, locale } = page;
  const b = manage.state.view.value.booking;
  const slot = Date.parse(store.route.value.slot!);
  const tz = store.tz.value;
  const hour12 = store.hour12.value;
  const range = (start: number) =>
    `${formatDateTime(start, locale, tz, hour12)} – ${formatTime(start + b.durationMinutes * 60_000, locale, tz, hour12)}`;
  const busy = manage.state.busy.value;
  return (
    <section class="step panel">
      <BackButton />
      <StepHeading>{t('moveQuestion')}</StepHeading>
      <dl class="when move">
        <div class="was">
          <dt>{t('currentTime')}</dt>
          <dd>
            <s>{range(Date.parse(b.start))}</s>
          </dd>
        </div>
        <div class="summary">
          <dt>{t('newTime')}</dt>
          <dd class="when-time">{range(slot)}</dd>
        </div>
      </dl>
      {manage.state.flash.value ? <Notice flash={manage.state.flash.value} /> : null}
      <button
        type="button"
        class="primary"
        aria-disabled={busy ? 'true' : undefined}
        onClick={() => void reschedule(manage)}
      >
        {busy ? t('moving') : t('moveConfirm')}
      </button>
    </section>
  );
}

function Overview({ manage }: { manage: ManageApp }) {
  const { page, state: store } = useManage();
  const { t, locale } = page;
  const { booking: b, policy, links, credit } = manage.state.view.value;
  const live = manage.state.live.value;
  const providerName = store.provider.value?.name ?? b.providerName;
  const pay = b.payment;
  const google = webUrl(links.google);
  const outlook = webUrl(links.outlook);
  const ics = webUrl(links.ics);
  const whatsapp = webUrl(links.whatsapp);
  const payNow = webUrl(links.payment ?? undefined);
  const again = `/c/${encodeURIComponent(b.provider)}/${encodeURIComponent(b.service)}${page.lang === 'ar' ? '?lang=ar' : ''}`;
  const reasonShown = b.cancelReason && b.cancelReason !== 'checkout cancelled' ? b.cancelReason : null;
  return (
    <section class="step manage">
      <div class="manage-head">
        <StepHeading>{t('manageTitle')}</StepHeading>
        <span class={`badge badge-${b.status}`}>{t(STATUS[b.status] ?? 'statusCancelled')}</span>
      </div>
      {manage.state.flash.value ? <Notice flash={manage.state.flash.value} /> : null}
      <p class="done-what">
        {t('bookedWith', { service: store.provider.value?.services.find((s) => s.slug === b.service)?.title ?? b.serviceTitle, provider: providerName })}
      </p>
      {credit ? <p class="muted">{creditLine(credit, page.lang, b.providerTimezone)}</p> : null}
      <When start={b.start} end={b.end} zone={store.tz.value} providerZone={b.providerTimezone} providerName={providerName} />
      {b.status === 'pending' && b.holdExpiresAt ? (
        <HoldTimer until={b.holdExpiresAt} onEnd={() => void refresh(manage)} />
      ) : null}
      {b.status === 'pending' && payNow ? (
        <p>
          {/* Checkout cannot be framed: leave the widget's iframe for it. */}
          <a class="primary" href={payNow} target="_top">
            {t('payNow')}
          </a>
        </p>
      ) : null}
      {b.status === 'expired' ? <p class="muted">{t('holdReleased')}</p> : null}
      {reasonShown && b.status === 'cancelled' ? <p class="muted">{t('cancelledReason', { reason: reasonShown })}</p> : null}
      <dl class="facts">
        <Where manage={manage} />
        {pay ? (
          <div>
            <dt>{t('payment')}</dt>
            <dd>
              <span class={`pay pay-${pay.status}`}>
                {t(pay.status === 'pending' && !live ? 'payExpired' : (PAYMENT[pay.status] ?? 'payPending'), {
                  amount: formatPrice(pay.amountCents, pay.currency, locale),
                })}
              </span>
              <RefundTerms manage={manage} />
            </dd>
          </div>
        ) : null}
        <div>
          <dt>{t('reference')}</dt>
          <dd class="ref">{b.ref}</dd>
        </div>
      </dl>
      {b.status === 'confirmed' && (google || outlook || ics) ? (
        <div class="add-calendar">
          <p class="label">{t('addToCalendar')}</p>
          <div class="button-row">
            {google ? (
              <a class="secondary" href={google} target="_blank" rel="noopener">
                {t('googleCalendar')}
              </a>
            ) : null}
            {outlook ? (
              <a class="secondary" href={outlook} target="_blank" rel="noopener">
                {t('outlookCalendar')}
              </a>
            ) : null}
            {ics ? (
              <a class="secondary" href={ics} download>
                {t('downloadIcs')}
              </a>
            ) : null}
          </div>
        </div>
      ) : null}
      {whatsapp && live ? (
        <a class="primary whatsapp" href={whatsapp} target="_blank" rel="noopener">
          {t('whatsapp', { name: providerName })}
        </a>
      ) : null}
      {live ? (
        <div class="actions">
          {policy.canReschedule && store.service.value ? (
            <button type="button" class="secondary" onClick={() => startReschedule(manage)}>
              {t('changeTime')}
            </button>
          ) : null}
          {policy.canCancel ? (
            <button type="button" class="secondary danger-text" onClick={() => startCancel(manage)}>
              {t('cancelBooking')}
            </button>
          ) : null}
          {!policy.canCancel ? <p class="muted">{t('tooLateCancel', { name: providerName })}</p> : null}
          {policy.canCancel && !policy.canReschedule && b.status === 'confirmed' ? (
            <p class="muted">{t('tooLateChange', { name: providerName })}</p>
          ) : null}
        </div>
      ) : (
        <a class="primary again" href={again}>
          {t('bookAgain')}
        </a>
      )}
    </section>
  );
}

/** The visitor's booking behind its secret link: see it, add it to a calendar, cancel or move it. */
export function ManagePage({ manage }: { manage: ManageApp }) {
  const { page, state: store } = useManage();
  const mode = manage.state.mode.value;
  const step = store.stage.value;
  const first = useRef(true);
  useEffect(() => {
    if (!first.current) return;
    first.current = false;
    void returnFromCheckout(manage, new URLSearchParams(page.win.location.search).get('payment'));
  }, []);

  let body;
  if (mode === 'cancel') body = <CancelPanel manage={manage} />;
  else if (mode === 'reschedule' && store.provider.value && store.service.value) {
    body =
      step === 'slot' ? (
        <MovePanel key={store.route.value.slot} manage={manage} />
      ) : step === 'times' ? (
        <Times key={`${store.date.value}`} />
      ) : (
        <div class="pick">
          <Calendar asStep />
          <p class="pick-hint muted">{page.t('pickDayHint')}</p>
        </div>
      );
    // Which booking is being moved stays in sight while the visitor looks for a new time.
    if (step !== 'slot') {
      const b = manage.state.view.value.booking;
      const { locale } = page;
      body = (
        <>
          <p class="moving muted">
            {page.t('currentTime')}: {formatDateTime(Date.parse(b.start), locale, store.tz.value, store.hour12.value)}
          </p>
          {body}
        </>
      );
    }
  } else body = <Overview manage={manage} />;

  return (
    <>
      {store.provider.value ? (
        <Header showService />
      ) : (
        <header class="header">
          <h1 class="provider-name">
            <bdi>{manage.state.view.value.booking.providerName}</bdi>
          </h1>
        </header>
      )}
      <main class="main">{body}</main>
      {mode === 'reschedule' ? <ZoneBar /> : null}
    </>
  );
}
