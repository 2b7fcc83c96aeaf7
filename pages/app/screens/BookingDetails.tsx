import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { BookingDetails as Details } from '../../../contract/app-api';
import { formatPrice } from '../../lib/format';
import { dateInZone, zoneOffset } from '../../lib/time';
import { api, ApiError, problemKind } from '../api';
import { webUrl } from '../../lib/api';
import { Field, Link, problemText, ScreenTitle, Show, useLoad, whenText } from '../parts';
import { showFlash, useApp, type AppState } from '../state';
import { StatusBadge } from './Bookings';

/** The instant a wall-clock date and time happen in a zone. @example instantAt('2026-03-02', '09:30', 'Asia/Dubai') */
export function instantAt(date: string, time: string, zone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const [h, min] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, h, min);
  let instant = wall - zoneOffset(wall, zone);
  instant = wall - zoneOffset(instant, zone);
  return instant;
}

/** "HH:MM" of an instant in a zone. */
export function timeIn(instant: number, zone: string): string {
  const local = instant + zoneOffset(instant, zone);
  return new Date(local).toISOString().slice(11, 16);
}

/** Date and time inputs in the provider's zone (the server checks the time against hours and other bookings). */
export function DateTime({ idPrefix, date, time }: { idPrefix: string; date: { value: string }; time: { value: string } }) {
  const app = useApp();
  const t = app.t.value;
  return (
    <div class="row">
      <Field id={`${idPrefix}-date`} label={t('date')}>
        <input id={`${idPrefix}-date`} type="date" required value={date.value} onInput={(e) => (date.value = e.currentTarget.value)} />
      </Field>
      <Field id={`${idPrefix}-time`} label={t('timeIn', { zone: app.zone.value })}>
        <input id={`${idPrefix}-time`} type="time" step={300} required value={time.value} onInput={(e) => (time.value = e.currentTarget.value)} />
      </Field>
    </div>
  );
}

function paymentText(app: AppState, b: Details): string {
  const t = app.t.value;
  if (!b.payment) return (b.priceCents ?? 0) > 0 ? t('paymentNone') : t('paymentFree');
  const amount = formatPrice(b.payment.amountCents, b.payment.currency, app.locale.value);
  const key = { refunded: 'paymentRefunded', refund_pending: 'paymentRefundPending', paid: 'paymentPaid' }[b.payment.status] ?? 'paymentOther';
  return t(key as 'paymentOther', { amount, status: b.payment.status });
}

type Mode = 'view' | 'approve' | 'cancel' | 'decline' | 'reschedule' | 'seriesLater';

/**
 * One booking: when, who (with one-tap WhatsApp, email and phone), notes, payment, place; and what the provider
 * can do now (the server says which in `actions`): approve or decline a request, cancel (showing the refund the
 * policy gives, with the choice to differ), move it on the client's behalf, mark completed or no-show.
 */
