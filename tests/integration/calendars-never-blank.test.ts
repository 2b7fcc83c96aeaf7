import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pendingRefresh, refreshIfStale } from '../../server/calendars/cache.js';
import { encryptSecret } from '../../server/secrets/crypto.js';
import { makeProvider } from '../support/fixtures.js';
import { startIcsServer, type IcsServer } from '../support/ics-server.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Issue 14, defect 1: the booking page must never go blank because of how a calendar refresh was scoped.
 * The page asks for a whole month (partly in the past), sometimes two months at once; a refresh from a CLI connect
 * or an earlier query covers a different range; refreshes are throttled. None of that may hide free times.
 * The clock is fixed at T (a Wednesday) and moved by hand; nothing depends on today's date.
 */
const KEY = randomBytes(32);
const T = new Date('2026-06-10T10:30:00Z');
const MIN = 60_000;

function feed(...events: string[][]): string {
  const body = events.flatMap((e) => ['BEGIN:VEVENT', 'DTSTAMP:20260101T000000Z', ...e, 'END:VEVENT']);
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Google Inc//Google Calendar 70.9054//EN', ...body, 'END:VCALENDAR', ''].join('\r\n');
}
// Busy 09:00–10:00 London on June 11 and on July 2.
const FEED = feed(
  ['UID:a@google.com', 'DTSTART;TZID=Europe/London:20260611T090000', 'DTEND;TZID=Europe/London:20260611T100000'],
  ['UID:b@google.com', 'DTSTART;TZID=Europe/London:20260702T090000', 'DTEND;TZID=Europe/London:20260702T100000'],
  ['UID:c@google.com', 'DTSTART;TZID=Europe/London:20261001T090000', 'DTEND;TZID=Europe/London:20261001T100000'],
);

