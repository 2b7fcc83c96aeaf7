import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { toBooking } from '../../server/bookings/booking.ts';
import { hashToken, newManageToken } from '../../server/bookings/tokens.ts';
import { writeBackEvent } from '../../server/bookings/write-back.ts';
import { bookingIcs as calDavObject } from '../../server/calendars/write-back.ts';
import { invitationIcs } from '../../server/ics/booking-ics.ts';
import { makeProvider } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * One booking, every iCalendar output: the visitor's file, the provider's feed, the CalDAV object write-back PUTs
 * and the email invitation. All parse with ical.js, share one UID, carry the same SEQUENCE, and the SEQUENCE grows
 * when the booking is moved and when it is cancelled. The clock is fixed (2099), far from today.
 */
const NOW = new Date('2099-03-02T00:00:00Z');
const at = (days: number, hour: number) => new Date(NOW.getTime() + days * 86_400_000 + hour * 3_600_000).toISOString();

let server: TestServer;
let feedUrl: string;

beforeAll(async () => {
  server = await startTestServer({ now: () => NOW, seed: false, jobs: false });
  await makeProvider(server.db, {
    slug: 'icsp',
    settings: { booking: { slotStepMinutes: 60, horizonDays: 30 } },
    services: [{ slug: 'studio', title: 'Studio, "deep" session', durationMinutes: 60, location: { type: 'in_person', address: 'Studio 4; Dubai' } }],
  });
  const feedToken = newManageToken();
  await server.db.rpc('set_ics_feed_token', { p_slug: 'icsp', p_token_hash: hashToken(feedToken) });
  feedUrl = `${server.url}/ics/${feedToken}.ics`;
});
afterAll(() => server?.close());

const text = async (url: string) => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
  return res.text();
};

/** Parses with ical.js and checks what every file we write must satisfy. */
function parsed(ics: string) {
  expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  return new ICAL.Component(ICAL.parse(ics));
}
function eventOf(calendar: ICAL.Component, uid: string) {
  const vevent = calendar.getAllSubcomponents('vevent').find((v) => v.getFirstPropertyValue('uid') === uid);
  return vevent ? { vevent, event: new ICAL.Event(vevent) } : null;
}

async function everyOutput(bookingId: string, icsUrl: string) {
  const uid = `${bookingId}@slotline`;
  const visitor = parsed(await text(icsUrl));
  const feed = parsed(await text(feedUrl));
  const row = await server.db.rpc('get_booking_for_write_back', { p_booking_id: bookingId });
  expect(row).not.toBeNull();
  const booking = toBooking(row!);
  const writeBack = parsed(calDavObject(writeBackEvent(booking), NOW));
  const invitation = invitationIcs(booking, 'https://example.test/b/x', NOW);
  return { uid, booking, visitor, feed, writeBack, invitation: { method: invitation.method, calendar: parsed(invitation.ics) } };
}

describe('one iCalendar writer for every output of a booking', () => {
  it('same UID and SEQUENCE everywhere; the SEQUENCE grows on reschedule and on cancel; METHOD only on invitations', async () => {
    const res = await fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'icsp', service: 'studio', start: at(2, 9), name: 'Sam "Q" Lee, Jr.', email: 'sam@example.com', notes: 'Ring twice; thanks' }),
    });
    expect(res.status).toBe(201);
    const booked = await res.json();
    const token = booked.manageUrl.split('/b/')[1];

    const first = await everyOutput(booked.booking.id, booked.icsUrl);
    const sequences: number[] = [];
    for (const calendar of [first.visitor, first.feed, first.writeBack, first.invitation.calendar]) {
      const found = eventOf(calendar, first.uid);
      expect(found, 'every output has the booking under its one UID').not.toBeNull();
      expect(found!.event.startDate.toJSDate().toISOString()).toBe(booked.booking.start);
      sequences.push(found!.event.sequence);
    }
    expect(new Set(sequences)).toEqual(new Set([first.booking.sequence]));
    expect(first.visitor.getFirstPropertyValue('method')).toBeNull();
    expect(first.feed.getFirstPropertyValue('method')).toBeNull();
    expect(first.writeBack.getFirstPropertyValue('method')).toBeNull();
    expect(first.invitation.method).toBe('REQUEST');
    expect(first.invitation.calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    const visitorEvent = eventOf(first.visitor, first.uid)!;
    expect(visitorEvent.event.location).toBe('Studio 4; Dubai');
    expect(visitorEvent.event.summary).toBe('Studio, "deep" session — Provider icsp');
    expect(visitorEvent.vevent.getFirstProperty('attendee')!.getParameter('cn')).toBe('Sam "Q" Lee, Jr.');

    const moved = await fetch(`${server.url}/api/bookings/${token}/reschedule`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: at(3, 11) }),
    });
    expect(moved.status).toBe(200);
    const second = await everyOutput(booked.booking.id, booked.icsUrl);
    expect(second.booking.sequence).toBeGreaterThan(first.booking.sequence);
    for (const calendar of [second.visitor, second.feed, second.writeBack, second.invitation.calendar]) {
      const found = eventOf(calendar, second.uid)!;
      expect(found.event.sequence).toBe(second.booking.sequence);
      expect(found.event.startDate.toJSDate().toISOString()).toBe(at(3, 11));
    }

    expect((await fetch(`${server.url}/api/bookings/${token}/cancel`, { method: 'POST' })).status).toBe(200);
    const third = await everyOutput(booked.booking.id, booked.icsUrl);
    expect(third.booking.sequence).toBeGreaterThan(second.booking.sequence);
    const cancelledFile = eventOf(third.visitor, third.uid)!;
    expect(cancelledFile.event.sequence).toBe(third.booking.sequence);
    expect(cancelledFile.vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(third.visitor.getFirstPropertyValue('method')).toBeNull();
    // The feed keeps the cancelled booking as a cancelled event, so subscribed calendars remove it (issue 14).
    const cancelledInFeed = eventOf(third.feed, third.uid)!;
    expect(cancelledInFeed.event.sequence).toBe(third.booking.sequence);
    expect(cancelledInFeed.vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(third.invitation.method).toBe('CANCEL');
    expect(third.invitation.calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    const cancellation = eventOf(third.invitation.calendar, third.uid)!;
    expect(cancellation.event.sequence).toBe(third.booking.sequence);
    expect(cancellation.vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
  });

  it('the database owns the SEQUENCE: every change of time or status raises it by one, nothing else moves it, and it cannot be set', async () => {
    const res = await fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'icsp', service: 'studio', start: at(5, 9), email: 'kim@example.com' }),
    });
    const { booking } = await res.json();
    const pg = (server.db as unknown as { pg: { query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> } }).pg;
    const sequence = async () => (await pg.query<{ s: number }>('select ics_sequence as s from bookings where id = $1', [booking.id])).rows[0].s;
    const start = await sequence();
    expect(start).toBe(0);
    await pg.query('update bookings set notes = $2 where id = $1', [booking.id, 'just a note']);
    expect(await sequence()).toBe(start);
    await pg.query('update bookings set ics_sequence = 99 where id = $1', [booking.id]);
    expect(await sequence()).toBe(start);
    await pg.query(`update bookings set starts_at = starts_at + interval '1 hour', ends_at = ends_at + interval '1 hour' where id = $1`, [booking.id]);
    expect(await sequence()).toBe(start + 1);
    await pg.query(`update bookings set status = 'cancelled' where id = $1`, [booking.id]);
    expect(await sequence()).toBe(start + 2);
    await pg.query(`update bookings set status = 'cancelled' where id = $1`, [booking.id]);
    expect(await sequence()).toBe(start + 2);
  });
});
