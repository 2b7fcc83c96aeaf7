import { describe, expect, it } from 'vitest';
import { checkStart, computeSlots, countByLocalDay, localDayOf, startOfLocalDay, type SlotQuery } from '../../server/availability/index.ts';

// One named block per rule of issue 3. Expected instants are worked out by hand in the
// comments (local wall time → UTC), not copied from the engine's output.

const weekdays = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

function query(over: Partial<SlotQuery>): SlotQuery {
  return {
    timezone: 'Asia/Dubai', // UTC+4, no DST
    workingHours: weekdays,
    durationMinutes: 60,
    busy: [],
    now: '2026-11-20T00:00:00Z',
    from: '2026-11-23T00:00:00+04:00', // Monday
    to: '2026-11-24T00:00:00+04:00',
    ...over,
  };
}

const starts = (q: SlotQuery) => computeSlots(q).map((s) => s.start);
const hhmm = (utc: string[]) => utc.map((s) => s.slice(11, 16));

describe('rule: a working range of a local date is the instants [start, end) in the zone', () => {
  it('Dubai 09:00–17:00 is 05:00Z–13:00Z: eight one-hour slots, ends = start + duration', () => {
    const slots = computeSlots(query({}));
    expect(hhmm(slots.map((s) => s.start))).toEqual(['05:00', '06:00', '07:00', '08:00', '09:00', '10:00', '11:00', '12:00']);
    for (const s of slots) expect(Date.parse(s.end) - Date.parse(s.start)).toBe(60 * 60_000);
  });

  it('prints ISO UTC strings with Z and milliseconds, sorted', () => {
    const slots = computeSlots(query({ from: '2026-11-23T00:00:00Z', to: '2026-11-26T00:00:00Z' }));
    for (const s of slots) {
      expect(s.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(new Date(s.start).toISOString()).toBe(s.start);
    }
    expect([...slots].sort((a, b) => a.start.localeCompare(b.start))).toEqual(slots);
    expect(slots).toHaveLength(24);
  });

  it('accepts Date instants and offsets the same as Z strings', () => {
    const a = starts(query({ now: new Date('2026-11-20T00:00:00Z'), from: new Date('2026-11-22T20:00:00Z'), to: new Date('2026-11-23T20:00:00Z') }));
    expect(a).toEqual(starts(query({})));
  });

  it('the appointment [s, s + duration) lies inside the range: 50 min in 09:00–10:30 with step 30', () => {
    // 09:00, 09:30 fit; 10:00 + 50 min = 10:50 > 10:30 does not.
    const s = starts(query({ workingHours: { days: [1], start: '09:00', end: '10:30' }, durationMinutes: 50, stepMinutes: 30 }));
    expect(s).toEqual(['2026-11-23T05:00:00.000Z', '2026-11-23T05:30:00.000Z']);
  });

  it('weekday 0 and 7 both mean Sunday; no range on a day means no slots', () => {
    const sunday = { from: '2026-11-22T00:00:00+04:00', to: '2026-11-23T00:00:00+04:00' };
    expect(starts(query({ ...sunday, workingHours: { days: [0], start: '10:00', end: '11:00' } }))).toEqual(['2026-11-22T06:00:00.000Z']);
    expect(starts(query({ ...sunday, workingHours: { days: [7], start: '10:00', end: '11:00' } }))).toEqual(['2026-11-22T06:00:00.000Z']);
    expect(starts(query({ ...sunday }))).toEqual([]);
  });

  it('several weekly ranges per day (intervals) are all used', () => {
    const wh = { intervals: [{ days: [1], start: '09:00', end: '10:00' }, { days: [1], start: '14:00', end: '15:00' }] };
    expect(starts(query({ workingHours: wh }))).toEqual(['2026-11-23T05:00:00.000Z', '2026-11-23T10:00:00.000Z']);
  });
});

describe('rule: a wall time in a spring-forward gap uses the offset before the gap', () => {
  // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT at 07:00Z.
  const ny = { timezone: 'America/New_York', now: '2026-03-01T00:00:00Z', from: '2026-03-08T00:00:00Z', to: '2026-03-09T00:00:00Z' };

  it('02:30 New York starts at 07:30Z (= 03:30 EDT)', () => {
    const s = starts(query({ ...ny, workingHours: { days: [7], start: '02:30', end: '05:00' }, durationMinutes: 30 }));
    // 02:30 EST = 07:30Z; 05:00 EDT = 09:00Z → 07:30, 08:00, 08:30
    expect(s).toEqual(['2026-03-08T07:30:00.000Z', '2026-03-08T08:00:00.000Z', '2026-03-08T08:30:00.000Z']);
  });

  it('a range inside the gap keeps its length (02:15–02:45); one ending at 03:00 collapses (02:30–03:00)', () => {
    // 02:15 EST = 07:15Z, 02:45 EST = 07:45Z: the gap rule keeps it 30 real minutes long.
    const s = starts(query({ ...ny, workingHours: { days: [7], start: '02:15', end: '02:45' }, durationMinutes: 30 }));
    expect(s).toEqual(['2026-03-08T07:15:00.000Z']);
    // 02:30–03:00: 07:30Z … 07:00Z is empty.
    expect(starts(query({ ...ny, workingHours: { days: [7], start: '02:30', end: '03:00' }, durationMinutes: 15 }))).toEqual([]);
  });
});

describe('rule: an ambiguous wall time (fall back) means its first occurrence', () => {
  // New York 2026-11-01: 02:00 EDT falls back to 01:00 EST at 06:00Z; 01:00–02:00 happens twice.
  const ny = { timezone: 'America/New_York', now: '2026-10-25T00:00:00Z', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' };

  it('01:30 New York is 05:30Z (EDT), not 06:30Z (EST, luxon’s default)', () => {
    const s = starts(query({ ...ny, workingHours: { days: [7], start: '01:30', end: '04:00' }, durationMinutes: 150 }));
    // 01:30 EDT = 05:30Z; 04:00 EST = 09:00Z: 3.5 real hours, one 150-minute slot from 05:30Z.
    expect(s).toEqual(['2026-11-01T05:30:00.000Z']);
  });

  it('01:00–02:00 lasts two real hours; every instant is offered once', () => {
    // 01:00 EDT = 05:00Z … 02:00 EST = 07:00Z
    const s = starts(query({ ...ny, workingHours: { days: [7], start: '01:00', end: '02:00' }, durationMinutes: 30 }));
    expect(s).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T06:30:00.000Z']);
    expect(new Set(s).size).toBe(s.length);
  });
});

describe('rule: 24:00 is the next midnight', () => {
  it('Dubai Monday 20:00–24:00 ends at Tuesday 00:00 local (20:00Z)', () => {
    const s = starts(query({ workingHours: { days: [1], start: '20:00', end: '24:00' } }));
    expect(hhmm(s)).toEqual(['16:00', '17:00', '18:00', '19:00']);
  });

  it('24:00 on the night before a DST switch is the next day’s midnight (Berlin, 25 October)', () => {
    // Sat 2026-10-24 22:00–24:00 CEST = 20:00Z–22:00Z
    const s = starts(query({
      timezone: 'Europe/Berlin', now: '2026-10-20T00:00:00Z', from: '2026-10-24T00:00:00Z', to: '2026-10-26T00:00:00Z',
      workingHours: { days: [6], start: '22:00', end: '24:00' },
    }));
    expect(s).toEqual(['2026-10-24T20:00:00.000Z', '2026-10-24T21:00:00.000Z']);
  });
});

describe('rule: adjacent or overlapping ranges are merged before gridding', () => {
  it('an overnight shift Fri 20:00–24:00 + Sat 00:00–02:00 offers slots across midnight', () => {
    const wh = { intervals: [{ days: [5], start: '20:00', end: '24:00' }, { days: [6], start: '00:00', end: '02:00' }] };
    // Fri 2026-11-27 20:00 Dubai = 16:00Z; merged range 16:00Z–22:00Z; 90-minute grid from 16:00Z.
    const s = starts(query({ workingHours: wh, durationMinutes: 90, from: '2026-11-27T00:00:00Z', to: '2026-11-29T00:00:00Z' }));
    expect(s).toEqual(['2026-11-27T16:00:00.000Z', '2026-11-27T17:30:00.000Z', '2026-11-27T19:00:00.000Z', '2026-11-27T20:30:00.000Z']);
  });

  it('the grid of the Saturday part stays anchored at Friday 20:00 even when the window starts on Saturday', () => {
    const wh = { intervals: [{ days: [5], start: '20:00', end: '24:00' }, { days: [6], start: '00:00', end: '02:00' }] };
    // Sat 00:00 Dubai = Fri 20:00Z; the window opens there. 20:30Z is on the grid, 20:00Z is not.
    const s = starts(query({ workingHours: wh, durationMinutes: 90, from: '2026-11-27T20:00:00Z', to: '2026-11-29T00:00:00Z' }));
    expect(s).toEqual(['2026-11-27T20:30:00.000Z']);
  });

  it('overlapping 09:00–12:00 and 11:00–14:00 become one 09:00–14:00 range', () => {
    const wh = { intervals: [{ days: [1], start: '09:00', end: '12:00' }, { days: [1], start: '11:00', end: '14:00' }] };
    const s = starts(query({ workingHours: wh, durationMinutes: 90 }));
    // 09:00, 10:30, 12:00 local (05:00Z, 06:30Z, 08:00Z); 13:30 + 90 > 14:00
    expect(hhmm(s)).toEqual(['05:00', '06:30', '08:00']);
  });

  it('a round-the-clock week is one range: the grid runs through every midnight', () => {
    const wh = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' };
    const s = starts(query({ workingHours: wh, durationMinutes: 45, from: '2026-11-23T00:00:00Z', to: '2026-11-25T00:00:00Z' }));
    for (let i = 1; i < s.length; i++) expect(Date.parse(s[i]) - Date.parse(s[i - 1])).toBe(45 * 60_000);
    expect(s.length).toBe(64);
  });
});

describe('rule: the grid is the merged range start plus whole steps of real elapsed time', () => {
  it('step 45 across Berlin’s spring gap counts real minutes, not wall minutes', () => {
    // 2026-03-29 01:00 CET = 00:00Z; 05:00 CEST = 03:00Z. Grid 00:00Z + k·45 min.
    const s = starts(query({
      timezone: 'Europe/Berlin', now: '2026-03-20T00:00:00Z', from: '2026-03-29T00:00:00Z', to: '2026-03-30T00:00:00Z',
      workingHours: { days: [7], start: '01:00', end: '05:00' }, durationMinutes: 45,
    }));
    expect(hhmm(s)).toEqual(['00:00', '00:45', '01:30', '02:15']);
  });

  it('a step shorter than the duration gives overlapping candidates', () => {
    const s = starts(query({ workingHours: { days: [1], start: '09:00', end: '11:00' }, stepMinutes: 15 }));
    expect(hhmm(s)).toEqual(['05:00', '05:15', '05:30', '05:45', '06:00']);
  });
});

describe('rule: busy time removes slots but never moves the grid', () => {
  it('busy 09:10–09:40 removes 09:00 and 09:30; the next slot is 10:00, not 09:40', () => {
    const busy = [{ start: '2026-11-23T05:10:00Z', end: '2026-11-23T05:40:00Z' }];
    const s = starts(query({ workingHours: { days: [1], start: '09:00', end: '11:00' }, durationMinutes: 30, busy }));
    expect(hhmm(s)).toEqual(['06:00', '06:30']);
  });

  it('unsorted, overlapping and empty busy intervals are all handled', () => {
    const busy = [
      { start: '2026-11-23T07:30:00Z', end: '2026-11-23T08:30:00Z' },
      { start: '2026-11-23T05:00:00Z', end: '2026-11-23T05:30:00Z' },
      { start: '2026-11-23T07:00:00Z', end: '2026-11-23T07:45:00Z' },
      { start: '2026-11-23T10:00:00Z', end: '2026-11-23T10:00:00Z' }, // empty: blocks nothing
    ];
    expect(hhmm(starts(query({ busy })))).toEqual(['06:00', '09:00', '10:00', '11:00', '12:00']);
  });

  it('an empty or reversed interval inside a slot blocks nothing (as an empty PostgreSQL range)', () => {
    const busy = [
      { start: '2026-11-23T05:30:00Z', end: '2026-11-23T05:30:00Z' },
      { start: '2026-11-23T06:45:00Z', end: '2026-11-23T06:15:00Z' },
    ];
    expect(starts(query({ busy }))).toEqual(starts(query({})));
  });
});

describe('rule: occupancy [s − before, s + duration + after) overlaps no busy interval; touching is fine', () => {
  const wh = { days: [1], start: '09:00', end: '12:00' };

  it('busy ending exactly at s or starting exactly at s + duration does not block', () => {
    const busy = [
      { start: '2026-11-23T04:00:00Z', end: '2026-11-23T05:00:00Z' }, // ends at 09:00 local
      { start: '2026-11-23T06:00:00Z', end: '2026-11-23T07:00:00Z' }, // 10:00–11:00 local
    ];
    expect(hhmm(starts(query({ workingHours: wh, busy })))).toEqual(['05:00', '07:00']);
  });

  it('a buffer after turns a touching busy interval into a conflict', () => {
    const busy = [{ start: '2026-11-23T06:00:00Z', end: '2026-11-23T07:00:00Z' }];
    expect(hhmm(starts(query({ workingHours: wh, busy, bufferAfterMinutes: 10 })))).toEqual(['07:00']);
  });

  it('a buffer before is checked outside working hours too', () => {
    // busy 08:30–08:50 local, before the 09:00 start: blocks 09:00 with a 15-minute buffer, not with 10.
    const busy = [{ start: '2026-11-23T04:30:00Z', end: '2026-11-23T04:50:00Z' }];
    expect(hhmm(starts(query({ workingHours: wh, busy, bufferBeforeMinutes: 15 })))).toEqual(['06:00', '07:00']);
    expect(hhmm(starts(query({ workingHours: wh, busy, bufferBeforeMinutes: 10 })))).toEqual(['05:00', '06:00', '07:00']);
  });

  it('buffers do not shrink the working range: the last slot may end at the range end', () => {
    expect(hhmm(starts(query({ workingHours: wh, bufferBeforeMinutes: 30, bufferAfterMinutes: 30 })))).toEqual(['05:00', '06:00', '07:00']);
  });
});

describe('rule: s ≥ now + minNotice, inclusive, no rounding', () => {
  it('a slot exactly at now + minNotice is offered; one millisecond later it is not', () => {
    const at = query({ now: '2026-11-23T03:00:00.000Z', minNoticeMinutes: 120 }); // 07:00 local + 2 h = 09:00
    expect(hhmm(starts(at))[0]).toBe('05:00');
    const late = query({ now: '2026-11-23T03:00:00.001Z', minNoticeMinutes: 120 });
    expect(hhmm(starts(late))[0]).toBe('06:00');
  });

  it('now is not rounded to the step: 09:00:00.001 loses the 09:00 slot even with no notice', () => {
    expect(hhmm(starts(query({ now: '2026-11-23T05:00:00.001Z' })))[0]).toBe('06:00');
  });

  it('the grid does not move with now', () => {
    // now = 09:20 local; the next slot is 10:00, not 09:20.
    expect(hhmm(starts(query({ now: '2026-11-23T05:20:00Z' })))[0]).toBe('06:00');
  });
});

describe('rule: s falls before the end of the provider-local day today + horizonDays', () => {
  // Kolkata (UTC+05:30): now = Mon 2026-11-23 23:00 local = 17:30Z, still Monday there.
  const kolkata = {
    timezone: 'Asia/Kolkata', workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '10:00' },
    now: '2026-11-23T17:30:00Z', from: '2026-11-23T00:00:00Z', to: '2026-12-01T00:00:00Z',
  };

  it('horizon 2 from Monday offers Tuesday and Wednesday, not Thursday', () => {
    // 09:00 IST = 03:30Z
    expect(starts(query({ ...kolkata, horizonDays: 2 }))).toEqual(['2026-11-24T03:30:00.000Z', '2026-11-25T03:30:00.000Z']);
  });

  it('horizon 0 is today only: nothing after Monday', () => {
    expect(starts(query({ ...kolkata, horizonDays: 0 }))).toEqual([]);
  });

  it('today is the provider’s day, not UTC’s: 00:30 Tuesday local is 19:00Z Monday', () => {
    // now = Tue 00:30 IST: today = Tuesday, horizon 1 → Tuesday and Wednesday.
    expect(starts(query({ ...kolkata, now: '2026-11-23T19:00:00Z', horizonDays: 1 }))).toEqual(['2026-11-24T03:30:00.000Z', '2026-11-25T03:30:00.000Z']);
  });

  it('the default horizon is 60 days', () => {
    const s = starts(query({ ...kolkata, workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '10:00' }, to: '2027-06-01T00:00:00Z' }));
    expect(s).toHaveLength(60); // Tuesday 24 Nov … Friday 22 Jan (today's slot is past)
    expect(s.at(-1)).toBe('2027-01-22T03:30:00.000Z');
  });
});

