import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { ianaOffset, vtimezoneOffset, wallToUtc } from '../../server/calendars/zones.js';

const HOUR = 3_600_000;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Dubai', 'America/Sao_Paulo', 'Pacific/Apia'];
const wall = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2037, 11, 31) }).map((ms) => Math.floor(ms / 60_000) * 60_000);

const BERLIN_VTIMEZONE = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x',
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'DTSTART:19810329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'DTSTART:19961027T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE', 'END:VCALENDAR',
].join('\r\n');

describe('wallToUtc (RFC 5545 §3.3.5)', () => {
  it('returns the earliest instant showing that wall time, or in a gap the wall time read with the offset before it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), wall, (zone, w) => {
        const off = ianaOffset(zone);
        const utc = wallToUtc(w, off);
        const shown = utc + off(utc);
        if (shown === w) {
          // No earlier instant (within a day) shows the same wall time.
          for (let t = utc - 24 * HOUR; t < utc; t += 15 * 60_000) expect(t + off(t)).not.toBe(w);
        } else {
          // A gap: nothing shows w, and the result moved forward by the gap.
          expect(shown).toBeGreaterThan(w);
          expect(utc).toBe(w - off(w - 24 * HOUR));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a VTIMEZONE gives the same offsets as the IANA zone it describes (Berlin since 1996)', () => {
    const vtz = new ICAL.Component(ICAL.parse(BERLIN_VTIMEZONE)).getFirstSubcomponent('vtimezone')!;
    const fromVtz = vtimezoneOffset(vtz);
    const fromIana = ianaOffset('Europe/Berlin');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1997, 0, 1), max: Date.UTC(2037, 11, 31) }), (t) => {
        expect(fromVtz(t)).toBe(fromIana(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('changes offset exactly at the transition instant', () => {
    const vtz = new ICAL.Component(ICAL.parse(BERLIN_VTIMEZONE)).getFirstSubcomponent('vtimezone')!;
    const off = vtimezoneOffset(vtz);
    const change = Date.UTC(2026, 2, 29, 1, 0); // 02:00 CET
    expect(off(change - 1)).toBe(HOUR);
    expect(off(change)).toBe(2 * HOUR);
  });
});
