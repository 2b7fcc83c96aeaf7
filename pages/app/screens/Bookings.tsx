import { useSignal } from '@preact/signals';
import type { BookingScope, OwnerBooking } from '../../../contract/app-api';
import { formatDate, formatTime, uses12Hour } from '../../lib/format';
import { dateInZone } from '../../lib/time';
import { api } from '../api';
import { Empty, Link, ScreenTitle, Show, useLoad } from '../parts';
import { navigate, useApp, type AppState } from '../state';

const SCOPES: BookingScope[] = ['today', 'upcoming', 'past', 'requests'];
const STATUSES = ['confirmed', 'pending', 'completed', 'no_show', 'cancelled', 'declined', 'expired'] as const;

export function StatusBadge({ booking }: { booking: Pick<OwnerBooking, 'status' | 'awaitingApproval'> }) {
  const { t } = useApp();
  const key = booking.status === 'pending' && booking.awaitingApproval ? 'status_request' : (`status_${booking.status}` as const);
  return <span class={`badge badge-${booking.status}`}>{t.value(key)}</span>;
}

/** Bookings grouped by the provider's local day, in the order the list came (a day agenda). */
export function byLocalDay(bookings: OwnerBooking[], zone: string): [string, OwnerBooking[]][] {
  const days = new Map<string, OwnerBooking[]>();
  for (const b of bookings) {
    const day = dateInZone(Date.parse(b.start), zone);
    days.set(day, [...(days.get(day) ?? []), b]);
  }
  return [...days];
}

function BookingItem({ app, booking }: { app: AppState; booking: OwnerBooking }) {
  const zone = app.zone.value;
  const locale = app.locale.value;
  const h12 = uses12Hour(locale);
  return (
    <li>
      <Link href={`/app/bookings/${booking.id}`} class="item">
        <span class="item-top">
          <span class="item-title">
            {formatTime(Date.parse(booking.start), locale, zone, h12)} – {formatTime(Date.parse(booking.end), locale, zone, h12)}
          </span>
          <StatusBadge booking={booking} />
        </span>
        <span><bdi>{booking.erased ? app.t.value('erasedClient') : booking.name}</bdi></span>
        <span class="muted small"><bdi>{booking.service?.title ?? ''}</bdi></span>
      </Link>
    </li>
  );
}

/**
 * The bookings: Today / Upcoming / Past / Requests, filtered by service and status, as a day agenda in the
 * provider's zone. The scope and filters are in the URL (`?scope=past&service=…`), so Back and a reload keep them.
 */
export function Bookings() {
  const app = useApp();
  const t = app.t.value;
  const q = app.route.value.query;
  const scope = (SCOPES as string[]).includes(q.get('scope') ?? '') ? (q.get('scope') as BookingScope) : 'upcoming';
  const service = q.get('service') ?? '';
  const status = q.get('status') ?? '';
  const extra = useSignal<OwnerBooking[]>([]);
  const list = useLoad(async () => {
    extra.value = [];
    return api.bookings(app, { scope, service: service || undefined, status: status || undefined });
  }, [scope, service, status]);

  const go = (patch: Record<string, string>) => {
    const next = new URLSearchParams({ scope, service, status, ...patch });
    for (const [k, v] of [...next]) if (!v) next.delete(k);
    navigate(app, `/app?${next}`, true);
  };
  const services = app.services.value ?? [];

  return (
    <section class="screen">
      <div class="item-top">
        <ScreenTitle>{t('bookingsTitle')}</ScreenTitle>
        <span class="row">
          <Link href="/app/agenda" class="secondary small-button">{t('agendaLink')}</Link>
          <Link href="/app/bookings/new" class="primary small-button">{t('addBooking')}</Link>
        </span>
      </div>
      <div class="tabs" role="tablist" aria-label={t('bookingsTitle')}>
        {SCOPES.map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            class="tab"
            id={`tab-${s}`}
            aria-selected={s === scope ? 'true' : 'false'}
            aria-controls="bookings-panel"
            tabIndex={s === scope ? 0 : -1}
            onClick={() => go({ scope: s })}
            onKeyDown={(e) => {
              const i = SCOPES.indexOf(scope);
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (!step) return;
              const dir = app.dir.value === 'rtl' ? -step : step;
              const next = SCOPES[(i + dir + SCOPES.length) % SCOPES.length];
              go({ scope: next });
              app.env.win.document.getElementById(`tab-${next}`)?.focus();
            }}
          >
            {t(`scope_${s}`)}
          </button>
        ))}
      </div>
      <div class="filters">
        <div class="field">
          <label for="filter-service">{t('filterService')}</label>
          <select id="filter-service" value={service} onChange={(e) => go({ service: e.currentTarget.value })}>
            <option value="">{t('allServices')}</option>
            {services.map((s) => <option key={s.id} value={s.id}>{s.title}</option>)}
          </select>
        </div>
        {scope === 'requests' ? null : (
          <div class="field">
            <label for="filter-status">{t('filterStatus')}</label>
            <select id="filter-status" value={status} onChange={(e) => go({ status: e.currentTarget.value })}>
              <option value="">{t('allStatuses')}</option>
              {STATUSES.map((s) => <option key={s} value={s}>{t(`status_${s}`)}</option>)}
            </select>
          </div>
        )}
      </div>
      <div id="bookings-panel" role="tabpanel" aria-labelledby={`tab-${scope}`}>
        <Show loaded={list}>
          {(data) => {
            const all = [...data.bookings, ...extra.value];
            if (!all.length) return <Empty><p>{t(`empty_${scope}`)}</p>{scope === 'upcoming' || scope === 'today' ? <Link href="/app/share">{t('emptyShareHint')}</Link> : null}</Empty>;
            return (
              <div class="list">
                {byLocalDay(all, app.zone.value).map(([day, items]) => (
                  <section key={day} class="list" aria-label={formatDate(day, app.locale.value)}>
                    <h2 class="day-head">{formatDate(day, app.locale.value)}</h2>
                    <ul class="list">{items.map((b) => <BookingItem key={b.id} app={app} booking={b} />)}</ul>
                  </section>
                ))}
                {all.length < data.total ? (
                  <button type="button" class="secondary" onClick={async () => {
                    const more = await api.bookings(app, { scope, service: service || undefined, status: status || undefined, offset: all.length });
                    extra.value = [...extra.value, ...more.bookings];
                  }}>{t('showMore')}</button>
                ) : null}
              </div>
            );
          }}
        </Show>
      </div>
    </section>
  );
}