describe('rule: from ≤ s < to', () => {
  it('a slot at from is included, a slot at to excluded, and a slot overlapping from is not offered', () => {
    expect(hhmm(starts(query({ from: '2026-11-23T06:00:00Z', to: '2026-11-23T08:00:00Z' })))).toEqual(['06:00', '07:00']);
    expect(hhmm(starts(query({ from: '2026-11-23T06:00:00.001Z', to: '2026-11-23T08:00:00Z' })))).toEqual(['07:00']);
  });

  it('a slot starting before to may end after it', () => {
    expect(hhmm(starts(query({ from: '2026-11-23T06:00:00Z', to: '2026-11-23T06:00:00.001Z' })))).toEqual(['06:00']);
  });

  it('an empty or reversed window gives nothing', () => {
    expect(starts(query({ from: '2026-11-23T06:00:00Z', to: '2026-11-23T06:00:00Z' }))).toEqual([]);
    expect(starts(query({ from: '2026-11-24T06:00:00Z', to: '2026-11-23T06:00:00Z' }))).toEqual([]);
  });
});

describe('rule: overrides replace that date’s weekly ranges', () => {
  const week = { from: '2026-11-23T00:00:00+04:00', to: '2026-11-26T00:00:00+04:00' }; // Mon–Wed

  it('an empty override is a day off; other days keep their weekly hours', () => {
    const wh = { ...weekdays, overrides: [{ date: '2026-11-24', intervals: [] }] };
    const days = starts(query({ ...week, workingHours: wh })).map((s) => localDayOf(s, 'Asia/Dubai'));
    expect([...new Set(days)]).toEqual(['2026-11-23', '2026-11-25']);
  });

  it('an override with ranges replaces (not adds to) the weekly ones', () => {
    const wh = { ...weekdays, overrides: [{ date: '2026-11-24', intervals: [{ start: '13:00', end: '14:00' }, { start: '18:00', end: '19:00' }] }] };
    const tuesday = starts(query({ ...week, workingHours: wh })).filter((s) => localDayOf(s, 'Asia/Dubai') === '2026-11-24');
    expect(tuesday).toEqual(['2026-11-24T09:00:00.000Z', '2026-11-24T14:00:00.000Z']);
  });

  it('an override opens a day that has no weekly hours', () => {
    const wh = { ...weekdays, overrides: [{ date: '2026-11-22', intervals: [{ start: '10:00', end: '11:00' }] }] };
    const s = starts(query({ workingHours: wh, from: '2026-11-22T00:00:00+04:00', to: '2026-11-23T00:00:00+04:00' }));
    expect(s).toEqual(['2026-11-22T06:00:00.000Z']);
  });
});

