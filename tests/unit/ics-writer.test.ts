import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { bookingUid, foldLine, icsParam, writeIcs, type IcsEvent } from '../../server/ics/writer.ts';

const STAMP = new Date('2030-01-07T08:00:00Z');
const event = (over: Partial<IcsEvent> = {}): IcsEvent => ({
  uid: bookingUid('0b7c2c1e-5d4a-4c9e-9a53-0d7e8f6a1b2c'),
  sequence: 3,
  start: '2030-01-09T09:00:00Z',
  end: '2030-01-09T10:00:00Z',
  summary: 'Intro call',
  status: 'CONFIRMED',
  ...over,
});
const parse = (text: string) => new ICAL.Component(ICAL.parse(text));

describe('the one iCalendar writer', () => {
  it('ends every line with CRLF, the last one (after END:VCALENDAR) too, and no bare LF or CR anywhere', () => {
    const text = writeIcs({ stamp: STAMP, events: [event({ description: 'line one\nline two\r\nthree' })] });
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('writes METHOD only when asked (invitation or cancellation), never for a plain file', () => {
    expect(parse(writeIcs({ stamp: STAMP, events: [event()] })).getFirstPropertyValue('method')).toBeNull();
    expect(parse(writeIcs({ method: 'REQUEST', stamp: STAMP, events: [event()] })).getFirstPropertyValue('method')).toBe('REQUEST');
    expect(parse(writeIcs({ method: 'CANCEL', stamp: STAMP, events: [event({ status: 'CANCELLED' })] })).getFirstPropertyValue('method')).toBe('CANCEL');
  });

  it('encodes parameter values per RFC 6868: no DQUOTE inside, caret escapes, quoted when they hold ; : ,', () => {
    expect(icsParam('Sam "the" Lee')).toBe("Sam ^'the^' Lee");
    expect(icsParam('a^b')).toBe('a^^b');
    expect(icsParam('two\nlines')).toBe('two^nlines');
    expect(icsParam('Lee, Sam')).toBe('"Lee, Sam"');
    const text = writeIcs({ stamp: STAMP, events: [event({ organizer: { name: 'Dr. "Kim"; Studio, Dubai ^1', email: 'kim@example.com' } })] });
    const organizer = parse(text).getFirstSubcomponent('vevent')!.getFirstProperty('organizer')!;
    expect(organizer.getParameter('cn')).toBe('Dr. "Kim"; Studio, Dubai ^1');
  });

  it('folds long lines at 75 octets without splitting a UTF-8 character', () => {
    const line = `SUMMARY:${'حجز موعد '.repeat(30)}`;
    const folded = foldLine(line);
    for (const part of folded.split('\r\n')) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
  });

  it('any summary, description, location and names round-trip through ical.js exactly', () => {
    // Printable text as visitors type it (control characters other than newlines are refused by the API schemas).
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('\n', ';', ',', '\\', '"', '^', ':', ' ', 'é', 'ش', '😀'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 120 })
      .map((s) => s.replace(/[\x00-\x09\x0b-\x1f\x7f]/g, ''))
      .filter((s) => s.trim().length > 0);
    // Parameter values have no backslash escapes in RFC 5545, but ical.js reads them as TEXT (`\,` → `,`): a name's
    // backslash is written as the RFC says and left out here, the one place ical.js and the RFC disagree.
    const name = text.map((s) => s.replace(/\n/g, ' ').replace(/\\/g, '/'));
    fc.assert(fc.property(text, text, name, name, fc.nat(1000), (summary, description, organizer, attendee, sequence) => {
      const written = writeIcs({
        stamp: STAMP,
        events: [event({ summary, description, location: description, sequence, organizer: { name: organizer }, attendee: { name: attendee, email: 'v@example.com' } })],
      });
      const vevent = parse(written).getFirstSubcomponent('vevent')!;
      const e = new ICAL.Event(vevent);
      expect(e.summary).toBe(summary);
      expect(e.description).toBe(description);
      expect(e.location).toBe(description);
      expect(e.sequence).toBe(sequence);
      expect(vevent.getFirstProperty('organizer')!.getParameter('cn')).toBe(organizer);
      expect(vevent.getFirstProperty('attendee')!.getParameter('cn')).toBe(attendee);
    }), { numRuns: 300 });
  });

  it('writes instants in UTC that parse back to the same instants, with a DTSTAMP and the reminder', () => {
    const vevent = parse(writeIcs({ stamp: STAMP, events: [event({ alarmMinutesBefore: 30 })] })).getFirstSubcomponent('vevent')!;
    const e = new ICAL.Event(vevent);
    expect(e.startDate.toJSDate().toISOString()).toBe('2030-01-09T09:00:00.000Z');
    expect(e.endDate.toJSDate().toISOString()).toBe('2030-01-09T10:00:00.000Z');
    expect((vevent.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().toISOString()).toBe(STAMP.toISOString());
    expect(String(vevent.getFirstSubcomponent('valarm')!.getFirstPropertyValue('trigger'))).toBe('-PT30M');
  });
});
