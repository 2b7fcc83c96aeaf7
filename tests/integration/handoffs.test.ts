import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import type { PGlite } from '@electric-sql/pglite';
import { hashToken, newManageToken } from '../../server/bookings/tokens.ts';
import { fillTemplate, templateVars } from '../../server/whatsapp/template.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeProvider } from '../support/fixtures.ts';

let server: TestServer;
let pg: PGlite;
let hour = 0;
const nextStart = () => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 5 * 86_400_000 + ++hour * 3_600_000).toISOString();
const TEMPLATE = 'Hi! Can I book {service} on {date} at {time}? ({duration}, {timezone}) {name} {ref} {link}';

beforeAll(async () => {
  server = await startTestServer();
  pg = (server.db as unknown as { pg: PGlite }).pg;
  await makeProvider(server.db, {
    slug: 'wa',
    timezone: 'Asia/Dubai',
    settings: {
      booking: { slotStepMinutes: 60, cancelUntilHoursBefore: 2, rescheduleUntilHoursBefore: 2 },
      whatsapp: { enabled: true, phoneE164: '+971500000001', messageTemplate: TEMPLATE },
    },
    services: [
      { slug: 'video', title: 'Video call', durationMinutes: 60, location: { type: 'video' } },
      { slug: 'studio', title: 'Studio session', durationMinutes: 60, location: { type: 'in_person', address: 'Studio 4, Dubai' } },
    ],
  });
});
afterAll(() => server.close());

async function book(start: string, service = 'video', extra: Record<string, unknown> = {}) {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'wa', service, start, email: 'v@example.com', name: 'Sara', ...extra }),
  });
  expect(res.status).toBe(201);
  return res.json();
}
const tokenOf = (manageUrl: string) => manageUrl.split('/b/')[1];
const decodeWa = (url: string) => {
  const u = new URL(url);
  expect(u.origin).toBe('https://wa.me');
  return { phone: u.pathname.slice(1), text: u.searchParams.get('text') };
};

describe('WhatsApp', () => {
  it('confirm mode: the confirmation offers a wa.me link whose text is the filled template', async () => {
    const start = nextStart();
    const body = await book(start);
    const { phone, text } = decodeWa(body.whatsappUrl);
    expect(phone).toBe('971500000001');
    const expected = fillTemplate(TEMPLATE, templateVars({
      start: new Date(start), durationMinutes: 60, timezone: 'Asia/Dubai', lang: 'en', service: 'Video call',
      name: 'Sara', link: body.manageUrl, ref: body.booking.id.slice(0, 8).toUpperCase(),
    }));
    expect(text).toBe(expected);
    const dubaiTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Dubai', hour: '2-digit', minute: '2-digit' }).format(new Date(start));
    expect(text).toContain(`at ${dubaiTime}?`);
    expect(text).toContain('(60 min, Asia/Dubai)');
  });

  it('confirm mode in Arabic renders Arabic digits and names', async () => {
    const body = await book(nextStart(), 'video', { lang: 'ar' });
    const { text } = decodeWa(body.whatsappUrl);
    expect(text).toMatch(/[٠-٩]/);
    expect(text).toContain('دقيقة');
  });

  it('request mode: a link for a free time, with no booking created', async () => {
    const before = (await pg.query<{ n: number }>('select count(*)::int as n from bookings')).rows[0].n;
    const start = nextStart();
    for (const lang of ['en', 'ar'] as const) {
      const res = await fetch(`${server.url}/api/providers/wa/whatsapp-link?service=video&start=${encodeURIComponent(start)}&lang=${lang}&name=Omar`);
      expect(res.status).toBe(200);
      const { url } = await res.json();
      const { text } = decodeWa(url);
      const expected = fillTemplate(TEMPLATE, templateVars({
        start: new Date(start), durationMinutes: 60, timezone: 'Asia/Dubai', lang, service: 'Video call', name: 'Omar',
        link: `${server.url}/c/wa/video?slot=${encodeURIComponent(start)}`,
      }));
      expect(text).toBe(expected);
    }
    expect((await pg.query<{ n: number }>('select count(*)::int as n from bookings')).rows[0].n).toBe(before);
  });

  it('share message lists free times in the client zone with links that preselect them', async () => {
    for (const lang of ['en', 'ar']) {
      const res = await fetch(`${server.url}/api/providers/wa/share-message?service=studio&count=3&tz=Europe/London&lang=${lang}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.slots).toHaveLength(3);
      for (const slot of body.slots) {
        const link = new URL(slot.link);
        expect(link.pathname).toBe('/c/wa/studio');
        expect(link.searchParams.get('slot')).toBe(slot.start);
        expect(link.searchParams.get('tz')).toBe('Europe/London');
        expect(body.text).toContain(slot.link);
        expect(body.text).toContain(slot.label);
      }
      const shared = new URL(body.whatsappUrl);
      expect(shared.origin + shared.pathname).toBe('https://wa.me/');
      expect(shared.searchParams.get('text')).toBe(body.text);
      if (lang === 'ar') expect(body.text).toMatch(/مرحباً/);
    }
  });

  it('share message answers 400 for bad count or zone', async () => {
    expect((await fetch(`${server.url}/api/providers/wa/share-message?count=99`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/providers/wa/share-message?tz=Nope/Nope`)).status).toBe(400);
  });
});

