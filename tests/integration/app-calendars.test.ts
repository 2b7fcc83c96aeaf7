import { randomBytes } from 'node:crypto';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAddress } from '../../server/app-api/calendars.ts';
import { AppClient, signInOwner, signInWithCode, startAppServer, type AppServer } from '../support/app-client.ts';
import { startFakeGoogle, type FakeGoogle } from '../support/fake-google.ts';
import { startIcsServer, type IcsServer } from '../support/ics-server.ts';
import { startRadicale, type RadicaleServer } from '../support/radicale.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/**
 * The provider app connects calendars (issue 14): CalDAV with discovery and a plain-words test, the choice of busy
 * and write-back calendars, an ICS feed (test, save), each source's health, and disconnect removing the secret.
 * Real Radicale, a real feed server, the real app with sign-in; the app's clock is fixed at NOW.
 */
/** A Monday 06:00Z (10:00 in Dubai) at least two weeks after the real date. */
const NOW = mondayAfterTwoWeeks();
const { day } = daysAfter(NOW);
const compact = (n: number, hm: string) => `${day(n).replace(/-/g, '')}T${hm.replace(':', '')}00`;

function ics(uid: string, n: number, from: string, to: string): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z',
    `DTSTART;TZID=Asia/Dubai:${compact(n, from)}`, `DTEND;TZID=Asia/Dubai:${compact(n, to)}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}

let server: AppServer;
let radicale: RadicaleServer;
let feed: IcsServer;
let google: FakeGoogle;
let owner: AppClient;
let base: string;

beforeAll(async () => {
  google = await startFakeGoogle();
  // The server reads its settings once (server/config.ts): the key and the Google client come in through its env.
  const env = {
    SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0', SIGNUP: 'open', CALENDAR_PRIVATE_HOSTS: '1',
    SECRETS_KEY: randomBytes(32).toString('base64'),
    GOOGLE_CLIENT_ID: google.clientId, GOOGLE_CLIENT_SECRET: google.clientSecret, GOOGLE_OAUTH_BASE: google.url, GOOGLE_API_BASE: `${google.url}/calendar/v3`,
  };
  [server, radicale, feed] = await Promise.all([
    startAppServer({ start: NOW, env }),
    startRadicale({ kim: 'kim-pass' }),
    startIcsServer(ics('feed@test', 2, '15:00', '16:00')),
  ]);
  const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'kim', password: 'kim-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
  for (const [name, from, to] of [['work', '09:00', '10:00'], ['home', '11:00', '12:00']]) {
    await client.makeCalendar({ url: `${radicale.url}kim/${name}/`, props: { displayname: name === 'work' ? 'Work' : 'Home' } });
    const [calendar] = (await client.fetchCalendars()).filter((c) => c.url === `${radicale.url}kim/${name}/`);
    await client.createCalendarObject({ calendar, filename: `${name}.ics`, iCalString: ics(`${name}@test`, 1, from, to) });
  }
  ({ owner, base } = await signInOwner(server));
  base += '/calendars';
});
afterAll(async () => {
  await Promise.all([server?.close(), radicale?.stop(), feed?.stop(), google?.stop()]);
});

/** Offered starts (UTC ISO) of the demo's 30-minute intro on day n. */
async function slots(n: number): Promise<string[]> {
  const res = await fetch(`${server.url}/api/providers/demo/slots?service=intro&from=${day(n)}&to=${day(n)}&tz=Asia/Dubai`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => new Date(s.start).toISOString());
}
const utc = (n: number, hm: string) => `${day(n)}T${hm}:00.000Z`;

describe('CalDAV from the app', () => {
  const form = () => ({ server: radicale.url, username: 'kim', password: 'kim-pass' });

  it('a wrong password is answered in plain words, with how to make an app-specific password', async () => {
    const res = await owner.json('POST', `${base}/caldav/test`, { ...form(), password: 'wrong' }, 200);
    expect(res).toMatchObject({ ok: false, field: 'password' });
    expect(res.message).toMatch(/refused this username and password/);
    expect(res.message).toMatch(/app-specific password/);
    expect(JSON.stringify(res)).not.toContain('wrong');
  });

  it('a test lists the account’s calendars by name; nothing is stored', async () => {
    const res = await owner.json('POST', `${base}/caldav/test`, form(), 200);
    expect(res.ok).toBe(true);
    expect(res.message).toBe('Connected to 127.0.0.1: 2 calendars found.');
    expect(res.calendars.map((c: { name: string }) => c.name).sort()).toEqual(['Home', 'Work']);
    expect((await owner.json('GET', base, undefined, 200)).sources).toEqual([]);
  });

  it('bad input is a 400 naming the field and writes nothing', async () => {
    const res = await owner.post(`${base}/caldav`, { server: '', username: 'kim' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['password', 'server']);
    const bad = await owner.post(`${base}/caldav`, { ...form(), busyCalendarIds: [`${radicale.url}kim/nope/`] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('busyCalendarIds');
    expect((await owner.json('GET', base, undefined, 200)).sources).toEqual([]);
  });

  it('connects with a choice of busy and write-back calendars, syncs at once, and reports health', async () => {
    const work = `${radicale.url}kim/work/`;
    const res = await owner.json('POST', `${base}/caldav`, { ...form(), busyCalendarIds: [work], writeCalendarId: work }, 201);
    expect(res.busyCalendarIds).toEqual([work]);
    expect(res.writeCalendarId).toBe(work);
    expect(res.sources).toHaveLength(1);
    expect(res.sources[0]).toMatchObject({ kind: 'caldav', account: 'kim', status: 'ok', lastError: null, warning: null });
    expect(res.sources[0].lastSuccessAt).not.toBeNull();
    expect(JSON.stringify(res)).not.toContain('kim-pass');
    const tuesday = await slots(1);
    expect(tuesday).not.toContain(utc(1, '05:00')); // Work 09:00–10:00 Dubai
    expect(tuesday).toContain(utc(1, '07:00')); // Home is not a busy calendar
  });

  it('changing the busy calendars applies at once', async () => {
    const home = `${radicale.url}kim/home/`;
    const res = await owner.json('PUT', `${base}/caldav/choice`, { busyCalendarIds: [home], writeCalendarId: home }, 200);
    expect(res.busyCalendarIds).toEqual([home]);
    expect(res.writeCalendarId).toBe(home);
    const tuesday = await slots(1);
    expect(tuesday).toContain(utc(1, '05:00'));
    expect(tuesday).not.toContain(utc(1, '07:00'));
    expect((await owner.put(`${base}/caldav/choice`, { busyCalendarIds: ['https://elsewhere.example/cal/'], writeCalendarId: null })).status).toBe(400);
  });

  it('the choice editor lists the connected account’s calendars with the current choice', async () => {
    const res = await owner.json('GET', `${base}/caldav/calendars`, undefined, 200);
    expect(res.writeCalendarId).toBe(`${radicale.url}kim/home/`);
    expect(res.calendars.map((c: { name: string; busy: boolean }) => [c.name, c.busy]).sort()).toEqual([['Home', true], ['Work', false]]);
    expect(JSON.stringify(res)).not.toContain('kim-pass');
    expect((await owner.get(`${base}/google/calendars`)).status).toBe(404); // none connected yet
    expect((await owner.get(`${base}/ics/calendars`)).status).toBe(404); // a feed has no calendars to choose
  });
});

describe('ICS feed from the app', () => {
  it('a failing feed is answered in plain words; a working one with what it found; saving syncs it', async () => {
    feed.status = 404;
    const bad = await owner.json('POST', `${base}/ics/test`, { url: feed.url }, 200);
    expect(bad).toMatchObject({ ok: false, field: 'url' });
    expect(bad.message).toMatch(/Nothing is published at that address/);
    expect(bad.message).not.toContain(feed.url);
    expect((await owner.post(`${base}/ics`, { url: feed.url })).status).toBe(400);
    feed.status = null;

    const good = await owner.json('POST', `${base}/ics/test`, { url: feed.url }, 200);
    expect(good).toMatchObject({ ok: true, busyCount: 1, message: 'The feed works: 1 busy time in the next 90 days.' });
    const saved = await owner.json('POST', `${base}/ics`, { url: feed.url }, 201);
    expect(saved.sources.map((s: { kind: string }) => s.kind).sort()).toEqual(['caldav', 'ics']);
    expect(JSON.stringify(saved)).not.toContain(feed.url);
    expect(await slots(2)).not.toContain(utc(2, '11:00')); // 15:00 Dubai
  });

  it('a failing source shows its last error in plain words and when it retries', async () => {
    feed.status = 503;
    try {
      // Saving a calendar choice refreshes every source at once; the feed fails.
      const home = `${radicale.url}kim/home/`;
      const res = await owner.json('PUT', `${base}/caldav/choice`, { busyCalendarIds: [home], writeCalendarId: home }, 200);
      const failing = res.sources.find((s: { kind: string }) => s.kind === 'ics');
      expect(failing).toMatchObject({ status: 'failing', lastError: 'The calendar server had a problem (HTTP 503). Try again later.' });
      expect(failing.lastSuccessAt).not.toBeNull(); // its last good data is kept
      expect(Date.parse(failing.nextRefreshAt)).toBeGreaterThanOrEqual(NOW.getTime());
      expect(JSON.stringify(res)).not.toContain(feed.url);
    } finally {
      feed.status = null;
    }
  });
});

describe('Google from the app (web OAuth)', () => {
  const callback = (location: string) => new URL(location).pathname + new URL(location).search;

  it('start → Google consent → callback stores the grant, reads the primary calendar and returns to the app', async () => {
    google.calendars = [
      { id: 'layla@example.com', summary: 'Layla', primary: true, busy: [{ start: `${day(3)}T05:00:00Z`, end: `${day(3)}T06:00:00Z` }] },
      { id: 'gym@group.calendar.google.com', summary: 'Gym', busy: [{ start: `${day(3)}T07:00:00Z`, end: `${day(3)}T08:00:00Z` }] },
    ];
    const start = await owner.json('POST', `${base}/google/start`, {}, 200);
    expect(start.redirectUri).toBe(`${server.config.publicUrl}/api/app/calendars/google/callback`);
    const consent = await fetch(start.url, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const location = consent.headers.get('location')!;
    expect(location.startsWith(start.redirectUri)).toBe(true);

    // Someone else signed in cannot finish this owner's consent.
    const stranger = new AppClient(server);
    expect((await signInWithCode(stranger, server.logs, 'google-stranger@example.com')).status).toBe(200);
    const stolen = await stranger.get(callback(location));
    expect(stolen.status).toBe(303);
    expect(stolen.headers.get('location')).toBe(`${server.config.publicUrl}/app/settings/calendars?calendar-error=google-state`);

    const done = await owner.get(callback(location));
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${server.config.publicUrl}/app/settings/calendars?calendar=google-connected`);
    const health = await owner.json('GET', base, undefined, 200);
    expect(health.sources.find((s: { kind: string }) => s.kind === 'google')).toMatchObject({ account: 'layla@example.com', status: 'ok' });
    expect(health.writeGoogleCalendarId).toBe('layla@example.com');
    const thursday = await slots(3);
    expect(thursday).not.toContain(utc(3, '05:00'));
    expect(thursday).toContain(utc(3, '07:00'));
    expect(JSON.stringify(health)).not.toMatch(/1\/\//); // no refresh token
  });

  it('a consent Google refused, or a forged state, returns to the app with the reason', async () => {
    const denied = await owner.get(`/api/app/calendars/google/callback?error=access_denied&state=${encodeURIComponent('x.1.y.z')}`);
    expect(denied.headers.get('location')).toBe(`${server.config.publicUrl}/app/settings/calendars?calendar-error=google-state`);
    const start = await owner.json('POST', `${base}/google/start`, {}, 200);
    const state = new URL(start.url).searchParams.get('state')!;
    const refused = await owner.get(`/api/app/calendars/google/callback?error=access_denied&state=${encodeURIComponent(state)}`);
    expect(refused.headers.get('location')).toBe(`${server.config.publicUrl}/app/settings/calendars?calendar-error=google-denied`);
  });

  it('the busy and write-back calendars can be chosen among the account’s calendars', async () => {
    const res = await owner.json('PUT', `${base}/google/choice`, { busyCalendarIds: ['gym@group.calendar.google.com'], writeCalendarId: 'gym@group.calendar.google.com' }, 200);
    expect(res.writeGoogleCalendarId).toBe('gym@group.calendar.google.com');
    expect(res.calendars).toEqual([
      { id: 'layla@example.com', name: 'Layla', busy: false },
      { id: 'gym@group.calendar.google.com', name: 'Gym', busy: true },
    ]);
    const thursday = await slots(3);
    expect(thursday).toContain(utc(3, '05:00'));
    expect(thursday).not.toContain(utc(3, '07:00'));
    expect((await owner.put(`${base}/google/choice`, { busyCalendarIds: ['nope'], writeCalendarId: null })).status).toBe(400);
    expect(await owner.json('GET', `${base}/google/calendars`, undefined, 200)).toEqual({
      calendars: [{ id: 'layla@example.com', name: 'Layla', busy: false }, { id: 'gym@group.calendar.google.com', name: 'Gym', busy: true }],
      writeCalendarId: 'gym@group.calendar.google.com',
    });
    expect((await owner.json('DELETE', `${base}/google`, {}, 200)).removed).toBe(1);
  });

  it('Microsoft 365 answers 503 in plain words on a server without a Microsoft app registration', async () => {
    const res = await owner.post(`${base}/microsoft/start`, {});
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ type: expect.stringContaining('microsoft-not-configured'), detail: expect.stringContaining('MICROSOFT_CLIENT_ID') });
  });
});

