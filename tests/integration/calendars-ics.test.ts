import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIcsFeedSource, type IcsFeedState } from '../../server/calendars/ics-feed.js';
import { CalendarAuthError, describeSourceError } from '../../server/calendars/source.js';
import { startIcsServer, type IcsServer } from '../support/ics-server.js';

function feed(...events: string[][]): string {
  const body = events.flatMap((e) => ['BEGIN:VEVENT', 'DTSTAMP:20260101T000000Z', ...e, 'END:VEVENT']);
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Google Inc//Google Calendar 70.9054//EN', 'X-WR-TIMEZONE:Europe/London', ...body, 'END:VCALENDAR', ''].join('\r\n');
}

const WINDOW = { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-07-01T00:00:00Z') };
const V1 = feed(
  ['UID:a@google.com', 'DTSTART;TZID=Europe/London:20260601T090000', 'DTEND;TZID=Europe/London:20260601T100000', 'RRULE:FREQ=WEEKLY;COUNT=2'],
  ['UID:b@google.com', 'DTSTART;VALUE=DATE:20260610', 'DTEND;VALUE=DATE:20260611'],
  ['UID:c@google.com', 'DTSTART:20260612T090000Z', 'DTEND:20260612T100000Z', 'ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com'],
);
const V1_BUSY = [
  { start: '2026-06-01T08:00:00.000Z', end: '2026-06-01T09:00:00.000Z' },
  { start: '2026-06-08T08:00:00.000Z', end: '2026-06-08T09:00:00.000Z' },
  { start: '2026-06-09T20:00:00.000Z', end: '2026-06-10T20:00:00.000Z' },
];

describe('ICS feed source', () => {
  let server: IcsServer;
  beforeAll(async () => {
    server = await startIcsServer(V1);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('fetches, expands and then revalidates with ETag, reusing the body on 304', async () => {
    server.requests = [];
    const states: IcsFeedState[] = [];
    const source = createIcsFeedSource({ id: 'ics:1', url: server.url, timezone: 'Asia/Dubai', selfAddresses: ['me@example.com'], onState: (s) => states.push(s) });
    expect(source.kind).toBe('ics');
    expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(5000))).toEqual(V1_BUSY);
    expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(5000))).toEqual(V1_BUSY);
    expect(server.requests.map((r) => r.status)).toEqual([200, 304]);
    expect(server.requests[0].ifNoneMatch).toBeUndefined();
    expect(server.requests[1].ifNoneMatch).toBe(states[0].etag);
    expect(states[1].body).toBe(V1);
  });

  it('picks up a changed feed', async () => {
    const source = createIcsFeedSource({ id: 'ics:1', url: server.url, timezone: 'Asia/Dubai', selfAddresses: ['me@example.com'] });
    await source.fetchBusy(WINDOW, AbortSignal.timeout(5000));
    server.setBody(feed(['UID:d@google.com', 'DTSTART:20260615T090000Z', 'DTEND:20260615T093000Z']));
    expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(5000))).toEqual([{ start: '2026-06-15T09:00:00.000Z', end: '2026-06-15T09:30:00.000Z' }]);
    server.setBody(V1, new Date(Date.now() - 3_600_000));
  });

  it('continues from a stored state: If-Modified-Since when there is no ETag', async () => {
    server.requests = [];
    const lastModified = new Date(Date.now() + 60_000).toUTCString();
    const stale = feed(['UID:old@x', 'DTSTART:20260620T090000Z', 'DTEND:20260620T100000Z']);
    const source = createIcsFeedSource({ id: 'ics:1', url: server.url, timezone: 'Asia/Dubai', state: { body: stale, lastModified } });
    // Server copy is older than our Last-Modified: 304, so the stored body is what counts.
    expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(5000))).toEqual([{ start: '2026-06-20T09:00:00.000Z', end: '2026-06-20T10:00:00.000Z' }]);
    expect(server.requests).toEqual([{ ifModifiedSince: lastModified, status: 304 }]);
  });

  it('sends credentials written into the feed URL as Basic auth, and reads webcal:// as https', async () => {
    server.requireAuthorization = `Basic ${Buffer.from('kim:s3cret pass').toString('base64')}`;
    try {
      const withCreds = server.url.replace('http://', 'http://kim:s3cret%20pass@');
      const source = createIcsFeedSource({ id: 'ics:1', url: withCreds, timezone: 'Asia/Dubai', selfAddresses: ['me@example.com'] });
      expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(5000))).toEqual(V1_BUSY);
      const wrong = createIcsFeedSource({ id: 'ics:1', url: server.url.replace('http://', 'http://kim:nope@'), timezone: 'Asia/Dubai' });
      const error = await wrong.fetchBusy(WINDOW, AbortSignal.timeout(5000)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CalendarAuthError);
      expect(describeSourceError(error)).not.toContain('nope');
    } finally {
      server.requireAuthorization = null;
    }
    // webcal:// is https: against this plain-HTTP server the TLS handshake fails, proving the scheme was changed.
    const webcal = createIcsFeedSource({ id: 'ics:1', url: server.url.replace('http://', 'webcal://'), timezone: 'Asia/Dubai' });
    const tls = await webcal.fetchBusy(WINDOW, AbortSignal.timeout(5000)).catch((e: unknown) => e);
    expect(describeSourceError(tls)).toBe('network error (ERR_SSL_WRONG_VERSION_NUMBER)');
  });

  it('reports refused access, server errors, non-calendar bodies and timeouts without the secret URL', async () => {
    const source = createIcsFeedSource({ id: 'ics:1', url: server.url, timezone: 'Asia/Dubai' });
    try {
      server.status = 404;
      const notFound = await source.fetchBusy(WINDOW, AbortSignal.timeout(5000)).catch((e: unknown) => e);
      expect(describeSourceError(notFound)).toBe('ICS feed answered HTTP 404');
      server.status = 403;
      const refused = await source.fetchBusy(WINDOW, AbortSignal.timeout(5000)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(CalendarAuthError);
      server.status = null;
      server.setBody('<html>login</html>');
      const html = await source.fetchBusy(WINDOW, AbortSignal.timeout(5000)).catch((e: unknown) => e);
      expect(describeSourceError(html)).toMatch(/not return an iCalendar/);
      server.setBody(V1);
      server.delayMs = 2000;
      const slow = await source.fetchBusy(WINDOW, AbortSignal.timeout(200)).catch((e: unknown) => e);
      expect(describeSourceError(slow)).toBe('timed out');
      for (const e of [notFound, refused, html, slow]) expect(describeSourceError(e)).not.toContain('7f3a9c2e5b1d');
    } finally {
      server.status = null;
      server.delayMs = 0;
      server.setBody(V1);
    }
  });
});