describe('calendar files', () => {
  it('the booking .ics parses back to the exact instants, with organizer, attendee, reminder and a video room', async () => {
    const start = nextStart();
    const body = await book(start);
    const res = await fetch(body.icsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/calendar/);
    const vevent = new ICAL.Component(ICAL.parse(await res.text())).getFirstSubcomponent('vevent')!;
    const event = new ICAL.Event(vevent);
    expect(event.startDate.toJSDate().toISOString()).toBe(start);
    expect(event.endDate.toJSDate().toISOString()).toBe(body.booking.end);
    expect(event.uid).toBe(`${body.booking.id}@slotline`);
    expect(vevent.getFirstPropertyValue('organizer')).toBeTruthy();
    expect(String(vevent.getFirstPropertyValue('attendee'))).toContain('v@example.com');
    expect(vevent.getFirstSubcomponent('valarm')).toBeTruthy();
    expect(event.location).toMatch(/^https:\/\/meet\.jit\.si\/slotline-[0-9a-f]{64}$/);
    expect(event.description).toContain(body.manageUrl);

    const view = await (await fetch(`${server.url}/api/bookings/${tokenOf(body.manageUrl)}`)).json();
    expect(new URL(view.links.google).searchParams.get('dates')).toBe(
      `${start.replace(/[-:]/g, '').replace('.000', '')}/${body.booking.end.replace(/[-:]/g, '').replace('.000', '')}`);
    expect(view.links.outlook).toContain('outlook.live.com');
  });

  it('every meeting room is different and unguessable', async () => {
    const a = await book(nextStart());
    const b = await book(nextStart());
    const rooms = await pg.query<{ meeting_room: string }>('select meeting_room from bookings where id in ($1, $2)', [a.booking.id, b.booking.id]);
    expect(new Set(rooms.rows.map((r) => r.meeting_room)).size).toBe(2);
  });

  it('the provider feed lists live bookings, and cancelled ones as STATUS:CANCELLED so subscribed calendars remove them', async () => {
    const live = await book(nextStart(), 'studio');
    const cancelled = await book(nextStart(), 'studio');
    await fetch(`${server.url}/api/bookings/${tokenOf(cancelled.manageUrl)}/cancel`, { method: 'POST' });
    const token = newManageToken();
    await server.db.rpc('set_ics_feed_token', { p_slug: 'wa', p_token_hash: hashToken(token) });
    const res = await fetch(`${server.url}/ics/${token}.ics`);
    expect(res.status).toBe(200);
    const events = new ICAL.Component(ICAL.parse(await res.text())).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const uids = events.map((e) => e.uid);
    expect(uids).toContain(`${live.booking.id}@slotline`);
    const gone = events.find((e) => e.uid === `${cancelled.booking.id}@slotline`)!;
    expect(gone.component.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(Number(gone.component.getFirstPropertyValue('sequence'))).toBeGreaterThan(0);
    expect(events.find((e) => e.uid === `${live.booking.id}@slotline`)!.component.getFirstPropertyValue('status')).toBe('CONFIRMED');
    const ours = events.find((e) => e.uid === `${live.booking.id}@slotline`)!;
    expect(ours.startDate.toJSDate().toISOString()).toBe(live.booking.start);
    expect(ours.location).toBe('Studio 4, Dubai');
    expect((await fetch(`${server.url}/ics/${newManageToken()}.ics`)).status).toBe(404);
  });
});

describe('manage links', () => {
  it('reschedules to another offered time and frees the old one', async () => {
    const from = nextStart();
    const to = nextStart();
    const body = await book(from, 'studio');
    const res = await fetch(`${server.url}/api/bookings/${tokenOf(body.manageUrl)}/reschedule`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: to }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).booking.start).toBe(to);
    await book(from, 'studio'); // the old time is free again
  });

  it('moves by less than its own length (overlapping itself)', async () => {
    const start = nextStart();
    nextStart();
    const body = await book(start, 'studio');
    const half = new Date(Date.parse(start) + 3_600_000).toISOString();
    const res = await fetch(`${server.url}/api/bookings/${tokenOf(body.manageUrl)}/reschedule`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: half }),
    });
    expect(res.status).toBe(200);
  });

  it('refuses a taken time (409) and an off-grid time (409 unavailable), keeping the booking', async () => {
    const a = await book(nextStart(), 'studio');
    const bStart = nextStart();
    await book(bStart, 'studio');
    const move = (start: string) => fetch(`${server.url}/api/bookings/${tokenOf(a.manageUrl)}/reschedule`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start }),
    });
    const taken = await move(bStart);
    expect(taken.status).toBe(409);
    expect((await taken.json()).type).toMatch(/slot-taken$/);
    const off = await move(new Date(Date.parse(bStart) + 7 * 60_000).toISOString());
    expect((await off.json()).type).toMatch(/slot-unavailable$/);
    const view = await (await fetch(`${server.url}/api/bookings/${tokenOf(a.manageUrl)}`)).json();
    expect(view.booking).toMatchObject({ status: 'confirmed', start: a.booking.start });
  });

  it('the manage view offers the WhatsApp message with the filled template', async () => {
    const body = await book(nextStart(), 'studio');
    const view = await (await fetch(`${server.url}/api/bookings/${tokenOf(body.manageUrl)}`)).json();
    const { phone, text } = decodeWa(view.links.whatsapp);
    expect(phone).toBe('971500000001');
    expect(text).toContain(body.manageUrl);
    expect(text).toContain('Studio session');
  });

  it('refuses cancelling inside the policy window', async () => {
    const soon = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3 * 3_600_000).toISOString();
    const body = await book(soon, 'studio');
    await pg.query("update providers set settings = jsonb_set(settings, '{booking,cancelUntilHoursBefore}', '48') where public_slug = 'wa'");
    try {
      const res = await fetch(`${server.url}/api/bookings/${tokenOf(body.manageUrl)}/cancel`, { method: 'POST' });
      expect(res.status).toBe(409);
      expect((await res.json()).type).toMatch(/too-late-to-cancel$/);
    } finally {
      await pg.query("update providers set settings = jsonb_set(settings, '{booking,cancelUntilHoursBefore}', '2') where public_slug = 'wa'");
    }
  });
});
