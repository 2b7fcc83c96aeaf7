/**
 * Google Calendar busy source: OAuth 2.0 authorization-code flow with offline access (a refresh token), access-token
 * refresh, calendarList and freeBusy. Plain fetch against configurable endpoints so tests run the real flow against
 * a local fake: `GOOGLE_OAUTH_BASE` (authorization and token endpoints) and `GOOGLE_API_BASE` (Calendar API), read
 * with the client id and secret by server/config.ts into `config.calendars.google`.
 */
import { isBookingUid } from '../ics/writer.ts';
import type { BusyInterval } from './expand.js';
import { ianaNameOf, ianaOffset, wallToUtc } from './zones.js';
import { CalendarAuthError, CalendarSourceError, GoogleGrantRevokedError, type BusySource, type FetchWindow } from './source.js';
import { DAY, MINUTE } from '../time/units.ts';

export interface GoogleOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Where Google sends the provider back with `?code=…&state=…`. */
  redirectUri: string;
  /** Override for both OAuth endpoints, e.g. `http://127.0.0.1:9000` → `/o/oauth2/v2/auth` and `/token`. */
  oauthBase?: string;
  /** Override for the Calendar API root, e.g. `http://127.0.0.1:9000/calendar/v3`. */
  apiBase?: string;
}

export interface GoogleTokens {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  refreshToken?: string;
  scope?: string;
}

export interface GoogleCalendarInfo {
  id: string;
  name: string;
  primary: boolean;
}

/** Read-only access is all we need for busy times; `calendar.events` is for write-back. */
export const GOOGLE_SCOPES = ['https://www.googleapis.com/auth/calendar.readonly', 'https://www.googleapis.com/auth/calendar.events'];

function authEndpoint(cfg: GoogleOAuthConfig): string {
  return cfg.oauthBase ? `${cfg.oauthBase.replace(/\/$/, '')}/o/oauth2/v2/auth` : 'https://accounts.google.com/o/oauth2/v2/auth';
}

function tokenEndpoint(cfg: GoogleOAuthConfig): string {
  return cfg.oauthBase ? `${cfg.oauthBase.replace(/\/$/, '')}/token` : 'https://oauth2.googleapis.com/token';
}

function apiBase(cfg: GoogleOAuthConfig): string {
  return (cfg.apiBase ?? 'https://www.googleapis.com/calendar/v3').replace(/\/$/, '');
}

/**
 * The consent URL to send the provider to (offline access so Google returns a refresh token).
 * Example: `googleAuthUrl(cfg, randomState)` → `https://accounts.google.com/o/oauth2/v2/auth?client_id=…`.
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient
 */
export function googleAuthUrl(cfg: GoogleOAuthConfig, state: string): string {
  const q = new URLSearchParams({
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    response_type: 'code',
    scope: GOOGLE_SCOPES.join(' '),
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    state,
  });
  return `${authEndpoint(cfg)}?${q}`;
}

async function tokenRequest(cfg: GoogleOAuthConfig, form: Record<string, string>, signal?: AbortSignal): Promise<GoogleTokens> {
  const res = await fetch(tokenEndpoint(cfg), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_id: cfg.clientId, client_secret: cfg.clientSecret, ...form }),
    signal,
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const code = typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    if (code === 'invalid_grant') {
      throw new GoogleGrantRevokedError('Google access was revoked or expired (invalid_grant): reconnect Google Calendar', res.status);
    }
    if (code === 'invalid_client' || code === 'unauthorized_client') {
      throw new CalendarAuthError(`Google refused the OAuth client (${code}): check GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET`, res.status);
    }
    throw new CalendarSourceError(`Google token endpoint error: ${code}`, res.status);
  }
  if (typeof body.access_token !== 'string') throw new CalendarSourceError('Google token endpoint returned no access token');
  return {
    accessToken: body.access_token,
    expiresAt: Date.now() + (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    ...(typeof body.scope === 'string' ? { scope: body.scope } : {}),
  };
}

/**
 * Exchanges the callback's `code` for tokens; the refresh token is what we store (encrypted).
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code
 */
export async function exchangeGoogleCode(cfg: GoogleOAuthConfig, code: string, signal?: AbortSignal): Promise<GoogleTokens> {
  const tokens = await tokenRequest(cfg, { grant_type: 'authorization_code', code, redirect_uri: cfg.redirectUri }, signal);
  if (!tokens.refreshToken) {
    throw new CalendarSourceError('Google returned no refresh token: remove Slotline from your Google account permissions and connect again');
  }
  return tokens;
}

/**
 * A fresh access token from a refresh token; `invalid_grant` throws GoogleGrantRevokedError.
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#offline
 */
export async function refreshGoogleToken(cfg: GoogleOAuthConfig, refreshToken: string, signal?: AbortSignal): Promise<GoogleTokens> {
  return tokenRequest(cfg, { grant_type: 'refresh_token', refresh_token: refreshToken }, signal);
}

