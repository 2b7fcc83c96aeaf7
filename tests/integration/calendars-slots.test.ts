import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshIfStale } from '../../server/calendars/cache.js';
import { encryptSecret } from '../../server/secrets/crypto.js';
import { makeProvider } from '../support/fixtures.js';
import { startRadicale, type RadicaleServer } from '../support/radicale.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * End to end: real events on Radicale → busy cache → the public slots endpoint offers exactly the free times,
 * in a zone with DST (around the next spring change) and one without.
 */
const KEY = randomBytes(32);
const BERLIN = 'Europe/Berlin';
const DUBAI = 'Asia/Dubai';

/** The next last Sunday of March (Europe's spring change) at least a week away. */
function nextSpringChange(): DateTime {
  for (let year = DateTime.now().year; ; year++) {
    let d = DateTime.fromObject({ year, month: 3, day: 31 }, { zone: BERLIN });
    while (d.weekday !== 7) d = d.minus({ days: 1 });
    if (d > DateTime.now().plus({ days: 7 })) return d;
  }
}
const DST = nextSpringChange();
const S1 = DST.minus({ days: 8 });
const S2 = DST.minus({ days: 1 });
const S3 = DST.plus({ days: 6 });
const D = S1.minus({ days: 14 }).setZone(DUBAI, { keepLocalTime: true });

const local = (d: DateTime, hm: string): string => `${d.toFormat('yyyyLLdd')}T${hm.replace(':', '')}00`;
const date = (d: DateTime): string => d.toFormat('yyyyLLdd');

function ics(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotline//tests//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}
const VTZ_BERLIN = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];
const ev = (uid: string, ...lines: string[]): string[] => ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'];

const CALENDARS: Record<string, string[]> = {
  work: [
    // Saturdays 10:00 Berlin across the DST change, the middle one excluded.
    ics(...VTZ_BERLIN, ...ev('sat', `DTSTART;TZID=Europe/Berlin:${local(S1, '10:00')}`, `DTEND;TZID=Europe/Berlin:${local(S1, '11:00')}`,
      'RRULE:FREQ=WEEKLY;COUNT=3', `EXDATE;TZID=Europe/Berlin:${local(S2, '10:00')}`)),
    ics(...ev('cancelled', 'STATUS:CANCELLED', `DTSTART;TZID=Europe/Berlin:${local(S2, '11:00')}`, `DTEND;TZID=Europe/Berlin:${local(S2, '12:00')}`)),
  ],
  home: [ics(...ev('dst-day', `DTSTART;VALUE=DATE:${date(DST)}`, `DTEND;VALUE=DATE:${date(DST.plus({ days: 1 }))}`))],
  private: [ics(...ev('private', `DTSTART;TZID=Europe/Berlin:${local(S2, '09:00')}`, `DTEND;TZID=Europe/Berlin:${local(S2, '10:00')}`))],
  dubai: [
    ics(...ev('allday', `DTSTART;VALUE=DATE:${date(D)}`)),
    ics(...ev('berlin-morning', `DTSTART;TZID=Europe/Berlin:${local(D.plus({ days: 1 }), '08:00')}`, `DTEND;TZID=Europe/Berlin:${local(D.plus({ days: 1 }), '09:00')}`)),
    ics(...ev('floating', `DTSTART:${local(D.plus({ days: 2 }), '10:00')}`, `DTEND:${local(D.plus({ days: 2 }), '11:00')}`)),
  ],
};

describe('slots endpoint with CalDAV busy time (Radicale)', () => {
  let server: TestServer;
  let radicale: RadicaleServer;
  const calUrl = (name: string) => `${radicale.url}kim/${name}/`;

  async function provider(slug: string, timezone: string, calendars: string[]): Promise<string> {
    const p = await makeProvider(server.db, {
      slug, timezone,
      settings: {
        workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '12:00' },
        booking: { slotStepMinutes: 60, horizonDays: 500, minNoticeMinutes: 0 },
      },
      services: [{ slug: 'call', title: 'Call', durationMinutes: 60 }],
    });
    await server.db.rpc('connect_calendar', {
      p_provider_slug: slug, p_kind: 'caldav', p_label: 'Radicale', p_external_username: 'kim', p_external_email: null,
      p_secret: encryptSecret({ serverUrl: radicale.url, username: 'kim', password: 'kim-pass' }, KEY),
      p_selected_calendar_ids: calendars.map(calUrl),
    });
    const report = await refreshIfStale(server.db, p.id, { secretsKey: KEY, google: null, force: true, horizonDays: 500, log: () => {} });
    expect(report.failed).toEqual([]);
    return p.id;
  }

  /** Offered local start times per local day. */
  async function offered(slug: string, zone: string, from: DateTime, to: DateTime): Promise<Record<string, string[]>> {
    const res = await fetch(`${server.url}/api/providers/${slug}/slots?service=call&from=${from.toISODate()}&to=${to.toISODate()}&tz=${zone}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { slots: { start: string }[] };
    const days: Record<string, string[]> = {};
    for (const s of body.slots) {
      const t = DateTime.fromISO(s.start, { zone });
      (days[t.toISODate()!] ??= []).push(t.toFormat('HH:mm'));
    }
    return days;
  }

  beforeAll(async () => {
    [server, radicale] = await Promise.all([startTestServer({ seed: false }), startRadicale({ kim: 'kim-pass' })]);
    const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'kim', password: 'kim-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    for (const [name, objects] of Object.entries(CALENDARS)) {
      await client.makeCalendar({ url: calUrl(name), props: { displayname: name } });
      const [calendar] = (await client.fetchCalendars()).filter((c) => c.url === calUrl(name));
      for (const [i, data] of objects.entries()) await client.createCalendarObject({ calendar, filename: `${name}-${i}.ics`, iCalString: data });
    }
  });
  afterAll(async () => {
    await Promise.all([server?.close(), radicale?.stop()]);
  });

  it('excludes exactly the busy times around a DST change (Europe/Berlin), from selected calendars only', async () => {
    await provider('berlin', BERLIN, ['work', 'home']);
    const days = await offered('berlin', BERLIN, S1, S3);
    const all = ['09:00', '10:00', '11:00'];
    expect(days[S1.toISODate()!]).toEqual(['09:00', '11:00']);
    expect(days[S2.toISODate()!]).toEqual(all); // excluded instance, cancelled event, unselected calendar
    expect(days[DST.toISODate()!]).toBeUndefined(); // all-day on the 23-hour day
    expect(days[DST.plus({ days: 1 }).toISODate()!]).toEqual(all);
    expect(days[S3.toISODate()!]).toEqual(['09:00', '11:00']); // same local time after the change
  });

  it('places all-day, TZID and floating events in a zone without DST (Asia/Dubai)', async () => {
    await provider('dubai', DUBAI, ['dubai']);
    const days = await offered('dubai', DUBAI, D, D.plus({ days: 3 }));
    expect(days[D.toISODate()!]).toBeUndefined();
    expect(days[D.plus({ days: 1 }).toISODate()!]).toEqual(['09:00', '10:00']); // 08:00 Berlin = 11:00 Dubai
    expect(days[D.plus({ days: 2 }).toISODate()!]).toEqual(['09:00', '11:00']); // floating 10:00 in Dubai
    expect(days[D.plus({ days: 3 }).toISODate()!]).toEqual(['09:00', '10:00', '11:00']);
  });
});
