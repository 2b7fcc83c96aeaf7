import { describe, expect, it } from 'vitest';
import { expandBusy } from '../../server/calendars/index.js';

/** Wraps VEVENT/VTIMEZONE lines into a VCALENDAR with CRLF line ends, as servers send them. */
function cal(...parts: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotline//tests//EN', ...parts, 'END:VCALENDAR', ''].join('\r\n');
}

function vevent(...lines: string[]): string {
  const uid = lines.some((l) => l.startsWith('UID:')) ? [] : [`UID:${Math.random().toString(36).slice(2)}@test`];
  return ['BEGIN:VEVENT', ...uid, 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'].join('\r\n');
}

const BERLIN_VTIMEZONE = (tzid = 'Europe/Berlin'): string =>
  [
    'BEGIN:VTIMEZONE',
    `TZID:${tzid}`,
    'BEGIN:DAYLIGHT',
    'TZOFFSETFROM:+0100',
    'TZOFFSETTO:+0200',
    'TZNAME:CEST',
    'DTSTART:19700329T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    'END:DAYLIGHT',
    'BEGIN:STANDARD',
    'TZOFFSETFROM:+0200',
    'TZOFFSETTO:+0100',
    'TZNAME:CET',
    'DTSTART:19701025T030000',
    'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    'END:STANDARD',
    'END:VTIMEZONE',
  ].join('\r\n');

const YEAR_2026 = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
const DUBAI = { timezone: 'Asia/Dubai' };

function starts(list: { start: string }[]): string[] {
  return list.map((i) => i.start);
}

function iv(start: string, end: string): { start: string; end: string } {
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

describe('expandBusy: single events and the window', () => {
  const ics = cal(
    vevent('DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z'),
    vevent('DTSTART:20260310T070000Z', 'DTEND:20260310T080000Z'),
    vevent('DTSTART:20260309T220000Z', 'DTEND:20260310T003000Z'),
    vevent('DTSTART:20260311T000000Z', 'DTEND:20260311T010000Z'),
  );

  it('returns instances overlapping the window, sorted, as UTC ISO strings', () => {
    const out = expandBusy(ics, { from: new Date('2026-03-10T00:00:00Z'), to: new Date('2026-03-11T00:00:00Z') }, DUBAI);
    expect(out).toEqual([
      iv('2026-03-09T22:00:00Z', '2026-03-10T00:30:00Z'),
      iv('2026-03-10T07:00:00Z', '2026-03-10T08:00:00Z'),
      iv('2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z'),
    ]);
  });

  it('treats the window as half-open: touching intervals are not overlapping', () => {
    const out = expandBusy(ics, { from: '2026-03-10T08:00:00Z', to: '2026-03-10T09:00:00Z' }, DUBAI);
    expect(out).toEqual([]);
  });

  it('ignores zero-length events and events without DTSTART', () => {
    const out = expandBusy(
      cal(vevent('DTSTART:20260310T090000Z'), vevent('SUMMARY:no start'), vevent('DTSTART:20260310T090000Z', 'DTEND:20260310T090000Z')),
      YEAR_2026,
      DUBAI,
    );
    expect(out).toEqual([]);
  });

  it('keeps every event when a feed repeats a UID without RECURRENCE-ID', () => {
    const out = expandBusy(
      cal(vevent('UID:dup@test', 'DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z'), vevent('UID:dup@test', 'DTSTART:20260311T090000Z', 'DTEND:20260311T100000Z')),
      YEAR_2026,
      DUBAI,
    );
    expect(starts(out)).toEqual(['2026-03-10T09:00:00.000Z', '2026-03-11T09:00:00.000Z']);
  });

  it('rejects an invalid window', () => {
    expect(() => expandBusy(ics, { from: 'nope', to: '2026-03-10T00:00:00Z' }, DUBAI)).toThrow(/window/);
  });

  it('reads several VCALENDARs in one text', () => {
    const two = cal(vevent('DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z')) + cal(vevent('DTSTART:20260312T090000Z', 'DTEND:20260312T100000Z'));
    expect(starts(expandBusy(two, YEAR_2026, DUBAI))).toEqual(['2026-03-10T09:00:00.000Z', '2026-03-12T09:00:00.000Z']);
  });
});

describe('expandBusy: recurrence rules', () => {
  it('counts DTSTART as the first instance even when the rule does not match it', () => {
    // Monday 2026-03-02; rule says Tuesdays and Thursdays.
    const ics = cal(vevent('DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', 'RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=3'));
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual([
      '2026-03-02T09:00:00.000Z',
      '2026-03-03T09:00:00.000Z',
      '2026-03-05T09:00:00.000Z',
    ]);
  });

  it('applies COUNT before EXDATE', () => {
    const ics = cal(vevent('DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', 'RRULE:FREQ=DAILY;COUNT=3', 'EXDATE:20260303T090000Z'));
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-04T09:00:00.000Z']);
  });

  it('includes the UNTIL instant itself', () => {
    const ics = cal(vevent('DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', 'RRULE:FREQ=DAILY;UNTIL=20260304T090000Z'));
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual([
      '2026-03-02T09:00:00.000Z',
      '2026-03-03T09:00:00.000Z',
      '2026-03-04T09:00:00.000Z',
    ]);
  });

  it('compares a UTC UNTIL with the instance instant, not its wall time', () => {
    // 09:00 New York on 2026-03-09 is 13:00Z, after UNTIL 10:00Z, so the series ends on the 8th.
    const ics = cal(
      vevent('DTSTART;TZID=America/New_York:20260306T090000', 'DTEND;TZID=America/New_York:20260306T093000', 'RRULE:FREQ=DAILY;UNTIL=20260309T100000Z'),
    );
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual([
      '2026-03-06T14:00:00.000Z',
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
    ]);
  });

  it('treats a DATE UNTIL as inclusive of that whole day', () => {
    const ics = cal(vevent('DTSTART;VALUE=DATE:20260302', 'RRULE:FREQ=DAILY;UNTIL=20260304'));
    expect(expandBusy(ics, YEAR_2026, DUBAI)).toEqual([
      iv('2026-03-01T20:00:00Z', '2026-03-02T20:00:00Z'),
      iv('2026-03-02T20:00:00Z', '2026-03-03T20:00:00Z'),
      iv('2026-03-03T20:00:00Z', '2026-03-04T20:00:00Z'),
    ]);
  });

  it('removes EXDATEs given in another zone than DTSTART, and DATE exdates of timed series', () => {
    const ics = cal(
      vevent(
        'DTSTART;TZID=Europe/Berlin:20260302T090000',
        'DTEND;TZID=Europe/Berlin:20260302T100000',
        'RRULE:FREQ=DAILY;COUNT=5',
        'EXDATE:20260303T080000Z',
        'EXDATE;TZID=Europe/Berlin:20260304T090000',
        'EXDATE;VALUE=DATE:20260305',
      ),
    );
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual(['2026-03-02T08:00:00.000Z', '2026-03-06T08:00:00.000Z']);
  });

  it('adds RDATE instances (date-times keep the event length, periods their own)', () => {
    const ics = cal(
      vevent(
        'DTSTART:20260302T090000Z',
        'DTEND:20260302T100000Z',
        'RRULE:FREQ=WEEKLY;COUNT=2',
        'RDATE:20260304T150000Z,20260309T090000Z',
        'RDATE;VALUE=PERIOD:20260320T100000Z/PT2H',
      ),
    );
    expect(expandBusy(ics, YEAR_2026, DUBAI)).toEqual([
      iv('2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z'),
      iv('2026-03-04T15:00:00Z', '2026-03-04T16:00:00Z'),
      iv('2026-03-09T09:00:00Z', '2026-03-09T10:00:00Z'),
      iv('2026-03-20T10:00:00Z', '2026-03-20T12:00:00Z'),
    ]);
  });

  it('expands an old open-ended series only up to the window', () => {
    const ics = cal(vevent('DTSTART:20160104T090000Z', 'DTEND:20160104T100000Z', 'RRULE:FREQ=DAILY'));
    const started = Date.now();
    const out = expandBusy(ics, { from: '2026-03-02T00:00:00Z', to: '2026-03-09T00:00:00Z' }, DUBAI);
    expect(out).toHaveLength(7);
    expect(out[0]).toEqual(iv('2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z'));
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('monthly on the 31st skips short months', () => {
    const ics = cal(vevent('DTSTART:20260131T120000Z', 'DURATION:PT1H', 'RRULE:FREQ=MONTHLY;COUNT=3'));
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual([
      '2026-01-31T12:00:00.000Z',
      '2026-03-31T12:00:00.000Z',
      '2026-05-31T12:00:00.000Z',
    ]);
  });
});

describe('expandBusy: overridden instances (RECURRENCE-ID)', () => {
  const master = vevent(
    'UID:series@test',
    'DTSTART;TZID=Europe/Berlin:20260302T090000',
    'DTEND;TZID=Europe/Berlin:20260302T100000',
    'RRULE:FREQ=DAILY;COUNT=5',
  );

  it('replaces, moves, cancels and frees single instances', () => {
    const ics = cal(
      BERLIN_VTIMEZONE(),
      master,
      // 3rd: moved to the afternoon and made longer.
      vevent('UID:series@test', 'RECURRENCE-ID;TZID=Europe/Berlin:20260303T090000', 'DTSTART;TZID=Europe/Berlin:20260303T140000', 'DTEND;TZID=Europe/Berlin:20260303T160000'),
      // 4th: cancelled (recurrence id written in UTC).
      vevent('UID:series@test', 'RECURRENCE-ID:20260304T080000Z', 'STATUS:CANCELLED', 'DTSTART;TZID=Europe/Berlin:20260304T090000', 'DTEND;TZID=Europe/Berlin:20260304T100000'),
      // 5th: kept but marked free.
      vevent('UID:series@test', 'RECURRENCE-ID;TZID=Europe/Berlin:20260305T090000', 'TRANSP:TRANSPARENT', 'DTSTART;TZID=Europe/Berlin:20260305T090000', 'DTEND;TZID=Europe/Berlin:20260305T100000'),
      // 6th: moved to another day entirely.
      vevent('UID:series@test', 'RECURRENCE-ID;TZID=Europe/Berlin:20260306T090000', 'DTSTART;TZID=Europe/Berlin:20260310T090000', 'DTEND;TZID=Europe/Berlin:20260310T093000'),
    );
    expect(expandBusy(ics, YEAR_2026, DUBAI)).toEqual([
      iv('2026-03-02T08:00:00Z', '2026-03-02T09:00:00Z'),
      iv('2026-03-03T13:00:00Z', '2026-03-03T15:00:00Z'),
      iv('2026-03-10T08:00:00Z', '2026-03-10T08:30:00Z'),
    ]);
  });

  it('a moved instance counts where it lands, not where it came from', () => {
    const ics = cal(
      master,
      vevent('UID:series@test', 'RECURRENCE-ID;TZID=Europe/Berlin:20260302T090000', 'DTSTART;TZID=Europe/Berlin:20260320T090000', 'DTEND;TZID=Europe/Berlin:20260320T100000'),
    );
    expect(expandBusy(ics, { from: '2026-03-15T00:00:00Z', to: '2026-03-25T00:00:00Z' }, DUBAI)).toEqual([
      iv('2026-03-20T08:00:00Z', '2026-03-20T09:00:00Z'),
    ]);
    expect(starts(expandBusy(ics, { from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z' }, DUBAI))).toEqual([]);
  });

  it('an override without its master still counts (invited to one instance)', () => {
    const ics = cal(vevent('UID:lonely@test', 'RECURRENCE-ID:20260302T090000Z', 'DTSTART:20260302T110000Z', 'DTEND:20260302T120000Z'));
    expect(expandBusy(ics, YEAR_2026, DUBAI)).toEqual([iv('2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z')]);
  });

  it('overrides of all-day series match by date', () => {
    const ics = cal(
      vevent('UID:allday@test', 'DTSTART;VALUE=DATE:20260302', 'DTEND;VALUE=DATE:20260303', 'RRULE:FREQ=DAILY;COUNT=3'),
      vevent('UID:allday@test', 'RECURRENCE-ID;VALUE=DATE:20260303', 'STATUS:CANCELLED', 'DTSTART;VALUE=DATE:20260303', 'DTEND;VALUE=DATE:20260304'),
    );
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual(['2026-03-01T20:00:00.000Z', '2026-03-03T20:00:00.000Z']);
  });
});

describe('expandBusy: time zones', () => {
  it('places TZID times with the VTIMEZONE in the object, across the spring DST change', () => {
    const ics = cal(
      BERLIN_VTIMEZONE(),
      vevent('DTSTART;TZID=Europe/Berlin:20260316T090000', 'DTEND;TZID=Europe/Berlin:20260316T100000', 'RRULE:FREQ=WEEKLY;COUNT=4'),
    );
    expect(expandBusy(ics, YEAR_2026, DUBAI)).toEqual([
      iv('2026-03-16T08:00:00Z', '2026-03-16T09:00:00Z'),
      iv('2026-03-23T08:00:00Z', '2026-03-23T09:00:00Z'),
      iv('2026-03-30T07:00:00Z', '2026-03-30T08:00:00Z'),
      iv('2026-04-06T07:00:00Z', '2026-04-06T08:00:00Z'),
    ]);
  });

  it('uses the VTIMEZONE even when its TZID is not an IANA name (Outlook)', () => {
    const ics = cal(
      BERLIN_VTIMEZONE('W. Europe Standard Time'),
      vevent('DTSTART;TZID=W. Europe Standard Time:20261019T090000', 'DTEND;TZID=W. Europe Standard Time:20261019T100000', 'RRULE:FREQ=WEEKLY;COUNT=2'),
    );
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual(['2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  });

  it('prefers the object VTIMEZONE over the IANA zone of the same name', () => {
    const fixed = ['BEGIN:VTIMEZONE', 'TZID:Europe/Berlin', 'BEGIN:STANDARD', 'TZOFFSETFROM:+0300', 'TZOFFSETTO:+0300', 'DTSTART:19700101T000000', 'END:STANDARD', 'END:VTIMEZONE'].join('\r\n');
    const ics = cal(fixed, vevent('DTSTART;TZID=Europe/Berlin:20260701T090000', 'DTEND;TZID=Europe/Berlin:20260701T100000'));
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual(['2026-07-01T06:00:00.000Z']);
  });

  it('resolves a TZID naming an IANA zone without VTIMEZONE (New York, DST on 8 March)', () => {
    const ics = cal(vevent('DTSTART;TZID=America/New_York:20260306T090000', 'DTEND;TZID=America/New_York:20260306T100000', 'RRULE:FREQ=DAILY;COUNT=4'));
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual([
      '2026-03-06T14:00:00.000Z',
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('resolves vendor-prefixed TZIDs and falls back to the provider zone for unknown ones', () => {
    const ics = cal(
      vevent('DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260701T090000', 'DTEND;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260701T100000'),
      vevent('DTSTART;TZID=Mars Standard Time:20260702T090000', 'DTEND;TZID=Mars Standard Time:20260702T100000'),
    );
    expect(starts(expandBusy(ics, YEAR_2026, DUBAI))).toEqual(['2026-07-01T07:00:00.000Z', '2026-07-02T05:00:00.000Z']);
  });

  it('places floating times in the provider zone (with and without DST)', () => {
    const ics = cal(vevent('DTSTART:20260706T090000', 'DTEND:20260706T100000'));
    expect(expandBusy(ics, YEAR_2026, { timezone: 'Asia/Dubai' })).toEqual([iv('2026-07-06T05:00:00Z', '2026-07-06T06:00:00Z')]);
    expect(expandBusy(ics, YEAR_2026, { timezone: 'Europe/London' })).toEqual([iv('2026-07-06T08:00:00Z', '2026-07-06T09:00:00Z')]);
  });

  it('moves a local time in a DST gap forward (IANA zone and VTIMEZONE)', () => {
    const ny = cal(vevent('DTSTART;TZID=America/New_York:20260307T023000', 'DTEND;TZID=America/New_York:20260307T033000', 'RRULE:FREQ=DAILY;COUNT=3'));
    expect(expandBusy(ny, YEAR_2026, DUBAI)).toEqual([
      iv('2026-03-07T07:30:00Z', '2026-03-07T08:30:00Z'),
      iv('2026-03-08T07:30:00Z', '2026-03-08T08:30:00Z'), // 02:30 does not exist: 03:30 EDT
      iv('2026-03-09T06:30:00Z', '2026-03-09T07:30:00Z'),
    ]);
    const berlin = cal(
      BERLIN_VTIMEZONE(),
      vevent('DTSTART;TZID=Europe/Berlin:20260328T023000', 'DTEND;TZID=Europe/Berlin:20260328T030000', 'RRULE:FREQ=DAILY;COUNT=3'),
    );
    expect(starts(expandBusy(berlin, YEAR_2026, DUBAI))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z', // 03:30 CEST
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('reads an ambiguous local time as its first occurrence (IANA zone and VTIMEZONE)', () => {
    const ny = cal(vevent('DTSTART;TZID=America/New_York:20261101T013000', 'DTEND;TZID=America/New_York:20261101T020000'));
    // 01:30 EDT (first) → 05:30Z; 02:00 local exists only after the change (EST) → 07:00Z.
    expect(expandBusy(ny, YEAR_2026, DUBAI)).toEqual([iv('2026-11-01T05:30:00Z', '2026-11-01T07:00:00Z')]);
    const berlin = cal(BERLIN_VTIMEZONE(), vevent('DTSTART;TZID=Europe/Berlin:20261025T023000', 'DTEND;TZID=Europe/Berlin:20261025T030000'));
    // 02:30 CEST (first) → 00:30Z; 03:00 local is unambiguous CET → 02:00Z: the instance lasts 90 minutes.
    expect(expandBusy(berlin, YEAR_2026, DUBAI)).toEqual([iv('2026-10-25T00:30:00Z', '2026-10-25T02:00:00Z')]);
  });

  it('keeps the exact DTEND − DTSTART length on every instance', () => {
    // The first instance spans the spring change: 24 local hours = 23 exact hours.
    const ics = cal(
      vevent('DTSTART;TZID=Europe/Berlin:20260328T120000', 'DTEND;TZID=Europe/Berlin:20260329T120000', 'RRULE:FREQ=WEEKLY;COUNT=2'),
    );
    expect(expandBusy(ics, YEAR_2026, DUBAI)).toEqual([
      iv('2026-03-28T11:00:00Z', '2026-03-29T10:00:00Z'),
      iv('2026-04-04T10:00:00Z', '2026-04-05T09:00:00Z'),
    ]);
  });

  it('honours DTEND in a different zone than DTSTART', () => {
    const ics = cal(vevent('DTSTART;TZID=Europe/Berlin:20260701T090000', 'DTEND;TZID=America/New_York:20260701T090000'));
    expect(expandBusy(ics, YEAR_2026, DUBAI)).toEqual([iv('2026-07-01T07:00:00Z', '2026-07-01T13:00:00Z')]);
  });
});

describe('expandBusy: all-day and DURATION-only events', () => {
  it('blocks the provider-local day (no DST zone)', () => {
    const ics = cal(vevent('DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260311'), vevent('DTSTART;VALUE=DATE:20260320'));
    expect(expandBusy(ics, YEAR_2026, { timezone: 'Asia/Dubai' })).toEqual([
      iv('2026-03-09T20:00:00Z', '2026-03-10T20:00:00Z'),
      iv('2026-03-19T20:00:00Z', '2026-03-20T20:00:00Z'),
    ]);
  });

  it('blocks several local days, and a 23-hour day on the DST change', () => {
    const ics = cal(vevent('DTSTART;VALUE=DATE:20260328', 'DTEND;VALUE=DATE:20260331'), vevent('DTSTART;VALUE=DATE:20260329'));
    expect(expandBusy(ics, YEAR_2026, { timezone: 'Europe/Berlin' })).toEqual([
      iv('2026-03-27T23:00:00Z', '2026-03-30T22:00:00Z'),
      iv('2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z'),
    ]);
  });

  it('repeats yearly all-day events', () => {
    const ics = cal(vevent('DTSTART;VALUE=DATE:20200615', 'DTEND;VALUE=DATE:20200616', 'RRULE:FREQ=YEARLY'));
    expect(expandBusy(ics, YEAR_2026, { timezone: 'Asia/Dubai' })).toEqual([iv('2026-06-14T20:00:00Z', '2026-06-15T20:00:00Z')]);
  });

  it('uses DURATION when there is no DTEND: hours exact, days nominal', () => {
    const ics = cal(
      vevent('DTSTART:20260310T090000Z', 'DURATION:PT1H30M'),
      vevent('DTSTART;TZID=Europe/Berlin:20260328T120000', 'DURATION:P1D'),
      vevent('DTSTART;VALUE=DATE:20260401', 'DURATION:P2D'),
    );
    expect(expandBusy(ics, YEAR_2026, { timezone: 'Asia/Dubai' })).toEqual([
      iv('2026-03-10T09:00:00Z', '2026-03-10T10:30:00Z'),
      iv('2026-03-28T11:00:00Z', '2026-03-29T10:00:00Z'),
      iv('2026-03-31T20:00:00Z', '2026-04-02T20:00:00Z'),
    ]);
  });
});

describe('expandBusy: what is not busy', () => {
  const at = (n: number): string => `DTSTART:202603${String(n).padStart(2, '0')}T090000Z`;
  const end = (n: number): string => `DTEND:202603${String(n).padStart(2, '0')}T100000Z`;
  const ics = cal(
    vevent(at(2), end(2), 'TRANSP:TRANSPARENT'),
    vevent(at(3), end(3), 'STATUS:CANCELLED'),
    vevent(at(4), end(4), 'ORGANIZER:mailto:boss@example.com', 'ATTENDEE;PARTSTAT=DECLINED:mailto:Me@Example.com'),
    vevent(at(5), end(5), 'ORGANIZER:mailto:boss@example.com', 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@example.com'),
    vevent(at(6), end(6), 'ORGANIZER:mailto:boss@example.com', 'ATTENDEE:mailto:me@example.com'),
    vevent(at(9), end(9), 'ORGANIZER:mailto:boss@example.com', 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.com', 'ATTENDEE;PARTSTAT=DECLINED:mailto:other@example.com'),
    vevent(at(10), end(10), 'ORGANIZER:mailto:me@example.com', 'ATTENDEE;PARTSTAT=DECLINED:mailto:other@example.com'),
    vevent(at(11), end(11), 'STATUS:TENTATIVE', 'TRANSP:OPAQUE'),
    vevent(at(12), end(12), 'X-MICROSOFT-CDO-BUSYSTATUS:FREE'),
    vevent(at(13), end(13), 'STATUS:CANCELLED', 'RRULE:FREQ=DAILY;COUNT=3'),
  );
  const days = (opts: Parameters<typeof expandBusy>[2]): number[] =>
    expandBusy(ics, YEAR_2026, opts).map((i) => new Date(i.start).getUTCDate());

  it('skips transparent, cancelled and declined events; unanswered invitations are busy by default', () => {
    expect(days({ timezone: 'Asia/Dubai', selfAddresses: ['me@example.com'] })).toEqual([5, 6, 9, 10, 11]);
  });

  it('skips unanswered invitations when the provider turns that off', () => {
    expect(days({ timezone: 'Asia/Dubai', selfAddresses: ['mailto:ME@example.com'], unansweredBusy: false })).toEqual([9, 10, 11]);
  });

  it('cannot tell a declined invitation without the provider addresses, so keeps it busy', () => {
    expect(days({ timezone: 'Asia/Dubai' })).toEqual([4, 5, 6, 9, 10, 11]);
  });
});

describe('expandBusy: VFREEBUSY', () => {
  it('counts busy periods and skips FBTYPE=FREE', () => {
    const ics = cal(
      [
        'BEGIN:VFREEBUSY',
        'DTSTAMP:20260101T000000Z',
        'FREEBUSY:20260310T090000Z/20260310T100000Z,20260311T090000Z/PT30M',
        'FREEBUSY;FBTYPE=FREE:20260312T090000Z/20260312T100000Z',
        'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260313T090000Z/20260313T100000Z',
        'END:VFREEBUSY',
      ].join('\r\n'),
    );
    expect(expandBusy(ics, YEAR_2026, DUBAI)).toEqual([
      iv('2026-03-10T09:00:00Z', '2026-03-10T10:00:00Z'),
      iv('2026-03-11T09:00:00Z', '2026-03-11T09:30:00Z'),
      iv('2026-03-13T09:00:00Z', '2026-03-13T10:00:00Z'),
    ]);
  });
});