async function api<T>(cfg: GoogleOAuthConfig, token: string, path: string, init: RequestInit & { signal?: AbortSignal }): Promise<T> {
  const res = await fetch(`${apiBase(cfg)}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  const body = (await res.json().catch(() => ({}))) as T & { error?: { message?: string; status?: string } };
  if (res.status === 401) throw new CalendarAuthError('Google rejected the access token (HTTP 401)', 401);
  if (!res.ok) throw new CalendarSourceError(`Google Calendar API error (HTTP ${res.status}${body.error?.status ? ` ${body.error.status}` : ''})`, res.status);
  return body;
}

/**
 * The provider's calendars (all pages of calendarList).
 * @see https://developers.google.com/calendar/api/v3/reference/calendarList/list
 */
export async function listGoogleCalendars(cfg: GoogleOAuthConfig, accessToken: string, signal?: AbortSignal): Promise<GoogleCalendarInfo[]> {
  const out: GoogleCalendarInfo[] = [];
  let pageToken: string | undefined;
  do {
    const q = new URLSearchParams({ maxResults: '250', ...(pageToken ? { pageToken } : {}) });
    const page = await api<{ items?: { id: string; summary?: string; summaryOverride?: string; primary?: boolean }[]; nextPageToken?: string }>(
      cfg, accessToken, `/users/me/calendarList?${q}`, { method: 'GET', signal },
    );
    for (const c of page.items ?? []) out.push({ id: c.id, name: c.summaryOverride ?? c.summary ?? c.id, primary: c.primary === true });
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/** freeBusy answers at most 50 calendars per call; we also keep each call's span modest. */
const MAX_ITEMS = 50;
const MAX_SPAN_MS = 60 * DAY;

/**
 * Busy intervals of the given calendars; a calendar reported with errors fails the call rather than look free.
 * @see https://developers.google.com/calendar/api/v3/reference/freebusy/query
 */
export async function googleFreeBusy(
  cfg: GoogleOAuthConfig, accessToken: string, calendarIds: string[], window: FetchWindow, signal?: AbortSignal,
): Promise<BusyInterval[]> {
  const out: BusyInterval[] = [];
  for (let from = window.from.getTime(); from < window.to.getTime(); from += MAX_SPAN_MS) {
    const to = Math.min(from + MAX_SPAN_MS, window.to.getTime());
    for (let i = 0; i < calendarIds.length; i += MAX_ITEMS) {
      const items = calendarIds.slice(i, i + MAX_ITEMS).map((id) => ({ id }));
      const res = await api<{ calendars?: Record<string, { busy?: { start: string; end: string }[]; errors?: { reason?: string }[] }> }>(
        cfg, accessToken, '/freeBusy',
        { method: 'POST', body: JSON.stringify({ timeMin: new Date(from).toISOString(), timeMax: new Date(to).toISOString(), items }), signal },
      );
      for (const { id } of items) {
        const cal = res.calendars?.[id];
        if (!cal) throw new CalendarSourceError('Google freeBusy left out a requested calendar');
        if (cal.errors?.length) throw new CalendarSourceError(`Google freeBusy error for a calendar: ${cal.errors.map((e) => e.reason ?? 'unknown').join(', ')}`);
        for (const b of cal.busy ?? []) out.push({ start: new Date(b.start).toISOString(), end: new Date(b.end).toISOString() });
      }
    }
  }
  const seen = new Set<string>();
  return out
    .filter((b) => b.end > b.start)
    .sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end))
    .filter((b) => (seen.has(`${b.start}/${b.end}`) ? false : (seen.add(`${b.start}/${b.end}`), true)));
}

/** The private extended property write-back puts on every event it creates (`extendedProperties.private`). */
export const SLOTLINE_EVENT_PROPERTY = { name: 'slotline', value: 'booking' } as const;

interface GoogleEvent {
  status?: string;
  transparency?: string;
  iCalUID?: string;
  start?: { dateTime?: string; date?: string };
  end?: { dateTime?: string; date?: string };
  attendees?: { self?: boolean; responseStatus?: string }[];
}

/** All events of one calendar overlapping the window, recurring ones expanded (`singleEvents`), every page. */
async function listGoogleEvents(
  cfg: GoogleOAuthConfig, accessToken: string, calendarId: string, window: FetchWindow, signal: AbortSignal | undefined, onlyOurs: boolean,
): Promise<{ timeZone: string | null; items: GoogleEvent[] }> {
  const items: GoogleEvent[] = [];
  let timeZone: string | null = null;
  let pageToken: string | undefined;
  do {
    const q = new URLSearchParams({
      timeMin: window.from.toISOString(), timeMax: window.to.toISOString(), singleEvents: 'true', maxResults: '2500',
      ...(onlyOurs ? { privateExtendedProperty: `${SLOTLINE_EVENT_PROPERTY.name}=${SLOTLINE_EVENT_PROPERTY.value}` } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    const page = await api<{ items?: GoogleEvent[]; nextPageToken?: string; timeZone?: string }>(
      cfg, accessToken, `/calendars/${encodeURIComponent(calendarId)}/events?${q}`, { method: 'GET', signal },
    );
    items.push(...(page.items ?? []));
    timeZone ??= page.timeZone ?? null;
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { timeZone, items };
}

/** An event's times as instants: `dateTime`, or an all-day `date` in the calendar's zone. */
function eventSpan(e: GoogleEvent, zone: string): BusyInterval | null {
  const at = (t: { dateTime?: string; date?: string } | undefined): number | null => {
    if (t?.dateTime) return Date.parse(t.dateTime);
    if (t?.date && /^\d{4}-\d{2}-\d{2}$/.test(t.date)) return wallToUtc(Date.parse(`${t.date}T00:00:00Z`), ianaOffset(zone));
    return null;
  };
  const start = at(e.start);
  const end = at(e.end);
  if (start === null || end === null || !(end > start)) return null;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/**
 * Busy time of one calendar from its events, as freeBusy would count it but leaving out Slotline's own events:
 * not cancelled, not transparent ("free"), not declined by the owner, not written by Slotline (UID rule).
 * @see https://developers.google.com/calendar/api/v3/reference/events/list
 */
async function busyFromEvents(
  cfg: GoogleOAuthConfig, accessToken: string, calendarId: string, window: FetchWindow, signal: AbortSignal | undefined,
): Promise<BusyInterval[]> {
  const { timeZone, items } = await listGoogleEvents(cfg, accessToken, calendarId, window, signal, false);
  const zone = (timeZone && ianaNameOf(timeZone)) || 'UTC';
  const out: BusyInterval[] = [];
  for (const e of items) {
    if (e.status === 'cancelled' || e.transparency === 'transparent') continue;
    if (e.iCalUID && isBookingUid(e.iCalUID)) continue;
    if (e.attendees?.some((a) => a.self && a.responseStatus === 'declined')) continue;
    const span = eventSpan(e, zone);
    if (span && Date.parse(span.start) < window.to.getTime() && Date.parse(span.end) > window.from.getTime()) out.push(span);
  }
  return out;
}

/**
 * Busy intervals of the given calendars that never count Slotline's own (written-back) events: freeBusy cannot tell
 * them apart, so a calendar holding one of ours in the window is read through events.list instead (one cheap
 * filtered call per calendar finds out), and every other calendar through freeBusy.
 */
export async function googleBusyWithoutOwnEvents(
  cfg: GoogleOAuthConfig, accessToken: string, calendarIds: string[], window: FetchWindow, signal?: AbortSignal,
): Promise<BusyInterval[]> {
  const ours = await Promise.all(
    calendarIds.map(async (id) => (await listGoogleEvents(cfg, accessToken, id, window, signal, true)).items.some((e) => e.status !== 'cancelled')),
  );
  const withOurs = calendarIds.filter((_, i) => ours[i]);
  const plain = calendarIds.filter((_, i) => !ours[i]);
  const out = [
    ...(plain.length ? await googleFreeBusy(cfg, accessToken, plain, window, signal) : []),
    ...(await Promise.all(withOurs.map((id) => busyFromEvents(cfg, accessToken, id, window, signal)))).flat(),
  ];
  const seen = new Set<string>();
  return out
    .sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end))
    .filter((b) => (seen.has(`${b.start}/${b.end}`) ? false : (seen.add(`${b.start}/${b.end}`), true)));
}

export interface GoogleSourceOptions {
  id: string;
  config: GoogleOAuthConfig;
  refreshToken: string;
  /** Google calendar ids to read; all calendars of the account when empty or when none of them match. */
  selectedCalendarIds?: string[];
}

/**
 * A BusySource reading Google Calendar freeBusy; access tokens are refreshed as needed and kept in memory only.
 * Example: `createGoogleSource({ id: 'google:…', config: config.calendars.google!, refreshToken })`.
 */
export function createGoogleSource(options: GoogleSourceOptions): BusySource {
  let tokens: GoogleTokens | null = null;
  return {
    id: options.id,
    kind: 'google',
    async fetchBusy(window: FetchWindow, signal: AbortSignal): Promise<BusyInterval[]> {
      const run = async (): Promise<BusyInterval[]> => {
        if (!tokens || tokens.expiresAt - MINUTE < Date.now()) tokens = await refreshGoogleToken(options.config, options.refreshToken, signal);
        const token = tokens.accessToken;
        const calendars = await listGoogleCalendars(options.config, token, signal);
        const wanted = new Set(options.selectedCalendarIds ?? []);
        const selected = calendars.filter((c) => wanted.has(c.id)).map((c) => c.id);
        const ids = selected.length > 0 ? selected : calendars.map((c) => c.id);
        if (ids.length === 0) return [];
        return googleBusyWithoutOwnEvents(options.config, token, ids, window, signal);
      };
      try {
        return await run();
      } catch (error) {
        // An access token can be revoked before its stated expiry: refresh once and retry.
        if (error instanceof CalendarAuthError && error.status === 401 && !(error instanceof GoogleGrantRevokedError) && tokens) {
          tokens = null;
          return run();
        }
        throw error;
      }
    },
  };
}