describe('rule: maxPerDay counts the provider-local day’s live bookings', () => {
  // Provider in Dubai; Tue 2026-11-24 00:30 local = Mon 20:30Z counts for Tuesday, not Monday.
  const twoDays = { from: '2026-11-23T00:00:00+04:00', to: '2026-11-25T00:00:00+04:00' };
  const booked = ['2026-11-23T20:30:00Z', '2026-11-24T10:00:00Z'];

  it('a day holding maxPerDay bookings offers nothing; the other day is untouched', () => {
    const days = starts(query({ ...twoDays, maxPerDay: 2, bookedStarts: booked })).map((s) => localDayOf(s, 'Asia/Dubai'));
    expect([...new Set(days)]).toEqual(['2026-11-23']);
    expect(days).toHaveLength(8);
  });

  it('below the limit the day stays open; without maxPerDay bookedStarts change nothing', () => {
    expect(starts(query({ ...twoDays, maxPerDay: 3, bookedStarts: booked }))).toHaveLength(16);
    expect(starts(query({ ...twoDays, bookedStarts: booked }))).toHaveLength(16);
  });

  it('maxPerDay 0 offers nothing at all', () => {
    expect(starts(query({ ...twoDays, maxPerDay: 0 }))).toEqual([]);
  });
});

describe('rule: serviceMaxPerDay counts only this service’s live bookings of the provider-local day', () => {
  const twoDays = { from: '2026-11-23T00:00:00+04:00', to: '2026-11-25T00:00:00+04:00' };
  // Tue 2026-11-24 00:30 Dubai = Mon 20:30Z: counts for Tuesday. Tue 14:00 Dubai = 10:00Z.
  const thisService = ['2026-11-23T20:30:00Z', '2026-11-24T10:00:00Z'];

  it('a day holding serviceMaxPerDay of the service’s bookings offers nothing; Monday keeps its 8 slots', () => {
    const days = starts(query({ ...twoDays, serviceMaxPerDay: 2, serviceBookedStarts: thisService })).map((s) => localDayOf(s, 'Asia/Dubai'));
    expect([...new Set(days)]).toEqual(['2026-11-23']);
    expect(days).toHaveLength(8);
  });

  it('other services’ bookings (bookedStarts) do not count toward it', () => {
    const q = query({ ...twoDays, serviceMaxPerDay: 2, serviceBookedStarts: [thisService[0]], bookedStarts: thisService });
    expect(starts(q)).toHaveLength(16);
  });

  it('the provider’s maxPerDay and the service’s limit both hold: whichever day is full closes', () => {
    // Monday 10:00 Dubai (06:00Z) is another service's booking; the provider allows 1 a day.
    const q = query({ ...twoDays, maxPerDay: 1, bookedStarts: ['2026-11-23T06:00:00Z'], serviceMaxPerDay: 1, serviceBookedStarts: ['2026-11-24T10:00:00Z'] });
    expect(starts(q)).toEqual([]);
  });

  it('serviceMaxPerDay 0 offers nothing; malformed values throw naming the field', () => {
    expect(starts(query({ ...twoDays, serviceMaxPerDay: 0 }))).toEqual([]);
    expect(() => computeSlots(query({ serviceMaxPerDay: 1.5 }))).toThrow(/^serviceMaxPerDay/);
    expect(() => computeSlots(query({ serviceMaxPerDay: 1, serviceBookedStarts: ['2026-11-23 10:00'] }))).toThrow(/^serviceBookedStarts\.0/);
  });
});