describe('disconnect and ownership', () => {
  it('another signed-in user cannot see, test or remove these calendars', async () => {
    const stranger = new AppClient(server);
    expect((await signInWithCode(stranger, server.logs, 'stranger@example.com')).status).toBe(200);
    expect((await stranger.get(base)).status).toBe(404);
    expect((await stranger.post(`${base}/ics/test`, { url: feed.url })).status).toBe(404);
    expect((await stranger.delete(`${base}/caldav`, {})).status).toBe(404);
    expect((await owner.json('GET', base, undefined, 200)).sources).toHaveLength(2);
  });

  it('disconnect removes the source and its secret', async () => {
    const res = await owner.json('DELETE', `${base}/caldav`, {}, 200);
    expect(res.removed).toBe(1);
    expect(res.sources.map((s: { kind: string }) => s.kind)).toEqual(['ics']);
    const me = await owner.json('GET', '/api/app/me', undefined, 200);
    const userId = me.user?.id ?? me.id;
    expect(await server.db.rpc('app_calendar_secret', { p_user_id: userId, p_provider_id: me.providers[0].id, p_kind: 'caldav' })).toBeNull();
    expect((await owner.delete(`${base}/caldav`, {})).status).toBe(404);
    expect(await slots(1)).toContain(utc(1, '07:00'));
  });
});

describe('addresses the app may connect to', () => {
  it('refuses private networks and plain http unless the server allows them', async () => {
    for (const raw of ['https://127.0.0.1/', 'https://localhost/dav/', 'https://169.254.169.254/latest/', 'https://10.1.2.3/', 'https://[::1]/']) {
      expect(await checkAddress(raw, 'server', false), raw).toMatchObject({ ok: false, field: 'server' });
    }
    expect(await checkAddress('http://calendar.example.com/', 'url', false)).toMatchObject({ ok: false, message: 'must start with https://' });
    expect(await checkAddress('http://127.0.0.1:5232/', 'server', true)).toMatchObject({ ok: true });
    expect(await checkAddress('not a url', 'url', false)).toMatchObject({ ok: false, field: 'url' });
  });
});
