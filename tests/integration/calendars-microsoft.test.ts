import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { oauthState } from '../../server/app-api/calendars.ts';
import {
  createMicrosoftSource, exchangeMicrosoftCode, listMicrosoftCalendars, microsoftAuthUrl, MicrosoftGrantRevokedError, refreshMicrosoftToken,
  SLOTLINE_GRAPH_PROPERTY,
} from '../../server/calendars/microsoft.ts';
import { CalendarAuthError, describeSourceError } from '../../server/calendars/source.ts';
import { deleteBookingFromMicrosoft, putBookingToMicrosoft } from '../../server/calendars/write-back.ts';
import { readConfig } from '../../server/config.ts';
import { decryptSecret } from '../../server/secrets/crypto.ts';
import { AppClient, signInOwner, signInWithCode, startAppServer, type AppServer } from '../support/app-client.ts';
import { daysAfter, mondayAfterTwoWeeks } from '../support/clock.ts';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.ts';
import { until } from '../support/until.ts';

/**
 * Microsoft 365 / Outlook.com calendars (issue 14) against a local fake of the documented identity-platform and
 * Graph endpoints: the source and write-back functions on their own, then the whole flow through the provider app.
 */

const WINDOW = { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-06-08T00:00:00Z') };
const REDIRECT = 'http://127.0.0.1:8787/api/app/calendars/microsoft/callback';

/** Runs the consent step: follow the auth URL to the redirect and read `code` and `state` from it. */
async function consent(url: string, redirect = REDIRECT): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(redirect);
  return back;
}