describe('localDayOf', () => {
  it('gives the local date of an instant in a zone', () => {
    expect(localDayOf('2026-11-22T21:30:00Z', 'Asia/Dubai')).toBe('2026-11-23');
    expect(localDayOf('2026-11-22T21:30:00Z', 'America/New_York')).toBe('2026-11-22');
    expect(localDayOf(new Date('2026-11-22T18:14:59.999Z'), 'Asia/Kathmandu')).toBe('2026-11-22');
    expect(localDayOf(new Date('2026-11-22T18:15:00Z'), 'Asia/Kathmandu')).toBe('2026-11-23');
  });

  it('rejects an unknown zone', () => {
    expect(() => localDayOf('2026-11-22T21:30:00Z', 'Mars/Olympus')).toThrow(/timezone/);
  });
});

describe('countByLocalDay', () => {
  it('counts a provider’s slots per visitor day: London’s 25-hour day seen from New York', () => {
    const slots = computeSlots(query({
      timezone: 'Europe/London', now: '2026-10-01T00:00:00Z', from: '2026-10-24T23:00:00Z', to: '2026-10-26T00:00:00Z',
      workingHours: { overrides: [{ date: '2026-10-25', intervals: [{ start: '00:00', end: '24:00' }] }] },
    }));
    expect(slots).toHaveLength(25);
    // 2026-10-24T23:00Z … 2026-10-25T23:00Z; New York is UTC-4 that day: 19:00 Sat … 19:00 Sun.
    expect(countByLocalDay(slots.map((s) => s.start), 'America/New_York')).toEqual({ '2026-10-24': 5, '2026-10-25': 20 });
    expect(countByLocalDay(slots.map((s) => s.start), 'Europe/London')).toEqual({ '2026-10-25': 25 });
    expect(countByLocalDay([], 'Asia/Dubai')).toEqual({});
  });
});

