import { randomBytes, randomUUID } from 'node:crypto';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalDavSource } from '../../server/calendars/caldav.js';
import { exchangeGoogleCode, googleAuthUrl } from '../../server/calendars/google.js';
import { bookingIcs, googleEventId, syncBookingToCalendars, type BookingEvent } from '../../server/calendars/write-back.js';
import type { Db } from '../../server/db/port.js';
import { encryptSecret } from '../../server/secrets/crypto.js';
import { createTestDb } from '../support/db.js';
import { startFakeGoogle, type FakeGoogle } from '../support/fake-google.js';
import { startIcsServer } from '../support/ics-server.js';
import { startRadicale, type RadicaleServer } from '../support/radicale.js';

const KEY = randomBytes(32);
const WINDOW = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-31T00:00:00Z') };

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
      db.rpc<{ providerId: string }>('connect_calendar', {
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
  const caldavBusy = () => createCalDavSource({ ...creds(), id: 'check', timezone: 'Europe/Berlin' }).fetchBusy(WINDOW, AbortSignal.timeout(10_000));
  const opts = { secretsKey: KEY, retryDelaysMs: [], log: () => {} };

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

  it('retries a failing calendar, then reports it without throwing', async () => {
    const broken = await startIcsServer('');
    try {
      broken.status = 503;
      const serverUrl = new URL('/', broken.url).toString();
      const id = await provider('flaky', { serverUrl, username: 'kim', password: 'x' }, false);
      const logs: string[] = [];
      const report = await syncBookingToCalendars(db, id, booking(randomUUID(), '2026-12-05T09:00:00Z', '2026-12-05T10:00:00Z'), 'upsert', {
        ...opts, retryDelaysMs: [20, 20], log: (l) => logs.push(l),
      });
      expect(report.written).toEqual([]);
      expect(report.failed).toHaveLength(1);
      expect(broken.requests.length).toBeGreaterThanOrEqual(3);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(/write-back \(upsert\).*failed/);
    } finally {
      await broken.stop();
    }
  });

  it('does not retry a refused login', async () => {
    const id = await provider('wrongpass', { ...creds(), password: 'nope' }, false);
    const started = Date.now();
    const report = await syncBookingToCalendars(db, id, booking(randomUUID(), '2026-12-05T09:00:00Z', '2026-12-05T10:00:00Z'), 'upsert', {
      ...opts, retryDelaysMs: [5000, 5000],
    });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(report.failed[0].reason).toMatch(/HTTP 401/);
  });
});