describe('booking page with an ICS feed is never blank after a refresh', () => {
  let server: TestServer;
  let ics: IcsServer;
  let clock = T;
  let n = 0;

  beforeAll(async () => {
    [server, ics] = await Promise.all([startTestServer({ seed: false, jobs: false, now: () => clock, env: { SECRETS_KEY: KEY.toString('base64') } }), startIcsServer(FEED)]);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), ics?.stop()]);
  });
  beforeEach(() => {
    clock = T;
  });

  /** A fresh provider (open 09:00–12:00 London every day) with the feed connected, nothing fetched yet. */
  async function connected(): Promise<{ slug: string; id: string }> {
    const slug = `feed-${++n}`;
    const p = await makeProvider(server.db, {
      slug, timezone: 'Europe/London',
      settings: {
        workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '12:00' },
        booking: { slotStepMinutes: 60, horizonDays: 200, minNoticeMinutes: 0 },
      },
    });
    await server.db.rpc('connect_calendar', {
      p_provider_slug: slug, p_kind: 'ics', p_label: 'Feed', p_external_username: null, p_external_email: null,
      p_secret: encryptSecret({ url: ics.url }, KEY), p_selected_calendar_ids: null,
    });
    return { slug, id: p.id };
  }

  /** The month query the booking page makes (`pages/ui/picker.ts`): its first to last day. */
  async function month(slug: string, m: string, last: number): Promise<{ starts: string[]; calendar: unknown }> {
    const res = await fetch(`${server.url}/api/providers/${slug}/slots?service=call&from=${m}-01&to=${m}-${last}&tz=Europe/London`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { slots: { start: string }[]; calendar: unknown };
    return { starts: body.slots.map((s) => s.start), calendar: body.calendar };
  }

  it('shows the month (partly in the past) right after a connect that refreshed from yesterday', async () => {
    const { slug, id } = await connected();
    // What `npm run provider -- connect-ics` does: one refresh with no window.
    const report = await refreshIfStale(server.db, id, { secretsKey: KEY, google: null, at: clock, log: () => {} });
    expect(report.refreshed).toHaveLength(1);
    const june = await month(slug, '2026-06', 30);
    expect(june.starts).toContain('2026-06-11T10:00:00.000Z');
    expect(june.starts).not.toContain('2026-06-11T08:00:00.000Z'); // the feed's busy hour
    expect(june.starts.every((s) => Date.parse(s) >= T.getTime())).toBe(true);
  });

  it('shows every month when the page asks for several at once on a fresh connection', async () => {
    const { slug } = await connected();
    // July is inside the default refresh horizon, October beyond it: the first refresh in flight cannot serve both.
    const [june, july, october] = await Promise.all([month(slug, '2026-06', 30), month(slug, '2026-07', 31), month(slug, '2026-10', 31)]);
    expect(june.starts).toContain('2026-06-11T10:00:00.000Z');
    expect(june.starts).not.toContain('2026-06-11T08:00:00.000Z');
    expect(july.starts).toContain('2026-07-02T10:00:00.000Z');
    expect(july.starts).not.toContain('2026-07-02T08:00:00.000Z');
    expect(october.starts).toContain('2026-10-01T09:00:00.000Z');
    expect(october.starts).not.toContain('2026-10-01T08:00:00.000Z');
  });

  it('a later month beyond the last refresh is fetched at once, not after the retry back-off', async () => {
    const { slug, id } = await connected();
    expect((await month(slug, '2026-06', 30)).starts.length).toBeGreaterThan(0);
    // Seconds later the visitor pages far ahead, past the 90-day refresh horizon.
    clock = new Date(T.getTime() + 5_000);
    const october = await month(slug, '2026-10', 31);
    expect(october.starts).toContain('2026-10-01T09:00:00.000Z');
    expect(october.starts).not.toContain('2026-10-01T08:00:00.000Z');
    await pendingRefresh(id);
  });

  it('keeps showing times while stale data is refreshed in the background', async () => {
    const { slug, id } = await connected();
    expect((await month(slug, '2026-06', 30)).starts.length).toBeGreaterThan(0);
    clock = new Date(T.getTime() + 6 * MIN);
    const later = await month(slug, '2026-06', 30);
    expect(later.starts).toContain('2026-06-11T10:00:00.000Z');
    expect(later.starts).not.toContain('2026-06-11T08:00:00.000Z');
    await pendingRefresh(id);
  });

  it('a feed with one unreadable event still counts every other event, and its health names what was left out', async () => {
    const { slug, id } = await connected();
    ics.setBody(feed(
      ['UID:a@google.com', 'DTSTART;TZID=Europe/London:20260611T090000', 'DTEND;TZID=Europe/London:20260611T100000'],
      ['UID:cdo@exchange', 'DTSTART;TZID=W. Europe Standard Time:20260612T110000', 'DTEND;TZID=W. Europe Standard Time:20260612T120000', 'RRULE:FREQ=DAILY;BYDAY=MO, TU, WE, TH, FR;COUNT=1'],
      ['UID:broken@nextcloud', 'DTSTART:not-a-time', 'DTEND:20260613T100000Z'],
    ));
    try {
      const june = await month(slug, '2026-06', 30);
      expect(june.starts).toContain('2026-06-11T10:00:00.000Z');
      expect(june.starts).not.toContain('2026-06-11T08:00:00.000Z');
      expect(june.starts).not.toContain('2026-06-12T09:00:00.000Z'); // 11:00 Berlin = 10:00 London = 09:00Z
      expect(june.starts).toContain('2026-06-12T08:00:00.000Z');
      const cache = (await server.db.rpc('get_calendar_cache', {
        p_provider_id: id, p_from: T, p_to: new Date(T.getTime() + 86_400_000),
      }))!;
      expect(cache.sources[0].lastError).toBeNull();
      expect(cache.sources[0].lastWarning).toMatch(/^1 event could not be read and does not count as busy: VEVENT broken@nextcloud/);
      expect(cache.sources[0].lastWarning).not.toContain(ics.url);
    } finally {
      ics.setBody(FEED);
    }
  });

  it('a window wholly in the past never hides anything and needs no calendar data', async () => {
    const { slug } = await connected();
    ics.status = 503;
    try {
      const may = await month(slug, '2026-05', 31);
      expect(may.starts).toEqual([]);
      expect(may.calendar).toEqual({ stale: false, failing: false });
    } finally {
      ics.status = null;
    }
  });
});
