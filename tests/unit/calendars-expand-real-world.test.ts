import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expandBusy, type ExpandOptions } from '../../server/calendars/expand.js';
import { bookingIcs } from '../../server/calendars/write-back.js';

/**
 * Regression suite for issue 14's real-world calendar files: each defect `expandBusy` showed against calendars
 * exported by Google, Outlook/Exchange, iCloud, Thunderbird, Nextcloud and iCalcreator, as the smallest hand-written
 * calendar that shows it. Expected answers are worked out by hand in the comments.
 */
function cal(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotline//real-world tests//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}
function ev(uid: string, ...lines: string[]): string[] {
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'];
}
const span = (start: string, end: string) => ({ start: new Date(start).toISOString(), end: new Date(end).toISOString() });
const YEARS = { from: '2010-01-01T00:00:00Z', to: '2031-01-01T00:00:00Z' };
const DUBAI: ExpandOptions = { timezone: 'Asia/Dubai' }; // +04:00 all year, no DST
const LA: ExpandOptions = { timezone: 'America/Los_Angeles' };

describe('1. one malformed property never loses the whole calendar', () => {
  it('BYDAY with spaces (Microsoft CDO/Exchange) is read as the list it means', () => {
    const text = cal(...ev('cdo', 'DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', 'RRULE:FREQ=WEEKLY;BYDAY=MO, TU, WE;COUNT=3'));
    expect(expandBusy(text, YEARS, DUBAI)).toEqual([
      span('2026-03-02T09:00Z', '2026-03-02T10:00Z'), // Monday = DTSTART
      span('2026-03-03T09:00Z', '2026-03-03T10:00Z'),
      span('2026-03-04T09:00Z', '2026-03-04T10:00Z'),
    ]);
  });

  it('a RECURRENCE-ID date without VALUE=DATE on a date series moves that day', () => {
    const text = cal(
      ...ev('dates', 'DTSTART;VALUE=DATE:20260907', 'DTEND;VALUE=DATE:20260908', 'RRULE:FREQ=WEEKLY;COUNT=3'),
      // The second Monday moves to Tuesday.
      ...ev('dates', 'RECURRENCE-ID:20260914', 'DTSTART;VALUE=DATE:20260915', 'DTEND;VALUE=DATE:20260916'),
    );
    // Whole days in Dubai: 00:00 local = 20:00Z the day before.
    expect(expandBusy(text, YEARS, DUBAI)).toEqual([
      span('2026-09-06T20:00Z', '2026-09-07T20:00Z'),
      span('2026-09-14T20:00Z', '2026-09-15T20:00Z'),
      span('2026-09-20T20:00Z', '2026-09-21T20:00Z'),
    ]);
  });

  it('skips only what cannot be understood, keeps every other event, and reports what it skipped', () => {
    const skipped: string[] = [];
    const text = cal(
      ...ev('good-1', 'DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z'),
      ...ev('broken', 'DTSTART:garbage', 'DTEND:20260311T100000Z'),
      ...ev('good-2', 'DTSTART:20260312T090000Z', 'DTEND:20260312T100000Z'),
    );
    expect(expandBusy(text, YEARS, { ...DUBAI, onSkip: (what) => skipped.push(what) })).toEqual([
      span('2026-03-10T09:00Z', '2026-03-10T10:00Z'),
      span('2026-03-12T09:00Z', '2026-03-12T10:00Z'),
    ]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/broken/);
  });

  it('text that is not iCalendar at all still throws (the source is failing, not empty)', () => {
    expect(() => expandBusy('<html>Sign in</html>', YEARS, DUBAI)).toThrow();
  });
});

describe('2. Windows time-zone names map through the CLDR table', () => {
  it('Pacific Standard Time and W. Europe Standard Time without a VTIMEZONE', () => {
    const text = cal(
      // June: Los Angeles is on PDT (−07:00).
      ...ev('pst', 'DTSTART;TZID=Pacific Standard Time:20260615T090000', 'DTEND;TZID=Pacific Standard Time:20260615T100000'),
      // January: Berlin is on CET (+01:00).
      ...ev('wet', 'DTSTART;TZID="W. Europe Standard Time":20260115T090000', 'DTEND;TZID="W. Europe Standard Time":20260115T100000'),
    );
    expect(expandBusy(text, YEARS, DUBAI)).toEqual([
      span('2026-01-15T08:00Z', '2026-01-15T09:00Z'),
      span('2026-06-15T16:00Z', '2026-06-15T17:00Z'),
    ]);
  });
});

describe('3. a VTIMEZONE covering only a few years falls back to the IANA zone outside them', () => {
  // As iCalcreator writes it: explicit onsets for 2015 only, no RRULE.
  const VTZ = [
    'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
    'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'DTSTART:20150329T020000', 'END:DAYLIGHT',
    'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'DTSTART:20151025T030000', 'END:STANDARD',
    'END:VTIMEZONE',
  ];
  it('inside its years it is followed; in a later summer and an earlier one the IANA zone decides', () => {
    const text = cal(
      ...VTZ,
      ...ev('in', 'DTSTART;TZID=Europe/Berlin:20150701T100000', 'DTEND;TZID=Europe/Berlin:20150701T110000'),
      ...ev('after', 'DTSTART;TZID=Europe/Berlin:20260701T100000', 'DTEND;TZID=Europe/Berlin:20260701T110000'),
      ...ev('before', 'DTSTART;TZID=Europe/Berlin:20120701T100000', 'DTEND;TZID=Europe/Berlin:20120701T110000'),
    );
    expect(expandBusy(text, YEARS, DUBAI)).toEqual([
      span('2012-07-01T08:00Z', '2012-07-01T09:00Z'),
      span('2015-07-01T08:00Z', '2015-07-01T09:00Z'),
      span('2026-07-01T08:00Z', '2026-07-01T09:00Z'),
    ]);
  });
});

describe('4. RANGE=THISANDFUTURE moves every later instance', () => {
  it('later instances take the new time and length', () => {
    const text = cal(
      ...ev('weekly', 'DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=5'),
      // From the third Monday on: 14:00–16:00 (five hours later, two hours long).
      ...ev('weekly', 'RECURRENCE-ID;RANGE=THISANDFUTURE:20260316T090000Z', 'DTSTART:20260316T140000Z', 'DTEND:20260316T160000Z'),
    );
    expect(expandBusy(text, YEARS, DUBAI)).toEqual([
      span('2026-03-02T09:00Z', '2026-03-02T10:00Z'),
      span('2026-03-09T09:00Z', '2026-03-09T10:00Z'),
      span('2026-03-16T14:00Z', '2026-03-16T16:00Z'),
      span('2026-03-23T14:00Z', '2026-03-23T16:00Z'),
      span('2026-03-30T14:00Z', '2026-03-30T16:00Z'),
    ]);
  });
});

describe('5. an all-day series overridden by a date-time RECURRENCE-ID (Exchange)', () => {
  it('the overridden day is busy only for the override', () => {
    const text = cal(
      ...ev('days', 'DTSTART;VALUE=DATE:20260907', 'DTEND;VALUE=DATE:20260908', 'RRULE:FREQ=DAILY;COUNT=3'),
      ...ev('days', 'RECURRENCE-ID;TZID=Arabian Standard Time:20260908T000000',
        'DTSTART;TZID=Arabian Standard Time:20260908T100000', 'DTEND;TZID=Arabian Standard Time:20260908T110000'),
    );
    expect(expandBusy(text, YEARS, DUBAI)).toEqual([
      span('2026-09-06T20:00Z', '2026-09-07T20:00Z'),
      span('2026-09-08T06:00Z', '2026-09-08T07:00Z'),
      span('2026-09-08T20:00Z', '2026-09-09T20:00Z'),
    ]);
  });
});

describe('6. DTEND before DTSTART (Nextcloud exports)', () => {
  it('is the swapped range, not free time', () => {
    const text = cal(
      ...ev('backwards', 'DTSTART:20260310T100000Z', 'DTEND:20260310T090000Z'),
      ...ev('backwards-days', 'DTSTART;VALUE=DATE:20260312', 'DTEND;VALUE=DATE:20260311'),
    );
    expect(expandBusy(text, YEARS, DUBAI)).toEqual([
      span('2026-03-10T09:00Z', '2026-03-10T10:00Z'),
      span('2026-03-10T20:00Z', '2026-03-11T20:00Z'),
    ]);
  });
});

describe('7. an all-day series with a UTC UNTIL ends on the same day in every zone', () => {
  it('UNTIL is compared on the series’ own dates', () => {
    const text = cal(...ev('until', 'DTSTART;VALUE=DATE:20260907', 'DTEND;VALUE=DATE:20260908', 'RRULE:FREQ=DAILY;UNTIL=20260909T000000Z'));
    const days = (o: ExpandOptions) => expandBusy(text, YEARS, o).length;
    // September 7, 8 and 9, whichever zone the provider is in.
    expect(days(DUBAI)).toBe(3);
    expect(days(LA)).toBe(3);
    expect(days({ timezone: 'Pacific/Kiritimati' })).toBe(3);
  });
});

describe('events Slotline wrote are not external busy time (issue 14 defect 2)', () => {
  it('a write-back copy is ignored, an event with a look-alike UID is not', () => {
    const id = randomUUID();
    const copy = bookingIcs({ id, start: '2026-03-10T09:00:00Z', end: '2026-03-10T10:00:00Z', summary: 'Intro call', customerName: 'Sam' }, new Date('2026-01-01T00:00:00Z'));
    expect(expandBusy(copy, YEARS, DUBAI)).toEqual([]);
    const other = cal(...ev('lunch@slotline.example.com', 'DTSTART:20260310T120000Z', 'DTEND:20260310T130000Z'));
    expect(expandBusy(other, YEARS, DUBAI)).toEqual([span('2026-03-10T12:00Z', '2026-03-10T13:00Z')]);
  });
});
