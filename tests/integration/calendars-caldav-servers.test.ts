import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalDavSource } from '../../server/calendars/caldav.js';
import { deleteBookingFromCalDav, putBookingToCalDav, type BookingEvent } from '../../server/calendars/write-back.js';
import { startRadicale } from '../support/radicale.js';
import { startXandikos } from '../support/xandikos.js';

/**
 * CalDAV correctness against two independent servers, Radicale and Xandikos (issue 14): the same calendar objects
 * must give the same busy time on both, and write-back must create, update and delete on both. Fixed dates in June
 * 2026 (servers store whatever they are given; nothing here depends on today's date).
 */
const WINDOW = { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-07-01T00:00:00Z') };
const ZONE = 'Europe/Berlin'; // CEST, +02:00, all of June

function ics(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotline//caldav servers test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}
const VTZ_BERLIN = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];
const ev = (uid: string, ...lines: string[]): string[] => ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'];

const OBJECTS: Record<string, string> = {
  // Mondays 09:00 Berlin, four weeks: the second excluded, the third moved to Tuesday 14:00.
  'weekly.ics': ics(
    ...VTZ_BERLIN,
    ...ev('weekly@test', 'SUMMARY:Team', 'DTSTART;TZID=Europe/Berlin:20260601T090000', 'DTEND;TZID=Europe/Berlin:20260601T100000',
      'RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;TZID=Europe/Berlin:20260608T090000'),
    ...ev('weekly@test', 'SUMMARY:Team (moved)', 'RECURRENCE-ID;TZID=Europe/Berlin:20260615T090000',
      'DTSTART;TZID=Europe/Berlin:20260616T140000', 'DTEND;TZID=Europe/Berlin:20260616T150000'),
  ),
  'allday.ics': ics(...ev('allday@test', 'SUMMARY:Away', 'DTSTART;VALUE=DATE:20260610', 'DTEND;VALUE=DATE:20260611')),
  // A TZID with no VTIMEZONE in the object: the IANA zone of that name (EDT, −04:00).
  'newyork.ics': ics(...ev('ny@test', 'SUMMARY:Call', 'DTSTART;TZID=America/New_York:20260612T090000', 'DTEND;TZID=America/New_York:20260612T100000')),
  'declined.ics': ics(...ev('declined@test', 'SUMMARY:Declined', 'DTSTART:20260611T120000Z', 'DTEND:20260611T130000Z',
    'ORGANIZER:mailto:boss@example.com', 'ATTENDEE;PARTSTAT=DECLINED:mailto:kim@example.com')),
  'accepted.ics': ics(...ev('accepted@test', 'SUMMARY:Accepted', 'DTSTART:20260611T150000Z', 'DTEND:20260611T160000Z',
    'ORGANIZER:mailto:boss@example.com', 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:kim@example.com')),
};
const EXPECTED = [
  { start: '2026-06-01T07:00:00.000Z', end: '2026-06-01T08:00:00.000Z' },
  { start: '2026-06-09T22:00:00.000Z', end: '2026-06-10T22:00:00.000Z' },
  { start: '2026-06-11T15:00:00.000Z', end: '2026-06-11T16:00:00.000Z' },
  { start: '2026-06-12T13:00:00.000Z', end: '2026-06-12T14:00:00.000Z' },
  { start: '2026-06-16T12:00:00.000Z', end: '2026-06-16T13:00:00.000Z' },
  { start: '2026-06-22T07:00:00.000Z', end: '2026-06-22T08:00:00.000Z' },
];

interface Server {
  url: string;
  calendarUrl: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

const SERVERS: Record<string, () => Promise<Server>> = {
  Radicale: async () => {
    const r = await startRadicale({ kim: 'kim-pass' });
    const client = await createDAVClient({ serverUrl: r.url, credentials: { username: 'kim', password: 'kim-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    await client.makeCalendar({ url: `${r.url}kim/work/`, props: { displayname: 'Work' } });
    return { url: r.url, calendarUrl: `${r.url}kim/work/`, username: 'kim', password: 'kim-pass', stop: () => r.stop() };
  },
  Xandikos: async () => {
    const x = await startXandikos();
    return { url: x.url, calendarUrl: x.calendarUrl, username: 'kim', password: 'kim-pass', stop: () => x.stop() };
  },
};

describe.each(Object.keys(SERVERS))('CalDAV against %s', (name) => {
  let server: Server;
  const auth = () => `Basic ${Buffer.from(`${server.username}:${server.password}`).toString('base64')}`;
  const creds = () => ({ serverUrl: server.url, username: server.username, password: server.password });
  const busy = () =>
    createCalDavSource({ ...creds(), id: 'check', timezone: ZONE, selfAddresses: ['kim@example.com'] }).fetchBusy(WINDOW, AbortSignal.timeout(15_000));
  /** The stored object of a booking, parsed; null when it is gone. */
  async function stored(bookingId: string): Promise<{ uid: string; sequence: number; start: string; summary: string } | null> {
    const res = await fetch(`${server.calendarUrl}${bookingId}.ics`, { headers: { authorization: auth() } });
    if (res.status === 404) return null;
    expect(res.status).toBe(200);
    const [v] = new ICAL.Component(ICAL.parse(await res.text())).getAllSubcomponents('vevent');
    return {
      uid: String(v.getFirstPropertyValue('uid')),
      sequence: Number(v.getFirstPropertyValue('sequence') ?? 0),
      start: (v.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(),
      summary: String(v.getFirstPropertyValue('summary')),
    };
  }

  beforeAll(async () => {
    server = await SERVERS[name]();
    for (const [file, body] of Object.entries(OBJECTS)) {
      const res = await fetch(`${server.calendarUrl}${file}`, {
        method: 'PUT', headers: { authorization: auth(), 'content-type': 'text/calendar; charset=utf-8', 'if-none-match': '*' }, body,
      });
      expect(res.status, `${name} stores ${file}`).toBeLessThan(300);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('weekly series with EXDATE and a moved occurrence, all-day event, TZID without VTIMEZONE, declined invitation', async () => {
    expect(await busy()).toEqual(EXPECTED);
  });

  it('write-back creates, updates (higher SEQUENCE) and deletes the booking event; Slotline’s own event is never busy', async () => {
    const id = randomUUID();
    const booking: BookingEvent = {
      id, start: '2026-06-17T10:00:00Z', end: '2026-06-17T11:00:00Z', summary: 'Intro call: Sam Lee', customerName: 'Sam Lee',
      customerEmail: 'sam@example.com', location: 'https://meet.jit.si/slotline-test', notes: 'Bring the plans', sequence: 0,
    };
    const signal = () => AbortSignal.timeout(15_000);
    await putBookingToCalDav(creds(), server.calendarUrl, booking, signal());
    expect(await stored(id)).toEqual({ uid: `${id}@slotline`, sequence: 0, start: '2026-06-17T10:00:00.000Z', summary: 'Intro call: Sam Lee' });
    expect(await busy()).toEqual(EXPECTED);

    await putBookingToCalDav(creds(), server.calendarUrl, { ...booking, start: '2026-06-18T13:00:00Z', end: '2026-06-18T14:00:00Z', sequence: 1 }, signal());
    expect(await stored(id)).toEqual({ uid: `${id}@slotline`, sequence: 1, start: '2026-06-18T13:00:00.000Z', summary: 'Intro call: Sam Lee' });
    expect(await busy()).toEqual(EXPECTED);

    await deleteBookingFromCalDav(creds(), server.calendarUrl, id, signal());
    expect(await stored(id)).toBeNull();
    // Deleting again (a retried job) is fine.
    await deleteBookingFromCalDav(creds(), server.calendarUrl, id, signal());
    expect(await busy()).toEqual(EXPECTED);
  });
});