describe('Microsoft Graph source and write-back against a local fake', () => {
  let graph: FakeGraph;
  beforeAll(async () => {
    graph = await startFakeGraph();
  });
  afterAll(async () => {
    await graph?.stop();
  });
  beforeEach(() => {
    Object.assign(graph, { accessTokenTtl: 3600, pageSize: 100, strictRotation: false, throttle: 0, deny: false });
    graph.calendars = [
      {
        id: 'AAMkMain', name: 'Calendar', hexColor: '#0078D4', isDefaultCalendar: true, events: [
          { id: 'e1', start: '2026-06-01T09:00:00', end: '2026-06-01T10:00:00', showAs: 'busy' },
          { id: 'e2', start: '2026-06-01T11:00:00', end: '2026-06-01T12:00:00', showAs: 'free' },
          { id: 'e3', start: '2026-06-01T13:00:00', end: '2026-06-01T14:00:00', showAs: 'tentative' },
          { id: 'e4', start: '2026-06-01T15:00:00', end: '2026-06-01T16:00:00', showAs: 'busy', isCancelled: true },
          // All day on 3 June: the provider's day in Dubai (UTC+4), 2 June 20:00Z to 3 June 20:00Z.
          { id: 'e5', start: '2026-06-03T00:00:00', end: '2026-06-04T00:00:00', showAs: 'oof', isAllDay: true },
          { id: 'e6', start: '2026-06-05T08:00:00', end: '2026-06-05T09:00:00', showAs: 'workingElsewhere' },
          { id: 'e7', start: '2026-07-01T08:00:00', end: '2026-07-01T09:00:00', showAs: 'busy' }, // outside the window
        ],
      },
      { id: 'AAMkWork', name: 'Work', hexColor: '', events: [{ id: 'w1', start: '2026-06-02T09:00:00', end: '2026-06-02T11:00:00' }] },
      { id: 'AAMkHolidays', name: 'Holidays', events: [{ id: 'h1', start: '2026-06-06T00:00:00', end: '2026-06-07T00:00:00', isAllDay: true }] },
    ];
  });

  async function connect(): Promise<string> {
    const cfg = graph.config(REDIRECT);
    const url = microsoftAuthUrl(cfg, 'state-123');
    expect(url.startsWith(`${graph.url}/common/oauth2/v2.0/authorize?`)).toBe(true);
    expect(new URL(url).searchParams.get('scope')).toBe('offline_access Calendars.ReadWrite User.Read');
    const back = await consent(url);
    expect(back.searchParams.get('state')).toBe('state-123');
    const tokens = await exchangeMicrosoftCode(cfg, back.searchParams.get('code')!);
    // A code works once.
    await expect(exchangeMicrosoftCode(cfg, back.searchParams.get('code')!)).rejects.toBeInstanceOf(MicrosoftGrantRevokedError);
    return tokens.refreshToken;
  }

  const source = (refreshToken: string, selectedCalendarIds?: string[], onRefreshToken?: (t: string) => void) =>
    createMicrosoftSource({ id: 'microsoft:1', config: graph.config(REDIRECT), refreshToken, timezone: 'Asia/Dubai', selectedCalendarIds, onRefreshToken });

  it('lists the calendars with name and colour, every page', async () => {
    graph.pageSize = 1;
    const { accessToken } = await refreshMicrosoftToken(graph.config(REDIRECT), await connect());
    expect(await listMicrosoftCalendars(graph.config(REDIRECT), accessToken)).toEqual([
      { id: 'AAMkMain', name: 'Calendar', color: '#0078d4', primary: true },
      { id: 'AAMkWork', name: 'Work', primary: false },
      { id: 'AAMkHolidays', name: 'Holidays', primary: false },
    ]);
  });

  it('reads busy time of the chosen calendars in UTC: free and cancelled events do not count, all-day events block the provider’s day', async () => {
    graph.pageSize = 2; // calendarView pages through @odata.nextLink
    graph.requests = [];
    const busy = await source(await connect(), ['AAMkMain', 'AAMkWork']).fetchBusy(WINDOW, AbortSignal.timeout(5000));
    expect(busy).toEqual([
      { start: '2026-06-01T09:00:00.000Z', end: '2026-06-01T10:00:00.000Z' },
      { start: '2026-06-01T13:00:00.000Z', end: '2026-06-01T14:00:00.000Z' },
      { start: '2026-06-02T09:00:00.000Z', end: '2026-06-02T11:00:00.000Z' },
      { start: '2026-06-02T20:00:00.000Z', end: '2026-06-03T20:00:00.000Z' },
      { start: '2026-06-05T08:00:00.000Z', end: '2026-06-05T09:00:00.000Z' },
    ]);
    const views = graph.requests.filter((r) => r.path.endsWith('/calendarView'));
    expect(views.length).toBeGreaterThan(2); // more than one page per calendar
    expect(views.every((r) => r.prefer === 'outlook.timezone="UTC"')).toBe(true);
  });

  it('reads every calendar when none of the chosen ids is this account’s', async () => {
    const busy = await source(await connect(), ['https://caldav.example/other/']).fetchBusy(WINDOW, AbortSignal.timeout(5000));
    expect(busy.map((b) => b.start)).toContain('2026-06-05T20:00:00.000Z'); // Holidays, 6 June in Dubai
  });

  it('writes a booking once (create, then PATCH on change), never counts it as busy, and deletes it', async () => {
    const refreshToken = await connect();
    const cfg = graph.config(REDIRECT);
    const { accessToken } = await refreshMicrosoftToken(cfg, refreshToken);
    const signal = AbortSignal.timeout(5000);
    const booking = (id: string, start: string, end: string) => ({
      id, start, end, summary: 'Intro call: Sam Lee', customerName: 'Sam Lee', customerEmail: 'sam@example.com',
      location: 'https://meet.example/abc', notes: 'Bring the draft', manageUrl: 'https://book.example/m/xyz',
    });
    const alone = randomUUID();
    const clash = randomUUID();
    const id = await putBookingToMicrosoft(cfg, accessToken, 'AAMkMain', booking(alone, '2026-06-04T09:00:00Z', '2026-06-04T10:00:00Z'), signal);
    // Ours at exactly the time of an external meeting in the same calendar: the meeting still counts.
    await putBookingToMicrosoft(cfg, accessToken, 'AAMkMain', booking(clash, '2026-06-01T09:00:00Z', '2026-06-01T10:00:00Z'), signal);
    expect(graph.written()).toHaveLength(2);
    const written = graph.written().find((e) => e.id === id)!;
    expect(written).toMatchObject({
      subject: 'Intro call: Sam Lee', start: '2026-06-04T09:00:00', end: '2026-06-04T10:00:00', showAs: 'busy', transactionId: `${alone}:0`,
      location: { displayName: 'https://meet.example/abc' },
      singleValueExtendedProperties: [{ id: SLOTLINE_GRAPH_PROPERTY, value: alone }],
    });
    expect((written.body as { content: string }).content).toBe(
      'Booked with Slotline by Sam Lee <sam@example.com>.\nNotes: Bring the draft\nManage this booking: https://book.example/m/xyz',
    );
    expect(written.attendees).toBeUndefined(); // Outlook would send its own invitation

    const busy = await source(refreshToken, ['AAMkMain']).fetchBusy(WINDOW, AbortSignal.timeout(5000));
    expect(busy.map((b) => b.start)).toEqual(['2026-06-01T09:00:00.000Z', '2026-06-01T13:00:00.000Z', '2026-06-02T20:00:00.000Z', '2026-06-05T08:00:00.000Z']);

    // Rescheduled: the same event moves.
    expect(await putBookingToMicrosoft(cfg, accessToken, 'AAMkMain', booking(alone, '2026-06-04T14:00:00Z', '2026-06-04T15:00:00Z'), signal)).toBe(id);
    expect(graph.written()).toHaveLength(2);
    expect(graph.written().find((e) => e.id === id)).toMatchObject({ start: '2026-06-04T14:00:00', end: '2026-06-04T15:00:00' });

    await deleteBookingFromMicrosoft(cfg, accessToken, 'AAMkMain', alone, signal);
    await deleteBookingFromMicrosoft(cfg, accessToken, 'AAMkMain', alone, signal); // already gone: fine
    expect(graph.written().map((e) => e.singleValueExtendedProperties![0].value)).toEqual([clash]);
  });

  it('keeps the rotated refresh token: each refresh hands the new one on, and the newest keeps working', async () => {
    graph.strictRotation = true; // a used refresh token stops working
    const first = await connect();
    const rotated: string[] = [];
    const s = source(first, ['AAMkWork'], (t) => void rotated.push(t));
    await s.fetchBusy(WINDOW, AbortSignal.timeout(5000));
    await s.fetchBusy(WINDOW, AbortSignal.timeout(5000)); // the access token is still good: no refresh
    expect(rotated).toHaveLength(1);
    graph.expireAccessTokens(); // Graph answers 401 before the stated expiry: refresh once and retry
    expect(await s.fetchBusy(WINDOW, AbortSignal.timeout(5000))).toHaveLength(1);
    expect(rotated).toHaveLength(2);
    await expect(refreshMicrosoftToken(graph.config(REDIRECT), first)).rejects.toBeInstanceOf(MicrosoftGrantRevokedError);
    expect((await refreshMicrosoftToken(graph.config(REDIRECT), rotated[1])).accessToken).toBeTruthy();
  });

  it('waits out a short 429 Retry-After and tries again', async () => {
    const { accessToken } = await refreshMicrosoftToken(graph.config(REDIRECT), await connect());
    graph.requests = [];
    graph.throttle = 1;
    expect(await listMicrosoftCalendars(graph.config(REDIRECT), accessToken)).toHaveLength(3);
    expect(graph.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('turns revoked consent and a wrong client secret into typed errors without tokens in them', async () => {
    const refreshToken = await connect();
    await expect(refreshMicrosoftToken({ ...graph.config(REDIRECT), clientSecret: 'nope' }, refreshToken)).rejects.toBeInstanceOf(CalendarAuthError);
    await expect(listMicrosoftCalendars(graph.config(REDIRECT), 'eyJ.invalid')).rejects.toBeInstanceOf(CalendarAuthError);
    graph.revokeAll();
    const error = await source(refreshToken).fetchBusy(WINDOW, AbortSignal.timeout(5000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicrosoftGrantRevokedError);
    expect(describeSourceError(error)).toMatch(/connect Microsoft 365 again/);
    expect(describeSourceError(error)).not.toContain(refreshToken);
  });

  it('reads its configuration from the environment, defaulting to Microsoft’s endpoints and PUBLIC_URL’s callback', () => {
    const fromEnv = (env: Record<string, string>) => readConfig(env).calendars.microsoft;
    expect(fromEnv({})).toBeNull();
    const real = fromEnv({ MICROSOFT_CLIENT_ID: 'id', MICROSOFT_CLIENT_SECRET: 's', PUBLIC_URL: 'https://book.example.com/' })!;
    expect(real).toMatchObject({ tenant: 'common', graphBase: 'https://graph.microsoft.com/v1.0', redirectUri: 'https://book.example.com/api/app/calendars/microsoft/callback' });
    expect(microsoftAuthUrl(real, 'x')).toMatch(/^https:\/\/login\.microsoftonline\.com\/common\/oauth2\/v2\.0\/authorize\?/);
    const local = fromEnv({ MICROSOFT_CLIENT_ID: 'id', MICROSOFT_CLIENT_SECRET: 's', MICROSOFT_TENANT: 'consumers', MICROSOFT_LOGIN_BASE: graph.url })!;
    expect(microsoftAuthUrl(local, 'x').startsWith(`${graph.url}/consumers/oauth2/v2.0/authorize?`)).toBe(true);
    expect(() => fromEnv({ MICROSOFT_CLIENT_ID: 'id', MICROSOFT_CLIENT_SECRET: 's', MICROSOFT_GRAPH_BASE: 'graph' })).toThrow(/MICROSOFT_GRAPH_BASE/);
  });
});

describe('Microsoft 365 from the provider app', () => {
  /** A Monday 06:00Z (10:00 in Dubai, where the demo provider works) at least two weeks after the real date. */
  const NOW = mondayAfterTwoWeeks();
  const { day, at } = daysAfter(NOW);
  const KEY = randomBytes(32);
  let graph: FakeGraph;
  let server: AppServer;
  let owner: AppClient;
  let stranger: AppClient;
  let base: string;
  let userId: string;
  let providerId: string;
  const pathOf = (location: string) => new URL(location).pathname + new URL(location).search;
  const settings = (query: string) => `${server.config.publicUrl}/app/settings/calendars?${query}`;

  beforeAll(async () => {
    graph = await startFakeGraph();
    graph.calendars = [
      { id: 'AAMkMain', name: 'Calendar', hexColor: '#0078d4', isDefaultCalendar: true, events: [{ id: 'm1', start: `${day(3)}T05:00:00`, end: `${day(3)}T06:00:00` }] },
      { id: 'AAMkGym', name: 'Gym', hexColor: '#e3008c', events: [{ id: 'g1', start: `${day(3)}T07:00:00`, end: `${day(3)}T08:00:00` }] },
    ];
    server = await startAppServer({
      start: NOW,
      env: {
        SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0', SIGNUP: 'open', SECRETS_KEY: KEY.toString('base64'),
        MICROSOFT_CLIENT_ID: graph.clientId, MICROSOFT_CLIENT_SECRET: graph.clientSecret, MICROSOFT_LOGIN_BASE: graph.url, MICROSOFT_GRAPH_BASE: `${graph.url}/v1.0`,
      },
    });
    ({ owner, base } = await signInOwner(server));
    const me = await owner.json('GET', '/api/app/me', undefined, 200);
    userId = me.user?.id ?? me.id;
    providerId = me.providers[0].id;
    base += '/calendars';
    stranger = new AppClient(server);
    expect((await signInWithCode(stranger, server.logs, 'stranger@example.com')).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), graph?.stop()]);
  });

  /** Offered starts (UTC ISO) of the demo's 30-minute intro on day n. */
  async function slots(n: number): Promise<string[]> {
    const res = await fetch(`${server.url}/api/providers/demo/slots?service=intro&from=${day(n)}&to=${day(n)}&tz=Asia/Dubai`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => new Date(s.start).toISOString());
  }
  const storedRefreshToken = async () => {
    const stored = await server.db.rpc('app_calendar_secret', { p_user_id: userId, p_provider_id: providerId, p_kind: 'microsoft' });
    return stored ? decryptSecret<{ refreshToken: string }>(stored.secret, KEY).refreshToken : null;
  };

  it('start → Microsoft sign-in → callback stores the grant, reads the default calendar and returns to the calendar settings', async () => {
    const start = await owner.json('POST', `${base}/microsoft/start`, {}, 200);
    expect(start.redirectUri).toBe(`${server.config.publicUrl}/api/app/calendars/microsoft/callback`);
    const back = await consent(start.url, start.redirectUri);

    // Someone else signed in cannot finish this owner's consent.
    const stolen = await stranger.get(pathOf(back.toString()));
    expect(stolen.status).toBe(303);
    expect(stolen.headers.get('location')).toBe(settings('calendar-error=microsoft-state'));
    // A state signed for the Google flow is no state for Microsoft.
    const google = oauthState(KEY, 'google', userId, providerId, NOW);
    const crossed = await owner.get(`/api/app/calendars/microsoft/callback?code=x&state=${encodeURIComponent(google)}`);
    expect(crossed.headers.get('location')).toBe(settings('calendar-error=microsoft-state'));

    const done = await owner.get(pathOf(back.toString()));
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(settings('calendar=microsoft-connected'));
    const health = await owner.json('GET', base, undefined, 200);
    expect(health.sources).toHaveLength(1);
    expect(health.sources[0]).toMatchObject({ kind: 'microsoft', label: 'Microsoft 365', account: 'layla@contoso.example', status: 'ok', lastError: null });
    expect(health.busyCalendarIds).toEqual(['AAMkMain']);
    expect(health.writeMicrosoftCalendarId).toBe('AAMkMain');
    expect(JSON.stringify(health)).not.toContain('M.C5'); // no refresh token

    const thursday = await slots(3);
    expect(thursday).not.toContain(at(3, '05:00'));
    expect(thursday).toContain(at(3, '07:00'));
    // Refreshes rotate the refresh token; the newest one issued is what is stored.
    const stored = await storedRefreshToken();
    expect(stored).not.toBe(graph.issued.find((i) => i.grant === 'authorization_code')!.refreshToken);
    expect(graph.issued.map((i) => i.refreshToken)).toContain(stored);
  });

  it('a sign-in Microsoft refused, or a forged state, returns to the calendar settings with the reason', async () => {
    const forged = await owner.get(`/api/app/calendars/microsoft/callback?code=x&state=${encodeURIComponent('x.1.y.z')}`);
    expect(forged.headers.get('location')).toBe(settings('calendar-error=microsoft-state'));
    graph.deny = true;
    try {
      const start = await owner.json('POST', `${base}/microsoft/start`, {}, 200);
      const back = await consent(start.url, start.redirectUri);
      expect(back.searchParams.get('error')).toBe('access_denied');
      const refused = await owner.get(pathOf(back.toString()));
      expect(refused.headers.get('location')).toBe(settings('calendar-error=microsoft-denied'));
    } finally {
      graph.deny = false;
    }
    // A code Microsoft no longer honours.
    const start = await owner.json('POST', `${base}/microsoft/start`, {}, 200);
    const state = new URL(start.url).searchParams.get('state')!;
    const failed = await owner.get(`/api/app/calendars/microsoft/callback?code=used&state=${encodeURIComponent(state)}`);
    expect(failed.headers.get('location')).toBe(settings('calendar-error=microsoft-failed'));
    expect((await owner.json('GET', base, undefined, 200)).sources[0].status).toBe('ok'); // the connection is untouched
  });

  it('the busy and write-back calendars can be chosen among the account’s calendars', async () => {
    // A used refresh token stops working: the choice's own refresh and the sync after it each must keep the newest.
    graph.strictRotation = true;
    const res = await owner.json('PUT', `${base}/microsoft/choice`, { busyCalendarIds: ['AAMkGym'], writeCalendarId: 'AAMkGym' }, 200);
    graph.strictRotation = false;
    expect(res.sources[0]).toMatchObject({ kind: 'microsoft', status: 'ok' });
    expect(res.writeMicrosoftCalendarId).toBe('AAMkGym');
    expect(await storedRefreshToken()).toBe(graph.issued.at(-1)!.refreshToken);
    expect(res.calendars).toEqual([
      { id: 'AAMkMain', name: 'Calendar', color: '#0078d4', busy: false },
      { id: 'AAMkGym', name: 'Gym', color: '#e3008c', busy: true },
    ]);
    const thursday = await slots(3);
    expect(thursday).toContain(at(3, '05:00'));
    expect(thursday).not.toContain(at(3, '07:00'));
    // The app's choice editor reads the same listing with the stored choice.
    expect(await owner.json('GET', `${base}/microsoft/calendars`, undefined, 200)).toEqual({
      calendars: [
        { id: 'AAMkMain', name: 'Calendar', color: '#0078d4', busy: false },
        { id: 'AAMkGym', name: 'Gym', color: '#e3008c', busy: true },
      ],
      writeCalendarId: 'AAMkGym',
    });
    const bad = await owner.put(`${base}/microsoft/choice`, { busyCalendarIds: ['nope'], writeCalendarId: null });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('busyCalendarIds');
  });

  it('another signed-in user gets 404 for every Microsoft route of this provider, and changes nothing', async () => {
    expect((await stranger.post(`${base}/microsoft/start`, {})).status).toBe(404);
    expect((await stranger.put(`${base}/microsoft/choice`, { busyCalendarIds: [], writeCalendarId: null })).status).toBe(404);
    expect((await stranger.delete(`${base}/microsoft`, {})).status).toBe(404);
    expect((await stranger.get(`${base}/microsoft/calendars`)).status).toBe(404);
    expect((await owner.json('GET', base, undefined, 200)).sources).toHaveLength(1);
  });

  it('bookings are written to the chosen calendar, moved on reschedule and removed on cancel', async () => {
    const made = await fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'demo', service: 'intro', start: at(4, '06:00'), name: 'Sam Lee', email: 'sam@example.com' }),
    });
    expect(made.status).toBe(201);
    const bookingId = (await made.json()).booking.id as string;
    const ours = () => graph.written().filter((e) => e.singleValueExtendedProperties!.some((p) => p.value === bookingId));
    const event = await until(() => (ours().length === 1 ? ours()[0] : null), 'the booking in the Microsoft calendar');
    expect(event).toMatchObject({ calendarId: 'AAMkGym', start: `${day(4)}T06:00:00`, end: `${day(4)}T06:30:00` });
    expect(event.subject).toContain('Sam Lee');
    expect((event.body as { content: string }).content).toContain('Booked with Slotline by Sam Lee <sam@example.com>.');

    await owner.json('POST', `/api/app/providers/${providerId}/bookings/${bookingId}/reschedule`, { start: at(4, '07:00') }, 200);
    await until(() => ours()[0]?.start === `${day(4)}T07:00:00`, 'the moved booking in the Microsoft calendar');
    expect(ours()).toHaveLength(1);
    expect(ours()[0].id).toBe(event.id); // updated, not duplicated

    await owner.json('POST', `/api/app/providers/${providerId}/bookings/${bookingId}/cancel`, {}, 200);
    await until(() => ours().length === 0, 'the cancelled booking gone from the Microsoft calendar');
  });

  it('access removed at Microsoft is answered in plain words', async () => {
    graph.revokeAll();
    const res = await owner.put(`${base}/microsoft/choice`, { busyCalendarIds: ['AAMkGym'], writeCalendarId: 'AAMkGym' });
    expect(res.status).toBe(502);
    const problem = await res.json();
    expect(problem.detail).toBe('Microsoft no longer lets Slotline read this calendar (access was removed or has expired). Connect Microsoft 365 again.');
    expect(JSON.stringify(problem)).not.toContain('M.C5');
  });

  it('disconnect removes the source and its secret', async () => {
    const res = await owner.json('DELETE', `${base}/microsoft`, {}, 200);
    expect(res.removed).toBe(1);
    expect(res.sources).toEqual([]);
    expect(await storedRefreshToken()).toBeNull();
    expect((await owner.delete(`${base}/microsoft`, {})).status).toBe(404);
    expect((await owner.put(`${base}/microsoft/choice`, { busyCalendarIds: [], writeCalendarId: null })).status).toBe(404);
    expect(await slots(3)).toContain(at(3, '07:00'));
  });
});
