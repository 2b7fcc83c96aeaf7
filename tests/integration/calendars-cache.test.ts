import { randomBytes } from 'node:crypto';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCachedBusy, getCalendarHealth, pendingRefresh, refreshIfStale, type CalendarCacheOptions } from '../../server/calendars/cache.js';
import type { Db } from '../../server/db/port.js';
import { encryptSecret } from '../../server/secrets/crypto.js';
import { createTestDb } from '../support/db.js';
import { startIcsServer, type IcsServer } from '../support/ics-server.js';
import { startRadicale, type RadicaleServer } from '../support/radicale.js';

const KEY = randomBytes(32);
const MIN = 60_000;

function ics(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotline//tests//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}
function event(uid: string, start: string, end: string): string[] {
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', `DTSTART:${start}`, `DTEND:${end}`, 'END:VEVENT'];
}

// Relative to the real clock: the sources' windows start at "now".
const day = (n: number, hour: number): Date => {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  return new Date(d.getTime() + n * 86_400_000 + hour * 3_600_000);
};
const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const WINDOW = { from: day(1, 0), to: day(8, 0) };
const FEED_V1 = ics(...event('f1', stamp(day(2, 9)), stamp(day(2, 10))));
const FEED_V2 = ics(...event('f2', stamp(day(3, 9)), stamp(day(3, 11))));
const FEED_BUSY_V1 = { start: day(2, 9).toISOString(), end: day(2, 10).toISOString() };
const FEED_BUSY_V2 = { start: day(3, 9).toISOString(), end: day(3, 11).toISOString() };
const CALDAV_BUSY = { start: day(4, 13).toISOString(), end: day(4, 14).toISOString() };

describe('calendar busy cache (PGlite, real ICS server and Radicale)', () => {
  let db: Db;
  let feed: IcsServer;
  let radicale: RadicaleServer;
  let logs: string[];
  let slug = 0;

  beforeAll(async () => {
    [db, feed, radicale] = await Promise.all([createTestDb(), startIcsServer(FEED_V1), startRadicale({ alice: 'alice-pass' })]);
    const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'alice', password: 'alice-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    await client.makeCalendar({ url: `${radicale.url}alice/work/`, props: { displayname: 'Work' } });
    const [calendar] = await client.fetchCalendars();
    await client.createCalendarObject({ calendar, filename: 'e.ics', iCalString: ics(...event('c1', stamp(day(4, 13)), stamp(day(4, 14)))) });
  });
  afterAll(async () => {
    await Promise.all([db?.close(), feed?.stop(), radicale?.stop()]);
  });
  beforeEach(() => {
    logs = [];
    feed.status = null;
    feed.delayMs = 0;
    feed.setBody(FEED_V1);
  });

  const opts = (extra: Partial<CalendarCacheOptions> = {}): CalendarCacheOptions => ({
    secretsKey: KEY, retryAfterSeconds: 0, google: null, log: (l) => logs.push(l), ...extra,
  });
  const later = (minutes: number) => () => new Date(Date.now() + minutes * MIN);

  /** A provider with an ICS feed (and optionally CalDAV) connected the way the CLI does it. */
  async function provider(settings: Record<string, unknown> = {}, withCaldav = false, password = 'alice-pass'): Promise<{ id: string; ics: string; caldav?: string }> {
    const s = `p${++slug}-${randomBytes(3).toString('hex')}`;
    await db.rpc('apply_provider', { p_slug: s, p_name: 'P', p_timezone: 'Europe/Berlin', p_is_public: true, p_settings: { calendar: settings }, p_services: [] });
    const connect = (kind: string, secret: unknown) =>
      db.rpc('connect_calendar', {
        p_provider_slug: s, p_kind: kind, p_label: kind, p_external_username: null, p_external_email: null,
        p_secret: encryptSecret(secret, KEY), p_selected_calendar_ids: null,
      });
    const a = await connect('ics', { url: feed.url });
    const b = withCaldav ? await connect('caldav', { serverUrl: radicale.url, username: 'alice', password }) : undefined;
    return { id: a.providerId, ics: a.source, caldav: b?.source };
  }

  it('fetches a newly connected calendar on first read, from all sources', async () => {
    const p = await provider({}, true);
    const result = await getCachedBusy(db, p.id, WINDOW, opts());
    expect(result).toEqual({ busy: [FEED_BUSY_V1, CALDAV_BUSY], stale: false, failing: [], hideWindow: false });
    // The cache is what the booking SQL checks too.
    const sqlBusy = await db.rpc('get_busy', { p_provider_id: p.id, p_from: WINDOW.from, p_to: WINDOW.to });
    expect(sqlBusy.busy.map((b) => new Date(b.start).toISOString())).toEqual([FEED_BUSY_V1.start, CALDAV_BUSY.start]);
  });

  it('serves fresh data without contacting the calendar, and revalidates stale data in the background', async () => {
    const p = await provider();
    await getCachedBusy(db, p.id, WINDOW, opts());
    const before = feed.requests.length;
    await getCachedBusy(db, p.id, WINDOW, opts({ now: later(2) }));
    expect(feed.requests.length).toBe(before);

    feed.setBody(FEED_V2);
    feed.delayMs = 1500;
    const started = Date.now();
    const stale = await getCachedBusy(db, p.id, WINDOW, opts({ now: later(6) }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stale).toEqual({ busy: [FEED_BUSY_V1], stale: true, failing: [], hideWindow: false });
    await pendingRefresh(p.id);
    expect(feed.requests.length).toBe(before + 1);
    expect(await getCachedBusy(db, p.id, WINDOW, opts())).toEqual({ busy: [FEED_BUSY_V2], stale: false, failing: [], hideWindow: false });
  });

  it('revalidates with the stored ETag and keeps the body on 304', async () => {
    const p = await provider();
    await getCachedBusy(db, p.id, WINDOW, opts());
    feed.requests = [];
    const report = await refreshIfStale(db, p.id, { ...opts(), force: true });
    expect(report.refreshed).toEqual([p.ics]);
    expect(feed.requests.map((r) => r.status)).toEqual([304]);
    expect(feed.requests[0].ifNoneMatch).toMatch(/^"/);
    expect((await getCachedBusy(db, p.id, WINDOW, opts())).busy).toEqual([FEED_BUSY_V1]);
  });

  it('keeps the last good data while failing, logs once per reason, then hides the window after maxStale', async () => {
    const p = await provider();
    await getCachedBusy(db, p.id, WINDOW, opts());
    feed.status = 500;
    await refreshIfStale(db, p.id, opts({ now: later(10) }));
    await refreshIfStale(db, p.id, opts({ now: later(11) }));
    expect(logs).toEqual([`calendar source ${p.ics} of provider ${p.id} failing: ICS feed answered HTTP 500`]);
    expect(logs.join()).not.toContain('7f3a9c2e5b1d');

    const within = await getCachedBusy(db, p.id, WINDOW, opts({ now: later(30) }));
    expect(within).toEqual({ busy: [FEED_BUSY_V1], stale: true, failing: [p.ics], hideWindow: false });
    await pendingRefresh(p.id);

    const beyond = await getCachedBusy(db, p.id, WINDOW, opts({ now: later(61) }));
    expect(beyond.hideWindow).toBe(true);
    expect(beyond.failing).toEqual([p.ics]);
    await pendingRefresh(p.id);

    feed.status = null;
    await refreshIfStale(db, p.id, opts({ now: later(62) }));
    expect(logs.at(-1)).toBe(`calendar source ${p.ics} of provider ${p.id} recovered`);
    expect(await getCachedBusy(db, p.id, WINDOW, opts())).toEqual({ busy: [FEED_BUSY_V1], stale: false, failing: [], hideWindow: false });
  });

  it('with onError "ignore", drops an expired failing source instead of hiding the window', async () => {
    const p = await provider({ onError: 'ignore' });
    await getCachedBusy(db, p.id, WINDOW, opts());
    feed.status = 503;
    await refreshIfStale(db, p.id, opts({ now: later(61) }));
    const result = await getCachedBusy(db, p.id, WINDOW, opts({ now: later(61) }));
    expect(result).toEqual({ busy: [], stale: true, failing: [p.ics], hideWindow: false });
    await pendingRefresh(p.id);
    const sqlBusy = await db.rpc('get_busy', { p_provider_id: p.id, p_from: WINDOW.from, p_to: WINDOW.to });
    expect(sqlBusy.busy).toEqual([]);
  });

  it('honours provider settings for the ages', async () => {
    const p = await provider({ maxAgeMinutes: 1, maxStaleMinutes: 2 });
    await getCachedBusy(db, p.id, WINDOW, opts());
    feed.status = 500;
    const r = await getCachedBusy(db, p.id, WINDOW, opts({ now: later(3) }));
    expect(r.hideWindow).toBe(true);
    await pendingRefresh(p.id);
  });

  it('bounds a slow calendar by the timeout, even on first read', async () => {
    const p = await provider();
    feed.delayMs = 3000;
    const started = Date.now();
    const result = await getCachedBusy(db, p.id, WINDOW, opts({ timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toEqual({ busy: [], stale: true, failing: [p.ics], hideWindow: true });
    expect(logs).toEqual([`calendar source ${p.ics} of provider ${p.id} failing: timed out`]);
  });

  it('reports a refused CalDAV login with the app-specific password hint, and never the password', async () => {
    const p = await provider({}, true, 'wrong-password-123');
    const result = await getCachedBusy(db, p.id, WINDOW, opts());
    expect(result.failing).toEqual([p.caldav]);
    expect(result.hideWindow).toBe(true);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/HTTP 401.*app-specific password/);
    expect(logs[0]).not.toContain('wrong-password-123');
  });

  it('treats a wrong SECRETS_KEY as a failing source with a clear reason', async () => {
    const p = await provider();
    const result = await getCachedBusy(db, p.id, WINDOW, opts({ secretsKey: randomBytes(32) }));
    expect(result.failing).toEqual([p.ics]);
    expect(logs[0]).toMatch(/SECRETS_KEY is wrong/);
  });

  it('keeps secrets encrypted at rest', async () => {
    await provider({}, true);
    const pg = (db as Db & { pg: { query: (sql: string) => Promise<{ rows: { secret: unknown }[] }> } }).pg;
    const rows = (await pg.query('select secret from public.integration_secrets')).rows;
    expect(rows.length).toBeGreaterThan(0);
    for (const { secret } of rows) {
      expect(Object.keys(secret as object).sort()).toEqual(['ciphertext', 'iv', 'tag']);
      const text = JSON.stringify(secret);
      expect(text).not.toContain('alice-pass');
      expect(text).not.toContain('7f3a9c2e5b1d');
    }
  });

  it('get_calendar_health is get_calendar_cache without the busy rows', async () => {
    const p = await provider({ maxAgeMinutes: 7 }, true);
    await getCachedBusy(db, p.id, WINDOW, opts());
    const cache = (await db.rpc('get_calendar_cache', { p_provider_id: p.id, p_from: WINDOW.from, p_to: WINDOW.to }))!;
    expect(cache.sources.flatMap((s) => s.busy)).toHaveLength(2);
    const health = await db.rpc('get_calendar_health', { p_provider_id: p.id });
    expect(health).toEqual({ ...cache, sources: cache.sources.map(({ busy: _busy, ...s }) => s) });
    expect(await db.rpc('get_calendar_health', { p_provider_id: '00000000-0000-0000-0000-000000000000' })).toBeNull();
  });

  it('getCalendarHealth judges like getCachedBusy: first fetch, stale, failing, then hidden after maxStale', async () => {
    const p = await provider();
    // A newly connected calendar is fetched before the verdict, as for getCachedBusy.
    expect(await getCalendarHealth(db, p.id, WINDOW, opts())).toEqual({ stale: false, failing: [], hideWindow: false });
    expect(feed.requests).not.toHaveLength(0);
    expect((await db.rpc('get_busy', { p_provider_id: p.id, p_from: WINDOW.from, p_to: WINDOW.to })).busy).toHaveLength(1);

    const before = feed.requests.length;
    expect(await getCalendarHealth(db, p.id, WINDOW, opts({ now: later(2) }))).toEqual({ stale: false, failing: [], hideWindow: false });
    expect(feed.requests.length).toBe(before);
    expect(await getCalendarHealth(db, p.id, WINDOW, opts({ now: later(6) }))).toEqual({ stale: true, failing: [], hideWindow: false });
    await pendingRefresh(p.id);
    expect(feed.requests.length).toBe(before + 1);

    feed.status = 500;
    await refreshIfStale(db, p.id, { ...opts({ now: later(10) }), force: true });
    const within = await getCalendarHealth(db, p.id, WINDOW, opts({ now: later(30) }));
    await pendingRefresh(p.id);
    expect(within).toEqual({ stale: true, failing: [p.ics], hideWindow: false });
    const { busy: _busy, ...cached } = await getCachedBusy(db, p.id, WINDOW, opts({ now: later(30) }));
    await pendingRefresh(p.id);
    expect(within).toEqual(cached);
    const beyond = await getCalendarHealth(db, p.id, WINDOW, opts({ now: later(61) }));
    await pendingRefresh(p.id);
    expect(beyond).toEqual({ stale: true, failing: [p.ics], hideWindow: true });
  });

  it('returns nothing special for a provider without calendars', async () => {
    await db.rpc('apply_provider', { p_slug: 'bare', p_name: 'B', p_timezone: 'Asia/Dubai', p_is_public: true, p_settings: {}, p_services: [] });
    const { id } = (await db.rpc('get_public_provider', { p_slug: 'bare' }))!;
    expect(await getCachedBusy(db, id, WINDOW, opts())).toEqual({ busy: [], stale: false, failing: [], hideWindow: false });
  });
});
