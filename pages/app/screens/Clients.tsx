import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api';
import { Empty, Field, Link, problemText, ScreenTitle, Show, useLoad, whenText } from '../parts';
import { navigate, showFlash, useApp } from '../state';
import { StatusBadge } from './Bookings';

/** Clients: one per email or phone, most recent first, searchable, with counts; CSV of all of them. */
export function Clients() {
  const app = useApp();
  const t = app.t.value;
  const search = useSignal(app.route.value.query.get('search') ?? '');
  const query = useSignal(search.value);
  useEffect(() => {
    const timer = setTimeout(() => (query.value = search.value.trim()), 300);
    return () => clearTimeout(timer);
  }, [search.value]);
  const list = useLoad(() => api.clients(app, query.value), [query.value]);
  return (
    <section class="screen">
      <div class="item-top">
        <ScreenTitle>{t('clientsTitle')}</ScreenTitle>
        <a class="secondary small-button" href={api.clientsCsvUrl(app)} download>{t('exportCsv')}</a>
      </div>
      <Field id="client-search" label={t('searchClients')}>
        <input id="client-search" type="search" value={search.value} onInput={(e) => (search.value = e.currentTarget.value)} />
      </Field>
      <Show loaded={list}>
        {(data) => data.clients.length === 0 ? (
          <Empty><p>{query.value ? t('noClientsMatch') : t('noClients')}</p></Empty>
        ) : (
          <ul class="list" aria-label={t('clientsTitle')}>
            {data.clients.map((c) => (
              <li key={c.key}>
                <Link href={`/app/clients/${encodeURIComponent(c.key)}`} class="item">
                  <span class="item-title"><bdi>{c.name || c.email || c.phone}</bdi></span>
                  <span class="muted small" dir="ltr">{[c.email, c.phone].filter(Boolean).join(' · ')}</span>
                  <span class="small">
                    {t('clientCounts', { bookings: c.bookings, noShows: c.noShows })}
                    {c.lastStart ? ` · ${t('lastVisit', { when: whenText(app, c.lastStart) })}` : ''}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Show>
    </section>
  );
}

/** One client: contact, counts, the provider's private notes, every booking, and erasing their data (GDPR). */
export function ClientDetails({ clientKey }: { clientKey: string }) {
  const app = useApp();
  const t = app.t.value;
  const loaded = useLoad(() => api.client(app, clientKey), [clientKey]);
  const notes = useSignal<string | null>(null);
  const confirm = useSignal(false);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  return (
    <section class="screen">
      <Link href="/app/clients" class="back"><span class="back-arrow" aria-hidden="true">←</span> {t('clientsTitle')}</Link>
      <Show loaded={loaded}>
        {(c) => (
          <>
            <ScreenTitle><bdi>{c.name || c.email || c.phone}</bdi></ScreenTitle>
            <dl class="facts">
              {c.email ? <div><dt>{t('emailLabel')}</dt><dd><a href={`mailto:${c.email}`} dir="ltr">{c.email}</a></dd></div> : null}
              {c.phone ? <div><dt>{t('phone')}</dt><dd><a href={`tel:${c.phone}`} dir="ltr">{c.phone}</a></dd></div> : null}
              <div><dt>{t('bookingsCount')}</dt><dd>{t('clientSummary', { bookings: c.bookings, completed: c.completed, noShows: c.noShows, cancelled: c.cancelled })}</dd></div>
            </dl>
            <form class="form" onSubmit={async (e) => {
              e.preventDefault();
              busy.value = true;
              error.value = null;
              try {
                await api.clientNotes(app, clientKey, notes.value ?? c.notes ?? '');
                showFlash(app, t('saved'));
              } catch (err) {
                error.value = problemText(app, err);
              } finally {
                busy.value = false;
              }
            }}>
              <Field id="client-notes" label={t('privateNotes')} hint={t('privateNotesHint')}>
                <textarea id="client-notes" value={notes.value ?? c.notes ?? ''} aria-describedby="client-notes-hint" onInput={(e) => (notes.value = e.currentTarget.value)} />
              </Field>
              <button type="submit" class="secondary" disabled={busy.value}>{t('saveNotes')}</button>
            </form>
            <h2 class="section-title">{t('history')}</h2>
            {c.history.length === 0 ? <Empty><p>{t('empty_all')}</p></Empty> : (
              <ul class="list">
                {c.history.map((b) => (
                  <li key={b.id}>
                    <Link href={`/app/bookings/${b.id}`} class="item">
                      <span class="item-top"><span class="item-title">{whenText(app, b.start)}</span><StatusBadge booking={b} /></span>
                      <span class="muted small"><bdi>{b.service?.title}</bdi></span>
                    </Link>
                  </li>
                ))}
              </ul>
            )}
            {error.value ? <p class="alert" role="alert">{error.value}</p> : null}
            <div class="card-box">
              <h2 class="section-title">{t('eraseTitle')}</h2>
              <p class="muted small">{t('eraseText')}</p>
              {confirm.value ? (
                <div class="row">
                  <button type="button" class="primary danger" disabled={busy.value} onClick={async () => {
                    busy.value = true;
                    error.value = null;
                    try {
                      const done = await api.eraseClient(app, clientKey);
                      navigate(app, '/app/clients', true);
                      showFlash(app, t('erased', { n: done.erasedBookings }));
                    } catch (err) {
                      error.value = problemText(app, err);
                      confirm.value = false;
                    } finally {
                      busy.value = false;
                    }
                  }}>{t('eraseConfirm')}</button>
                  <button type="button" class="secondary" onClick={() => (confirm.value = false)}>{t('keepIt')}</button>
                </div>
              ) : (
                <button type="button" class="secondary danger-button" onClick={() => (confirm.value = true)}>{t('eraseButton')}</button>
              )}
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
