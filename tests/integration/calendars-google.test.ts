import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putBookingToGoogle } from '../../server/calendars/write-back.js';
import {
  createGoogleSource, exchangeGoogleCode, googleAuthUrl, listGoogleCalendars, refreshGoogleToken,
} from '../../server/calendars/google.js';
import { CalendarAuthError, describeSourceError, GoogleGrantRevokedError } from '../../server/calendars/source.js';
import { startFakeGoogle, type FakeGoogle } from '../support/fake-google.js';
import { readConfig } from '../../server/config.ts';

const WINDOW = { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-06-08T00:00:00Z') };
const REDIRECT = 'http://127.0.0.1:8787/oauth/google/callback';

/** Runs the consent step: follow the auth URL to the redirect and read `code` and `state` from it. */
async function consent(url: string): Promise<{ code: string; state: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
  return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
}

describe('Google source against a local fake of the documented endpoints', () => {
  let google: FakeGoogle;
  beforeAll(async () => {
    google = await startFakeGoogle();
  });
  afterAll(async () => {
    await google?.stop();
  });
  beforeEach(() => {
    google.accessTokenTtl = 3600;
    google.pageSize = 250;
    google.calendars = [
      { id: 'me@example.com', summary: 'Me', primary: true, busy: [{ start: '2026-06-01T09:00:00Z', end: '2026-06-01T10:00:00Z' }] },
      { id: 'work@group.calendar.google.com', summary: 'Work', busy: [{ start: '2026-06-02T09:00:00Z', end: '2026-06-02T11:00:00Z' }, { start: '2026-06-01T09:00:00Z', end: '2026-06-01T10:00:00Z' }] },
      { id: 'birthdays', summary: 'Birthdays', busy: [{ start: '2026-06-03T00:00:00Z', end: '2026-06-04T00:00:00Z' }] },
    ];
  });

  async function connect(): Promise<string> {
    const cfg = google.config(REDIRECT);
    const url = googleAuthUrl(cfg, 'state-123');
    const q = new URL(url).searchParams;
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('scope')).toContain('calendar.readonly');
    const { code, state } = await consent(url);
    expect(state).toBe('state-123');
    const tokens = await exchangeGoogleCode(cfg, code);
    expect(tokens.refreshToken).toMatch(/^1\/\//);
    // A code works once.
    await expect(exchangeGoogleCode(cfg, code)).rejects.toBeInstanceOf(GoogleGrantRevokedError);
    return tokens.refreshToken!;
  }

  it('runs the connect flow and reads busy time of the selected calendars', async () => {
    const refreshToken = await connect();
    const source = createGoogleSource({ id: 'google:1', config: google.config(REDIRECT), refreshToken, selectedCalendarIds: ['me@example.com', 'work@group.calendar.google.com'] });
    expect(source.kind).toBe('google');
    expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(5000))).toEqual([
      { start: '2026-06-01T09:00:00.000Z', end: '2026-06-01T10:00:00.000Z' },
      { start: '2026-06-02T09:00:00.000Z', end: '2026-06-02T11:00:00.000Z' },
    ]);
  });

  it('reads all calendars (every calendarList page) when none are selected', async () => {
    google.pageSize = 1;
    const source = createGoogleSource({ id: 'google:1', config: google.config(REDIRECT), refreshToken: await connect() });
    const busy = await source.fetchBusy(WINDOW, AbortSignal.timeout(5000));
    expect(busy.map((b) => b.start)).toEqual(['2026-06-01T09:00:00.000Z', '2026-06-02T09:00:00.000Z', '2026-06-03T00:00:00.000Z']);
  });

  it('refreshes an expired access token and keeps working', async () => {
    const source = createGoogleSource({ id: 'google:1', config: google.config(REDIRECT), refreshToken: await connect() });
    google.requests = [];
    await source.fetchBusy(WINDOW, AbortSignal.timeout(5000));
    await source.fetchBusy(WINDOW, AbortSignal.timeout(5000));
    expect(google.requests.filter((r) => r.grantType === 'refresh_token')).toHaveLength(1);
    google.expireAccessTokens();
    expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(5000))).toHaveLength(3);
    expect(google.requests.filter((r) => r.grantType === 'refresh_token')).toHaveLength(2);
  });

  it('turns a revoked grant into a typed error', async () => {
    const refreshToken = await connect();
    google.revokeAll();
    await expect(refreshGoogleToken(google.config(REDIRECT), refreshToken)).rejects.toBeInstanceOf(GoogleGrantRevokedError);
    const source = createGoogleSource({ id: 'google:1', config: google.config(REDIRECT), refreshToken });
    const error = await source.fetchBusy(WINDOW, AbortSignal.timeout(5000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoogleGrantRevokedError);
    expect(describeSourceError(error)).toMatch(/reconnect/);
    expect(describeSourceError(error)).not.toContain(refreshToken);
  });

  it('never counts Slotline’s own written-back events as busy, but keeps every other event of that calendar', async () => {
    const refreshToken = await connect();
    const cfg = google.config(REDIRECT);
    const { accessToken } = await refreshGoogleToken(cfg, refreshToken);
    const booking = (id: string, start: string, end: string) => ({ id, start, end, summary: 'Intro call: Sam', customerName: 'Sam' });
    // Our booking alone, and our booking at exactly the time of an external meeting in the same calendar.
    await putBookingToGoogle(cfg, accessToken, 'me@example.com', booking(randomUUID(), '2026-06-04T09:00:00Z', '2026-06-04T10:00:00Z'), AbortSignal.timeout(5000));
    await putBookingToGoogle(cfg, accessToken, 'me@example.com', booking(randomUUID(), '2026-06-01T09:00:00Z', '2026-06-01T10:00:00Z'), AbortSignal.timeout(5000));
    const source = createGoogleSource({ id: 'google:1', config: cfg, refreshToken, selectedCalendarIds: ['me@example.com', 'work@group.calendar.google.com'] });
    expect(await source.fetchBusy(WINDOW, AbortSignal.timeout(5000))).toEqual([
      { start: '2026-06-01T09:00:00.000Z', end: '2026-06-01T10:00:00.000Z' },
      { start: '2026-06-02T09:00:00.000Z', end: '2026-06-02T11:00:00.000Z' },
    ]);
    google.events.clear();
  });

  it('fails rather than show free time when a calendar reports an error', async () => {
    google.calendars[1].error = 'backendError';
    const source = createGoogleSource({ id: 'google:1', config: google.config(REDIRECT), refreshToken: await connect() });
    await expect(source.fetchBusy(WINDOW, AbortSignal.timeout(5000))).rejects.toThrow(/backendError/);
  });

  it('refuses a wrong client secret and an unauthenticated API call', async () => {
    const refreshToken = await connect();
    const bad = { ...google.config(REDIRECT), clientSecret: 'nope' };
    await expect(refreshGoogleToken(bad, refreshToken)).rejects.toBeInstanceOf(CalendarAuthError);
    await expect(listGoogleCalendars(google.config(REDIRECT), 'ya29.invalid')).rejects.toBeInstanceOf(CalendarAuthError);
  });

  it('reads its configuration from the environment, defaulting to Google', () => {
    const googleConfigFromEnv = (env: Record<string, string>) => readConfig(env).calendars.google;
    expect(googleConfigFromEnv({})).toBeNull();
    const real = googleConfigFromEnv({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 's' })!;
    expect(googleAuthUrl(real, 'x')).toMatch(/^https:\/\/accounts\.google\.com\/o\/oauth2\/v2\/auth\?/);
    const local = googleConfigFromEnv({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 's', GOOGLE_OAUTH_BASE: google.url })!;
    expect(googleAuthUrl(local, 'x').startsWith(`${google.url}/o/oauth2/v2/auth?`)).toBe(true);
  });
});