export function BookingDetails({ id }: { id: string }) {
  const app = useApp();
  const t = app.t.value;
  const mode = useSignal<Mode>('view');
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const reason = useSignal('');
  const refund = useSignal(true);
  const date = useSignal('');
  const time = useSignal('');
  const outside = useSignal(false);
  const loaded = useLoad(() => api.booking(app, id), [id]);
  // The provider's emails link here with `?action=approve|decline`: once the booking is there, that action's
  // confirmation is ready (only when it still applies; otherwise the booking shows as it is now).
  const asked = useRef(app.route.value.query.get('action'));
  useEffect(() => {
    const b = loaded.data.value;
    const action = asked.current;
    if (!b || !action) return;
    asked.current = null;
    if (action === 'approve' && b.actions.approve) mode.value = 'approve';
    if (action === 'decline' && b.actions.decline) mode.value = 'decline';
  }, [loaded.data.value]);

  async function act(action: Parameters<typeof api.act>[2], body: object, done: (b: Details) => string) {
    busy.value = true;
    error.value = null;
    try {
      const b = await api.act(app, id, action, body);
      loaded.data.value = b;
      mode.value = 'view';
      reason.value = '';
      showFlash(app, done(b));
    } catch (err) {
      error.value = problemText(app, err);
      if (err instanceof ApiError && problemKind(err.problem) === 'slot-unavailable') outside.value = outside.value;
    } finally {
      busy.value = false;
    }
  }

  return (
    <section class="screen">
      <Link href="/app" class="back"><span class="back-arrow" aria-hidden="true">←</span> {t('backToBookings')}</Link>
      <Show loaded={loaded}>
        {(b) => {
          const wa = webUrl(b.whatsappUrl);
          const paid = b.payment?.status === 'paid';
          return (
            <>
              <div class="manage-head">
                <ScreenTitle><bdi>{b.erased ? t('erasedClient') : b.name}</bdi></ScreenTitle>
                <StatusBadge booking={b} />
              </div>
              <dl class="facts">
                <div><dt>{t('when')}</dt><dd>{whenText(app, b.start, b.end)}</dd></div>
                <div><dt>{t('service')}</dt><dd><bdi>{b.service?.title}</bdi></dd></div>
                {b.email ? <div><dt>{t('emailLabel')}</dt><dd><a href={`mailto:${b.email}`} dir="ltr">{b.email}</a></dd></div> : null}
                {b.phone ? <div><dt>{t('phone')}</dt><dd><a href={`tel:${b.phone}`} dir="ltr">{b.phone}</a></dd></div> : null}
                {b.notes ? <div><dt>{t('clientNotesOnBooking')}</dt><dd class="pre">{b.notes}</dd></div> : null}
                <div><dt>{t('payment')}</dt><dd>{paymentText(app, b)}</dd></div>
                {b.locationLine ? <div><dt>{t('place')}</dt><dd>{b.locationLine}</dd></div> : null}
                {b.series ? <div><dt>{t('seriesLabel')}</dt><dd>{t('seriesOf', { index: b.series.index, count: b.series.occurrences })}</dd></div> : null}
                {b.cancelReason ? <div><dt>{t('reason')}</dt><dd>{b.cancelReason}</dd></div> : null}
                <div><dt>{t('bookedBy')}</dt><dd>{t(b.createdBy === 'owner' ? 'bookedByYou' : 'bookedByClient')}</dd></div>
              </dl>
              <div class="row">
                {wa ? <a class="primary small-button whatsapp" href={wa} target="_blank" rel="noopener">{t('whatsappClient')}</a> : null}
                {b.clientKey && !b.erased ? <Link class="secondary small-button" href={`/app/clients/${encodeURIComponent(b.clientKey)}`}>{t('clientHistory')}</Link> : null}
              </div>
              {error.value ? <p class="alert" role="alert">{error.value}</p> : null}

              {mode.value === 'view' ? (
                <div class="actions">
                  {b.actions.approve ? <button type="button" class="primary" disabled={busy.value} onClick={() => act('approve', {}, () => t('approved'))}>{t('approve')}</button> : null}
                  {b.actions.decline ? <button type="button" class="secondary" onClick={() => (mode.value = 'decline')}>{t('decline')}</button> : null}
                  {b.actions.complete ? <button type="button" class="secondary" disabled={busy.value} onClick={() => act('outcome', { outcome: 'completed' }, () => t('markedCompleted'))}>{t('markCompleted')}</button> : null}
                  {b.actions.noShow ? <button type="button" class="secondary" disabled={busy.value} onClick={() => act('outcome', { outcome: 'no_show' }, () => t('markedNoShow'))}>{t('markNoShow')}</button> : null}
                  {b.actions.reschedule ? (
                    <button type="button" class="secondary" onClick={() => {
                      date.value = dateInZone(Date.parse(b.start), app.zone.value);
                      time.value = timeIn(Date.parse(b.start), app.zone.value);
                      mode.value = 'reschedule';
                    }}>{t('reschedule')}</button>
                  ) : null}
                  {b.actions.cancel ? <button type="button" class="secondary danger-button" onClick={() => { refund.value = b.refundOnCancel; mode.value = 'cancel'; }}>{b.series ? t('cancelSeriesOne') : t('cancelBooking')}</button> : null}
                  {b.actions.cancel && b.series ? <button type="button" class="secondary danger-button" onClick={() => (mode.value = 'seriesLater')}>{t('cancelSeriesLater')}</button> : null}
                  {!Object.values(b.actions).some(Boolean) ? <p class="muted">{t('noActions')}</p> : null}
                </div>
              ) : null}

              {mode.value === 'approve' ? (
                <form class="form card-box" onSubmit={(e) => {
                  e.preventDefault();
                  void act('approve', {}, () => t('approved'));
                }}>
                  <h2 class="section-title">{t('approveTitle')}</h2>
                  <div class="row">
                    <button type="submit" class="primary" aria-disabled={busy.value ? 'true' : undefined}>{t('approve')}</button>
                    <button type="button" class="secondary" onClick={() => (mode.value = 'view')}>{t('back')}</button>
                  </div>
                </form>
              ) : null}

              {mode.value === 'decline' || mode.value === 'cancel' ? (
                <form class="form card-box" onSubmit={(e) => {
                  e.preventDefault();
                  if (mode.value === 'decline') void act('decline', reason.value.trim() ? { reason: reason.value.trim() } : {}, () => t('declined'));
                  else void act('cancel', { ...(reason.value.trim() ? { reason: reason.value.trim() } : {}), ...(paid ? { refund: refund.value } : {}) },
                    (r) => (r.refund?.issued || r.refund?.pending ? t('cancelledRefunded') : t('cancelled')));
                }}>
                  <h2 class="section-title">{t(mode.value === 'decline' ? 'declineTitle' : 'cancelTitle')}</h2>
                  {mode.value === 'cancel' && paid ? (
                    <>
                      <p class="banner banner-info">
                        {b.refundOnCancel
                          ? t('refundByPolicy', { amount: formatPrice(b.payment!.amountCents, b.payment!.currency, app.locale.value) })
                          : t('noRefundByPolicy')}
                      </p>
                      <label class="toggle">
                        <input type="checkbox" checked={refund.value} onChange={(e) => (refund.value = e.currentTarget.checked)} />
                        {t('refundInFull', { amount: formatPrice(b.payment!.amountCents, b.payment!.currency, app.locale.value) })}
                      </label>
                    </>
                  ) : null}
                  <Field id="reason" label={t('reasonOptional')} hint={t('reasonHint')}>
                    <textarea id="reason" value={reason.value} aria-describedby="reason-hint" onInput={(e) => (reason.value = e.currentTarget.value)} />
                  </Field>
                  <div class="row">
                    <button type="submit" class="primary danger" aria-disabled={busy.value ? 'true' : undefined}>
                      {t(mode.value === 'decline' ? 'confirmDecline' : 'confirmCancel')}
                    </button>
                    <button type="button" class="secondary" onClick={() => (mode.value = 'view')}>{t('keepIt')}</button>
                  </div>
                </form>
              ) : null}

              {mode.value === 'seriesLater' ? (
                <form class="form card-box" onSubmit={(e) => {
                  e.preventDefault();
                  void act('series/cancel', { andLater: true, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) }, () => t('cancelled'));
                }}>
                  <h2 class="section-title">{t('cancelSeriesLaterTitle')}</h2>
                  <Field id="reason" label={t('reasonOptional')} hint={t('reasonHint')}>
                    <textarea id="reason" value={reason.value} aria-describedby="reason-hint" onInput={(e) => (reason.value = e.currentTarget.value)} />
                  </Field>
                  <div class="row">
                    <button type="submit" class="primary danger" aria-disabled={busy.value ? 'true' : undefined}>{t('cancelSeriesLater')}</button>
                    <button type="button" class="secondary" onClick={() => (mode.value = 'view')}>{t('keepIt')}</button>
                  </div>
                </form>
              ) : null}

              {mode.value === 'reschedule' ? (
                <form class="form card-box" onSubmit={(e) => {
                  e.preventDefault();
                  if (!date.value || !time.value) return void (error.value = t('pickDateTime'));
                  const start = new Date(instantAt(date.value, time.value, app.zone.value)).toISOString();
                  void act('reschedule', { start, ...(outside.value ? { outsideHours: true } : {}) }, () => t('moved'));
                }}>
                  <h2 class="section-title">{t('rescheduleTitle')}</h2>
                  <p class="muted small">{t('rescheduleHint')}</p>
                  <DateTime idPrefix="move" date={date} time={time} />
                  <label class="toggle">
                    <input type="checkbox" checked={outside.value} onChange={(e) => (outside.value = e.currentTarget.checked)} />
                    {t('outsideHours')}
                  </label>
                  <div class="row">
                    <button type="submit" class="primary" aria-disabled={busy.value ? 'true' : undefined}>{t('moveBooking')}</button>
                    <button type="button" class="secondary" onClick={() => (mode.value = 'view')}>{t('back')}</button>
                  </div>
                </form>
              ) : null}
            </>
          );
        }}
      </Show>
    </section>
  );
}
