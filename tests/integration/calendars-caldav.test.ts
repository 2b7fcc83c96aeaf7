import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalDavSource, listCalDavCalendars } from '../../server/calendars/caldav.js';
import { CalendarAuthError, describeSourceError } from '../../server/calendars/source.js';
import { startSlowProxy } from '../support/ics-server.js';
import { freePort, startRadicale, type RadicaleServer } from '../support/radicale.js';

const USER = 'alice';
const PASS = 'alice-pass';

function ics(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotline//tests//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}

const BERLIN = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];

/** Objects per calendar: each string is one calendar object resource (a recurring series and its overrides together). */
const FIXTURES: Record<string, string[]> = {
  work: [
    ics(
      ...BERLIN,
      'BEGIN:VEVENT', 'UID:weekly@test', 'DTSTAMP:20260101T000000Z', 'SUMMARY:Weekly team',
      'DTSTART;TZID=Europe/Berlin:20260316T090000', 'DTEND;TZID=Europe/Berlin:20260316T100000',
      'RRULE:FREQ=WEEKLY;COUNT=6', 'EXDATE;TZID=Europe/Berlin:20260323T090000', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:weekly@test', 'DTSTAMP:20260101T000000Z', 'SUMMARY:Weekly team (moved)',
      'RECURRENCE-ID;TZID=Europe/Berlin:20260330T090000',
      'DTSTART;TZID=Europe/Berlin:20260331T140000', 'DTEND;TZID=Europe/Berlin:20260331T150000', 'END:VEVENT',
    ),
    ics('BEGIN:VEVENT', 'UID:allday@test', 'DTSTAMP:20260101T000000Z', 'SUMMARY:Holiday', 'DTSTART;VALUE=DATE:20260401', 'DTEND;VALUE=DATE:20260402', 'END:VEVENT'),
    ics('BEGIN:VEVENT', 'UID:cancelled@test', 'DTSTAMP:20260101T000000Z', 'STATUS:CANCELLED', 'DTSTART:20260317T100000Z', 'DTEND:20260317T110000Z', 'END:VEVENT'),
    ics('BEGIN:VEVENT', 'UID:free@test', 'DTSTAMP:20260101T000000Z', 'TRANSP:TRANSPARENT', 'DTSTART:20260318T100000Z', 'DTEND:20260318T110000Z', 'END:VEVENT'),
    ics('BEGIN:VEVENT', 'UID:ny@test', 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=America/New_York:20260319T090000', 'DTEND;TZID=America/New_York:20260319T100000', 'END:VEVENT'),
  ],
  home: [
    ics('BEGIN:VEVENT', 'UID:gym@test', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260320T070000Z', 'DURATION:PT30M', 'RRULE:FREQ=DAILY;COUNT=3', 'END:VEVENT'),
    ics(
      'BEGIN:VEVENT', 'UID:declined@test', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260320T120000Z', 'DTEND:20260320T130000Z',
      'ORGANIZER:mailto:bob@example.com', 'ATTENDEE;PARTSTAT=DECLINED:mailto:alice@example.com', 'END:VEVENT',
    ),
  ],
  private: [ics('BEGIN:VEVENT', 'UID:private@test', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260317T120000Z', 'DTEND:20260317T130000Z', 'END:VEVENT')],
};

const WINDOW = { from: new Date('2026-03-15T00:00:00Z'), to: new Date('2026-04-15T00:00:00Z') };

function iv(start: string, end: string): { start: string; end: string } {
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

const WORK_BERLIN = [
  iv('2026-03-16T08:00:00Z', '2026-03-16T09:00:00Z'),
  iv('2026-03-19T13:00:00Z', '2026-03-19T14:00:00Z'),
  iv('2026-03-31T12:00:00Z', '2026-03-31T13:00:00Z'), // the moved 30 March instance
  iv('2026-03-31T22:00:00Z', '2026-04-01T22:00:00Z'), // all-day 1 April in Berlin (CEST)
  iv('2026-04-06T07:00:00Z', '2026-04-06T08:00:00Z'),
  iv('2026-04-13T07:00:00Z', '2026-04-13T08:00:00Z'),
];
const HOME = [
  iv('2026-03-20T07:00:00Z', '2026-03-20T07:30:00Z'),
  iv('2026-03-21T07:00:00Z', '2026-03-21T07:30:00Z'),
  iv('2026-03-22T07:00:00Z', '2026-03-22T07:30:00Z'),
];

function sorted<T extends { start: string; end: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
}

describe('CalDAV source against Radicale', () => {
  let radicale: RadicaleServer;
  const calUrl = (name: string): string => `${radicale.url}${USER}/${name}/`;
  const base = () => ({ serverUrl: radicale.url, username: USER, password: PASS, selfAddresses: ['alice@example.com'] });

  beforeAll(async () => {
    radicale = await startRadicale({ [USER]: PASS });
    const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: USER, password: PASS }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    for (const [name, objects] of Object.entries(FIXTURES)) {
      await client.makeCalendar({ url: calUrl(name), props: { displayname: name[0].toUpperCase() + name.slice(1) } });
      const [calendar] = (await client.fetchCalendars()).filter((c) => c.url === calUrl(name));
      for (const [i, data] of objects.entries()) {
        const res = await client.createCalendarObject({ calendar, filename: `${name}-${i}.ics`, iCalString: data });
        expect(res.status).toBe(201);
      }
    }
  });
  afterAll(async () => {
    await radicale?.stop();
  });

  it('verifies the login and lists the calendars', async () => {
    const calendars = await listCalDavCalendars(base(), AbortSignal.timeout(10_000));
    expect(calendars.map((c) => [c.id, c.name]).sort()).toEqual([
      [calUrl('home'), 'Home'],
      [calUrl('private'), 'Private'],
      [calUrl('work'), 'Work'],
    ]);
  });

  it('expands every kind of event on the selected calendars exactly (zone with DST)', async () => {
    const source = createCalDavSource({ ...base(), id: 'caldav:1', timezone: 'Europe/Berlin', selectedCalendarIds: [calUrl('work'), calUrl('home')] });
    expect(source.kind).toBe('caldav');
    expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(10_000))).toEqual(sorted([...WORK_BERLIN, ...HOME]));
  });

  it('places all-day events in a zone without DST', async () => {
    const source = createCalDavSource({ ...base(), id: 'caldav:1', timezone: 'Asia/Dubai', selectedCalendarIds: [calUrl('work')] });
    const busy = await source.fetchBusy(WINDOW, AbortSignal.timeout(10_000));
    expect(busy).toContainEqual(iv('2026-03-31T20:00:00Z', '2026-04-01T20:00:00Z'));
    expect(busy).toHaveLength(WORK_BERLIN.length);
  });

  it('ignores unselected calendars, and reads all calendars when the selection is empty', async () => {
    const onlyHome = createCalDavSource({ ...base(), id: 'c', timezone: 'Europe/Berlin', selectedCalendarIds: [`/${USER}/home`] });
    expect(await onlyHome.fetchBusy(WINDOW, AbortSignal.timeout(10_000))).toEqual(HOME);
    const all = createCalDavSource({ ...base(), id: 'c', timezone: 'Europe/Berlin', selectedCalendarIds: [] });
    expect(await all.fetchBusy(WINDOW, AbortSignal.timeout(10_000))).toEqual(
      sorted([...WORK_BERLIN, ...HOME, iv('2026-03-17T12:00:00Z', '2026-03-17T13:00:00Z')]),
    );
  });

  it('counts a declined invitation as busy when it cannot know the provider address', async () => {
    const source = createCalDavSource({ serverUrl: radicale.url, username: USER, password: PASS, id: 'c', timezone: 'Europe/Berlin', selectedCalendarIds: [calUrl('home')] });
    expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(10_000))).toContainEqual(iv('2026-03-20T12:00:00Z', '2026-03-20T13:00:00Z'));
  });

  it('returns only instances overlapping a narrow window', async () => {
    const source = createCalDavSource({ ...base(), id: 'c', timezone: 'Europe/Berlin', selectedCalendarIds: [calUrl('work')] });
    const narrow = { from: new Date('2026-04-06T00:00:00Z'), to: new Date('2026-04-07T00:00:00Z') };
    expect(await source.fetchBusy(narrow, AbortSignal.timeout(10_000))).toEqual([iv('2026-04-06T07:00:00Z', '2026-04-06T08:00:00Z')]);
  });

  it('refuses a wrong password with a typed error that mentions app-specific passwords', async () => {
    const source = createCalDavSource({ ...base(), password: 'wrong', id: 'c', timezone: 'Europe/Berlin' });
    const error = await source.fetchBusy(WINDOW, AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CalendarAuthError);
    expect((error as CalendarAuthError).status).toBe(401);
    expect(describeSourceError(error)).toMatch(/app-specific password/);
    expect(describeSourceError(error)).not.toContain('wrong');
    await expect(listCalDavCalendars({ ...base(), password: 'wrong' }, AbortSignal.timeout(10_000))).rejects.toBeInstanceOf(CalendarAuthError);
  });

  it('fails fast with a clear reason when the server is down', async () => {
    const port = await freePort();
    const source = createCalDavSource({ ...base(), serverUrl: `http://127.0.0.1:${port}/`, id: 'c', timezone: 'Europe/Berlin' });
    const error = await source.fetchBusy(WINDOW, AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(describeSourceError(error)).toBe('connection refused');
  });

  it('gives up at the timeout when the server is slow', async () => {
    const proxy = await startSlowProxy(radicale.url, 3000);
    try {
      const source = createCalDavSource({ ...base(), serverUrl: proxy.url, id: 'c', timezone: 'Europe/Berlin' });
      const started = Date.now();
      const error = await source.fetchBusy(WINDOW, AbortSignal.timeout(300)).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(describeSourceError(error)).toBe('timed out');
      // The same slow server answers correctly when given the time.
      proxy.delayMs = 20;
      const ok = await source.fetchBusy(WINDOW, AbortSignal.timeout(10_000));
      expect(ok.length).toBeGreaterThan(0);
    } finally {
      await proxy.stop();
    }
  });
});