describe('startOfLocalDay', () => {
  it('turns a plain date into the instant its local day starts', () => {
    expect(startOfLocalDay('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfLocalDay('2026-11-23', 'Asia/Kathmandu')).toBe('2026-11-22T18:15:00.000Z');
    expect(startOfLocalDay('2026-10-25', 'Europe/London')).toBe('2026-10-24T23:00:00.000Z');
  });

  it('a midnight lost to DST starts the day when the clocks jump (Santiago, 6 September 2026)', () => {
    // 00:00 −04 jumps to 01:00 −03 at 04:00Z; 00:00 read with the offset before the gap = 04:00Z.
    expect(startOfLocalDay('2026-09-06', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
    expect(localDayOf('2026-09-06T03:59:59.999Z', 'America/Santiago')).toBe('2026-09-05');
    expect(localDayOf('2026-09-06T04:00:00Z', 'America/Santiago')).toBe('2026-09-06');
  });

  it('rejects impossible dates and unknown zones', () => {
    expect(() => startOfLocalDay('2026-02-30', 'Asia/Dubai')).toThrow(/date/);
    expect(() => startOfLocalDay('26-02-03', 'Asia/Dubai')).toThrow(/date/);
    expect(() => startOfLocalDay('2026-02-03', 'Atlantis/Capital')).toThrow(/timezone/);
  });
});

describe('checkStart (for the booking API’s 409 types)', () => {
  const busy = [{ start: '2026-11-23T06:00:00Z', end: '2026-11-23T07:00:00Z' }];
  const q = query({ busy });

  it('tells available, taken (busy only) and unavailable (rules) apart', () => {
    expect(checkStart(q, '2026-11-23T05:00:00Z')).toBe('available');
    expect(checkStart(q, '2026-11-23T06:00:00Z')).toBe('taken');
    expect(checkStart(q, '2026-11-23T05:30:00Z')).toBe('unavailable'); // off the grid
    expect(checkStart(q, '2026-11-23T14:00:00Z')).toBe('unavailable'); // after hours
    expect(checkStart({ ...q, now: '2026-11-23T05:30:00Z' }, '2026-11-23T05:00:00Z')).toBe('unavailable'); // past
    expect(checkStart({ ...q, maxPerDay: 1, bookedStarts: ['2026-11-23T12:00:00Z'] }, '2026-11-23T05:00:00Z')).toBe('unavailable');
  });
});

describe('malformed queries throw, naming the field', () => {
  it.each([
    [{ timezone: 'Nowhere/Special' }, /timezone/],
    [{ durationMinutes: 0 }, /durationMinutes/],
    [{ stepMinutes: 7.5 }, /stepMinutes/],
    [{ bufferBeforeMinutes: -5 }, /bufferBeforeMinutes/],
    [{ horizonDays: -1 }, /horizonDays/],
    [{ from: '2026-11-23' }, /from/], // a date alone is not an instant
    [{ to: '2026-11-23T10:00:00' }, /to/], // no offset: would depend on the server's zone
    [{ now: 'yesterday' }, /now/],
    [{ now: '2026-13-01T00:00:00.000Z' }, /now/], // month 13
    [{ now: '2026-11-23T25:00:00.000Z' }, /now/],
    [{ busy: [{ start: '2026-11-23T10:00:00Z', end: 'later' }] }, /busy\.0\.end/],
    [{ workingHours: { days: [1], start: '17:00', end: '09:00' } }, /workingHours/],
    [{ workingHours: { days: [1], start: '09:00', end: '24:30' } }, /workingHours/],
  ] as [Partial<SlotQuery>, RegExp][])('%j', (over, message) => {
    expect(() => computeSlots(query(over))).toThrow(message);
  });
});
