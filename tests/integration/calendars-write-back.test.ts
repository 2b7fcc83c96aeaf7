import { randomBytes, randomUUID } from 'node:crypto';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { exchangeGoogleCode, googleAuthUrl } from '../../server/calendars/google.js';
import { bookingIcs, googleEventId, syncBookingToCalendars, type BookingEvent } from '../../server/calendars/write-back.js';
import type { Db } from '../../server/db/port.js';
import { encryptSecret } from '../../server/secrets/crypto.js';
import { createTestDb } from '../support/db.js';
import { startFakeGoogle, type FakeGoogle } from '../support/fake-google.js';
import { startIcsServer, startSlowProxy } from '../support/ics-server.js';
import { startRadicale, type RadicaleServer } from '../support/radicale.js';
import { bookSql, makeProvider } from '../support/fixtures.js';
import { until } from '../support/until.js';
import { writeBackJob, WRITE_BACK_JOB } from '../../server/bookings/write-back.js';
import { startWorker } from '../../server/jobs/worker.js';
import type { PGlite } from '@electric-sql/pglite';

const KEY = randomBytes(32);

/** The start and end of every event in a CalDAV calendar, as written (sorted, UTC ISO). */
async function writtenTimes(creds: { serverUrl: string; username: string; password: string }, calendarUrl: string): Promise<{ start: string; end: string }[]> {
  const client = await createDAVClient({ serverUrl: creds.serverUrl, credentials: { username: creds.username, password: creds.password }, authMethod: 'Basic', defaultAccountType: 'caldav' });
  const objects = await client.fetchCalendarObjects({ calendar: { url: calendarUrl } });
  return objects
    .flatMap((o) => new ICAL.Component(ICAL.parse(o.data as string)).getAllSubcomponents('vevent'))
    .map((v) => ({
      start: (v.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(),
      end: (v.getFirstPropertyValue('dtend') as ICAL.Time).toJSDate().toISOString(),
    }))
    .sort((a, b) => a.start.localeCompare(b.start));
}

describe('write-back of bookings to CalDAV (Radicale) and Google (fake)', () => {
  let db: Db;
  let radicale: RadicaleServer;
  let google: FakeGoogle;
  let providerId: string;
  const workUrl = () => `${radicale.url}kim/work/`;
  const creds = () => ({ serverUrl: radicale.url, username: 'kim', password: 'kim-pass' });

  async function provider(slug: string, caldav: { serverUrl: string; username: string; password: string }, withGoogle: boolean): Promise<string> {
    await db.rpc('apply_provider', { p_slug: slug, p_name: 'Kim', p_timezone: 'Europe/Berlin', p_is_public: true, p_settings: {}, p_services: [] });
    const connect = (kind: string, secret: unknown, selected: string[] | null) =>
      db.rpc('connect_calendar', {
        p_provider_slug: slug, p_kind: kind, p_label: kind, p_external_username: null, p_external_email: null,
        p_secret: encryptSecret(secret, KEY), p_selected_calendar_ids: selected,
      });
    const { providerId: id } = await connect('caldav', caldav, [`${caldav.serverUrl}kim/work/`]);
    if (withGoogle) {
      const cfg = google.config('http://127.0.0.1:1/cb');
      const location = (await fetch(googleAuthUrl(cfg, 's'), { redirect: 'manual' })).headers.get('location')!;
      const { refreshToken } = await exchangeGoogleCode(cfg, new URL(location).searchParams.get('code')!);
      await connect('google', { refreshToken }, null);
    }
    return id;
  }

  const booking = (id: string, start: string, end: string): BookingEvent => ({
    id, start, end, summary: 'Intro call with Sam Lee', customerName: 'Sam Lee', customerEmail: 'sam@example.com',
    organizer: { name: 'Kim', email: 'kim@example.com' }, manageUrl: `https://book.example.com/manage/tok-${id.slice(0, 8)}`,
  });
  // Slotline's own events never count as busy time (issue 14), so the calendar's objects are read directly.
  const caldavBusy = () => writtenTimes(creds(), workUrl());
  const opts = { secretsKey: KEY, log: () => {} };

  beforeAll(async () => {
    [db, radicale, google] = await Promise.all([createTestDb(), startRadicale({ kim: 'kim-pass' }), startFakeGoogle()]);
    google.calendars = [{ id: 'kim@example.com', summary: 'Kim', primary: true, busy: [] }];
    const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'kim', password: 'kim-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    await client.makeCalendar({ url: `${radicale.url}kim/home/`, props: { displayname: 'Home' } });
    await client.makeCalendar({ url: `${radicale.url}kim/work/`, props: { displayname: 'Work' } });
    providerId = await provider('kim', creds(), true);
  });
  afterAll(async () => {
    await Promise.all([db?.close(), radicale?.stop(), google?.stop()]);
  });

  it('builds an iCalendar event with UID from the booking id, attendee without server invitations and the manage link', () => {
    const id = randomUUID();
    const text = bookingIcs(booking(id, '2026-12-02T09:00:00Z', '2026-12-02T10:00:00Z')).replace(/\r\n[ \t]/g, '');
    expect(text).toContain(`UID:${id}@slotline`);
    expect(text).toMatch(/ATTENDEE;[^\r\n]*SCHEDULE-AGENT=CLIENT[^\r\n]*:MAILTO:sam@example.com/i);
    expect(text).toMatch(/ORGANIZER;CN="?Kim"?:mailto:kim@example.com/i);
    expect(text).toContain(`Manage this booking: https://book.example.com/manage/tok-${id.slice(0, 8)}`);
    expect(text).toContain('DTSTART:20261202T090000Z');
  });

  it('writes the booking to the chosen CalDAV calendar and Google, updates it on reschedule, removes it on cancel', async () => {
    const id = randomUUID();
    const first = await syncBookingToCalendars(db, providerId, booking(id, '2026-12-02T09:00:00Z', '2026-12-02T10:00:00Z'), 'upsert', { ...opts, google: google.config() });
    expect(first.failed).toEqual([]);
    expect(first.written).toHaveLength(2);
    expect(await caldavBusy()).toEqual([{ start: '2026-12-02T09:00:00.000Z', end: '2026-12-02T10:00:00.000Z' }]);
    const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'kim', password: 'kim-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    const [work] = (await client.fetchCalendars()).filter((c) => c.url === workUrl());
    const objects = await client.fetchCalendarObjects({ calendar: work });
    expect(objects.map((o) => o.url)).toEqual([`${workUrl()}${id}.ics`]);
    expect(google.events.get('kim@example.com')?.get(googleEventId(id))?.start).toEqual({ dateTime: '2026-12-02T09:00:00.000Z' });

    await syncBookingToCalendars(db, providerId, { ...booking(id, '2026-12-03T14:00:00Z', '2026-12-03T15:00:00Z'), sequence: 1 }, 'upsert', { ...opts, google: google.config() });
    expect(await caldavBusy()).toEqual([{ start: '2026-12-03T14:00:00.000Z', end: '2026-12-03T15:00:00.000Z' }]);
    expect(google.events.get('kim@example.com')?.size).toBe(1);
    expect(google.events.get('kim@example.com')?.get(googleEventId(id))?.start).toEqual({ dateTime: '2026-12-03T14:00:00.000Z' });

    const removed = await syncBookingToCalendars(db, providerId, booking(id, '2026-12-03T14:00:00Z', '2026-12-03T15:00:00Z'), 'delete', { ...opts, google: google.config() });
    expect(removed.failed).toEqual([]);
    expect(await caldavBusy()).toEqual([]);
    expect(google.events.get('kim@example.com')?.size).toBe(0);
    // Removing again (a retry after a lost answer) is not an error.
    const again = await syncBookingToCalendars(db, providerId, booking(id, '2026-12-03T14:00:00Z', '2026-12-03T15:00:00Z'), 'delete', { ...opts, google: google.config() });
    expect(again.failed).toEqual([]);
  });

  it('reports a failing calendar as worth retrying, without throwing (the job queue retries it)', async () => {
    const broken = await startIcsServer('');
    try {
      broken.status = 503;
      const serverUrl = new URL('/', broken.url).toString();
      const id = await provider('flaky', { serverUrl, username: 'kim', password: 'x' }, false);
      const logs: string[] = [];
      const report = await syncBookingToCalendars(db, id, booking(randomUUID(), '2026-12-05T09:00:00Z', '2026-12-05T10:00:00Z'), 'upsert', {
        ...opts, log: (l) => logs.push(l),
      });
      expect(report.written).toEqual([]);
      expect(report.failed).toEqual([{ source: expect.stringMatching(/^caldav:/), reason: expect.any(String), retryable: true }]);
      expect(broken.requests.length).toBeGreaterThan(0);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(/write-back \(upsert\).*failed/);
    } finally {
      await broken.stop();
    }
  });

  it('reports a refused login as not worth retrying', async () => {
    const id = await provider('wrongpass', { ...creds(), password: 'nope' }, false);
    const report = await syncBookingToCalendars(db, id, booking(randomUUID(), '2026-12-05T09:00:00Z', '2026-12-05T10:00:00Z'), 'upsert', opts);
    expect(report.failed).toEqual([{ source: expect.any(String), reason: expect.stringMatching(/HTTP 401/), retryable: false }]);
  });
});

describe('write-back on the job queue', () => {
  let db: Db & { pg: PGlite };
  let radicale: RadicaleServer;
  const creds = () => ({ serverUrl: radicale.url, username: 'kim', password: 'kim-pass' });

  beforeAll(async () => {
    [db, radicale] = await Promise.all([createTestDb(), startRadicale({ kim: 'kim-pass' })]);
    const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'kim', password: 'kim-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    await client.makeCalendar({ url: `${radicale.url}kim/work/`, props: { displayname: 'Work' } });
  });
  afterAll(async () => {
    await Promise.all([db?.close(), radicale?.stop()]);
  });

  async function connectedProvider(slug: string, caldav: { serverUrl: string; username: string; password: string }) {
    const p = await makeProvider(db, { slug });
    await db.rpc('connect_calendar', {
      p_provider_slug: slug, p_kind: 'caldav', p_label: 'caldav', p_external_username: null, p_external_email: null,
      p_secret: encryptSecret(caldav, KEY), p_selected_calendar_ids: [`${caldav.serverUrl}kim/work/`],
    });
    return p;
  }
  /** The event URLs in kim's work calendar (a plain PROPFIND, so a listing never races a write in progress). */
  const eventUrls = async () => {
    const res = await fetch(`${radicale.url}kim/work/`, {
      method: 'PROPFIND',
      headers: { depth: '1', authorization: `Basic ${Buffer.from('kim:kim-pass').toString('base64')}` },
    });
    expect(res.status).toBe(207);
    return [...(await res.text()).matchAll(/<(?:\w+:)?href>([^<]+\.ics)<\/(?:\w+:)?href>/g)].map((m) => new URL(m[1], radicale.url).toString());
  };
  const jobOf = async (bookingId: string) =>
    (await db.pg.query<{ status: string; attempts: number; last_error: string | null }>(
      'select status, attempts, last_error from jobs where dedupe_key = $1 order by id', [`calendar.write-back:${bookingId}`])).rows;

  it('a late retry never brings back the event of a booking cancelled meanwhile; a live booking is written', async () => {
    const proxy = await startSlowProxy(radicale.url, 0);
    const worker = startWorker({
      db, handlers: { [WRITE_BACK_JOB]: writeBackJob({ secretsKey: KEY, google: null }) },
      pollMs: 20, backoffMs: 400, log: () => {},
    });
    try {
      const p = await connectedProvider('latekim', { ...creds(), serverUrl: proxy.url });
      proxy.status = 503; // the provider's CalDAV server is down
      const cancelled = await bookSql(db, p, '2026-12-07T09:00:00Z', { p_manage_token_hash: 'late-cancel' });
      const kept = await bookSql(db, p, '2026-12-07T11:00:00Z');
      expect(cancelled.booking.status).toBe('confirmed');
      // The confirmation's write-back was enqueued with the booking, ran, and failed.
      await until(async () => (await jobOf(cancelled.booking.id))[0]?.last_error, 'the first write-back attempt to fail');
      expect((await jobOf(cancelled.booking.id))[0]).toMatchObject({ status: 'queued', last_error: expect.stringMatching(/write-back \(upsert\) failed/) });

      // While it waits for its retry, the visitor cancels: the change merges into the same job.
      await db.rpc('cancel_booking', { p_token_hash: 'late-cancel', p_reason: '' });
      proxy.status = null;
      await until(async () => (await jobOf(cancelled.booking.id))[0]?.status === 'done', 'the retry to finish');
      await until(async () => (await jobOf(kept.booking.id))[0]?.status === 'done', 'the live booking to be written');

      expect(await jobOf(cancelled.booking.id)).toHaveLength(1);
      const urls = await eventUrls();
      expect(urls).toContain(`${radicale.url}kim/work/${kept.booking.id}.ics`);
      expect(urls).not.toContain(`${radicale.url}kim/work/${cancelled.booking.id}.ics`);
    } finally {
      await worker.stop();
      await proxy.stop();
    }
  });

  it('reschedule and cancel reach the calendar through the queue, whichever SQL function made the change', async () => {
    const worker = startWorker({ db, handlers: { [WRITE_BACK_JOB]: writeBackJob({ secretsKey: KEY, google: null }) }, pollMs: 20, log: () => {} });
    try {
      const p = await connectedProvider('movekim', creds());
      const b = await bookSql(db, p, '2026-12-09T09:00:00Z', { p_manage_token_hash: 'move-me' });
      const url = `${radicale.url}kim/work/${b.booking.id}.ics`;
      await until(async () => (await eventUrls()).includes(url), 'the event to be written');
      await db.rpc('reschedule_booking', { p_token_hash: 'move-me', p_starts_at: '2026-12-10T15:00:00Z' });
      const busy = () => writtenTimes(creds(), `${radicale.url}kim/work/`);
      await until(async () => (await busy()).some((x) => x.start === '2026-12-10T15:00:00.000Z'), 'the event to move');
      expect((await busy()).some((x) => x.start === '2026-12-09T09:00:00.000Z')).toBe(false);
      await db.rpc('cancel_booking', { p_token_hash: 'move-me', p_reason: '' });
      await until(async () => !(await eventUrls()).includes(url), 'the event to be removed');
    } finally {
      await worker.stop();
    }
  });

  it('a refused login fails the job at once, keeping the error', async () => {
    const worker = startWorker({ db, handlers: { [WRITE_BACK_JOB]: writeBackJob({ secretsKey: KEY, google: null }) }, pollMs: 20, backoffMs: 50, log: () => {} });
    try {
      const p = await connectedProvider('nopekim', { ...creds(), password: 'nope' });
      const b = await bookSql(db, p, '2026-12-11T09:00:00Z');
      await until(async () => (await jobOf(b.booking.id))[0]?.status === 'failed', 'the job to fail');
      expect((await jobOf(b.booking.id))[0]).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/401/) });
    } finally {
      await worker.stop();
    }
  });

  it('a provider without a connected calendar gets no write-back jobs', async () => {
    const p = await makeProvider(db, { slug: 'nocal' });
    const b = await bookSql(db, p, '2026-12-12T09:00:00Z');
    expect(await jobOf(b.booking.id)).toEqual([]);
  });
});
