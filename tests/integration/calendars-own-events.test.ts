import { randomBytes } from 'node:crypto';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshIfStale } from '../../server/calendars/cache.js';
import { encryptSecret } from '../../server/secrets/crypto.js';
import { bookSql, makeProvider } from '../support/fixtures.js';
import { startRadicale, type RadicaleServer } from '../support/radicale.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

/**
 * Issue 14, defect 2: write-back copies every booking into the provider's calendar, and the next calendar read brings
 * that copy back. Events Slotline wrote (UID `<booking id>@slotline`) must never count as external busy time, so a
 * cancelled booking's time is free at once — not after the copy is deleted and the cache refreshed minutes later.
 */
const KEY = randomBytes(32);
const DAY = 86_400_000;
/** 09:00 UTC some weeks ahead: the booking's start (the database refuses starts in the past). */
const START = new Date(Math.floor(Date.now() / DAY) * DAY + 20 * DAY + 9 * 3_600_000);
const DATE = START.toISOString().slice(0, 10);

describe('events Slotline wrote are never external busy time (Radicale)', () => {
  let server: TestServer;
  let radicale: RadicaleServer;
  const workUrl = () => `${radicale.url}kim/work/`;
  const auth = `Basic ${Buffer.from('kim:kim-pass').toString('base64')}`;

  beforeAll(async () => {
    [server, radicale] = await Promise.all([startTestServer({ seed: false, env: { SECRETS_KEY: KEY.toString('base64') } }), startRadicale({ kim: 'kim-pass' })]);
    const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'kim', password: 'kim-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    await client.makeCalendar({ url: workUrl(), props: { displayname: 'Work' } });
  });
  afterAll(async () => {
    await Promise.all([server?.close(), radicale?.stop()]);
  });

  /** Offered starts on the booking's day; `tz` varies the query so the server's few-second answer cache is not hit. */
  const starts = async (slug: string, tz: string): Promise<string[]> => {
    const res = await fetch(`${server.url}/api/providers/${slug}/slots?service=call&from=${DATE}&to=${DATE}&tz=${tz}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => s.start);
  };

  it('a written-back booking is not read back as busy; cancelling frees its time at once', async () => {
    const p = await makeProvider(server.db, { slug: 'kim', settings: { workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '12:00' } } });
    await server.db.rpc('connect_calendar', {
      p_provider_slug: 'kim', p_kind: 'caldav', p_label: 'Radicale', p_external_username: null, p_external_email: null,
      p_secret: encryptSecret({ serverUrl: radicale.url, username: 'kim', password: 'kim-pass' }, KEY), p_selected_calendar_ids: [workUrl()],
    });
    const { booking } = await bookSql(server.db, p, START, { p_manage_token_hash: 'own-events-cancel' });
    const eventUrl = `${workUrl()}${booking.id}.ics`;
    await until(async () => (await fetch(eventUrl, { headers: { authorization: auth } })).status === 200, 'the write-back to reach Radicale');

    // The calendar is read with the copy in it.
    const report = await refreshIfStale(server.db, p.id, { secretsKey: KEY, google: null, force: true, log: () => {} });
    expect(report.failed).toEqual([]);
    const cache = (await server.db.rpc('get_calendar_cache', {
      p_provider_id: p.id, p_from: new Date(START.getTime() - DAY), p_to: new Date(START.getTime() + DAY),
    }))!;
    expect(cache.sources).toHaveLength(1);
    expect(cache.sources[0].lastSuccessAt).not.toBeNull();
    expect(cache.sources[0].busy).toEqual([]);
    expect(await starts('kim', 'UTC')).not.toContain(START.toISOString()); // the booking itself blocks its time

    // Cancel while the copy is still in the calendar (no worker runs to delete it): the time is free at once.
    await server.worker?.stop(2_000);
    await server.db.rpc('cancel_booking', { p_token_hash: 'own-events-cancel', p_reason: '' });
    expect((await fetch(eventUrl, { headers: { authorization: auth } })).status).toBe(200);
    expect(await starts('kim', 'Etc/UTC')).toContain(START.toISOString());
  });
});
