/**
 * Microsoft 365 / Outlook.com busy source through Microsoft Graph: the identity platform's OAuth 2.0
 * authorization-code flow (v2.0 endpoints, `offline_access` for a refresh token), token refresh (Microsoft rotates
 * refresh tokens: the newest one is handed to `onRefreshToken` to be stored), the calendar list and busy time from
 * each chosen calendar's calendarView. Plain fetch against configurable endpoints so tests run the real flow against a
 * local fake: `MICROSOFT_LOGIN_BASE` (+ `MICROSOFT_TENANT`) and `MICROSOFT_GRAPH_BASE`, read by server/config.ts into
 * `config.calendars.microsoft`.
 */
import type { BusyInterval } from './expand.js';
import { ianaOffset, wallToUtc } from './zones.js';
import { CalendarAuthError, CalendarSourceError, type BusySource, type FetchWindow } from './source.js';
import { DAY, MINUTE } from '../time/units.ts';

/** Where Microsoft sends the provider back, under PUBLIC_URL (register exactly this redirect URI in Entra ID). */
export const MICROSOFT_CALLBACK = '/api/app/calendars/microsoft/callback';

export interface MicrosoftOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** `<PUBLIC_URL>/api/app/calendars/microsoft/callback`. */
  redirectUri: string;
  /** `common` (work, school and personal accounts), `organizations`, `consumers` or a tenant id. */
  tenant: string;
  /** e.g. `https://login.microsoftonline.com` → `/{tenant}/oauth2/v2.0/authorize` and `/token`. */
  loginBase: string;
  /** e.g. `https://graph.microsoft.com/v1.0`. */
  graphBase: string;
}

export interface MicrosoftTokens {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Present on every answer that rotates it (always with `offline_access`). */
  refreshToken?: string;
}

export interface MicrosoftCalendarInfo {
  id: string;
  name: string;
  /** `#rrggbb` when the calendar has a colour. */
  color?: string;
  primary: boolean;
}

/** `offline_access` brings the refresh token; `Calendars.ReadWrite` busy time and write-back; `User.Read` the address. */
export const MICROSOFT_SCOPES = ['offline_access', 'Calendars.ReadWrite', 'User.Read'];

/**
 * The single-value extended property write-back puts on every event it creates, valued with the booking id: the busy
 * reader leaves such events out, and write-back finds a booking's event by it. A string property in the
 * PS_PUBLIC_STRINGS property set (the documented `String {GUID} Name <name>` form).
 * @see https://learn.microsoft.com/en-us/graph/api/resources/singlevaluelegacyextendedproperty
 */
export const SLOTLINE_GRAPH_PROPERTY = 'String {00020329-0000-0000-C000-000000000046} Name SlotlineBookingId';

/** The signed-in account is refused (revoked consent, expired or unknown grant): reconnect needed. */
export class MicrosoftGrantRevokedError extends CalendarAuthError {
  override name = 'MicrosoftGrantRevokedError';
}

const trim = (s: string) => s.replace(/\/+$/, '');
const oauthUrl = (cfg: MicrosoftOAuthConfig, what: 'authorize' | 'token') =>
  `${trim(cfg.loginBase)}/${encodeURIComponent(cfg.tenant)}/oauth2/v2.0/${what}`;

/**
 * The consent URL to send the provider to.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 */
export function microsoftAuthUrl(cfg: MicrosoftOAuthConfig, state: string): string {
  const q = new URLSearchParams({
    client_id: cfg.clientId,
    response_type: 'code',
    redirect_uri: cfg.redirectUri,
    response_mode: 'query',
    scope: MICROSOFT_SCOPES.join(' '),
    prompt: 'select_account',
    state,
  });
  return `${oauthUrl(cfg, 'authorize')}?${q}`;
}

async function tokenRequest(cfg: MicrosoftOAuthConfig, form: Record<string, string>, signal?: AbortSignal): Promise<MicrosoftTokens> {
  const res = await fetch(oauthUrl(cfg, 'token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_id: cfg.clientId, client_secret: cfg.clientSecret, scope: MICROSOFT_SCOPES.join(' '), ...form }),
    signal,
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    // Only the error code: error_description may quote the request.
    const code = typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    if (code === 'invalid_grant' || code === 'interaction_required' || code === 'consent_required') {
      throw new MicrosoftGrantRevokedError(`Microsoft access was revoked or expired (${code}): connect Microsoft 365 again`, res.status);
    }
    if (code === 'invalid_client' || code === 'unauthorized_client') {
      throw new CalendarAuthError(`Microsoft refused the app registration (${code}): check MICROSOFT_CLIENT_ID / MICROSOFT_CLIENT_SECRET`, res.status);
    }
    throw new CalendarSourceError(`Microsoft token endpoint error: ${code}`, res.status);
  }
  if (typeof body.access_token !== 'string') throw new CalendarSourceError('Microsoft token endpoint returned no access token');
  return {
    accessToken: body.access_token,
    expiresAt: Date.now() + (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
  };
}

/**
 * Exchanges the callback's `code` for tokens; the refresh token is what we store (encrypted).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 */
export async function exchangeMicrosoftCode(cfg: MicrosoftOAuthConfig, code: string, signal?: AbortSignal): Promise<Required<MicrosoftTokens>> {
  const tokens = await tokenRequest(cfg, { grant_type: 'authorization_code', code, redirect_uri: cfg.redirectUri }, signal);
  if (!tokens.refreshToken) throw new CalendarSourceError('Microsoft returned no refresh token (offline_access was not granted)');
  return tokens as Required<MicrosoftTokens>;
}

/**
 * A fresh access token (and, usually, a new refresh token to store in place of the old one).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
 */
export async function refreshMicrosoftToken(cfg: MicrosoftOAuthConfig, refreshToken: string, signal?: AbortSignal): Promise<MicrosoftTokens> {
  return tokenRequest(cfg, { grant_type: 'refresh_token', refresh_token: refreshToken }, signal);
}

/**
 * A fresh access token from the stored refresh token. Microsoft rotates refresh tokens: when the answer carries a new
 * one, `onRotated` gets it (to store, encrypted) before the access token is used.
 */
export async function microsoftAccessToken(
  cfg: MicrosoftOAuthConfig, refreshToken: string, onRotated: ((refreshToken: string) => Promise<void> | void) | undefined, signal?: AbortSignal,
): Promise<MicrosoftTokens> {
  const tokens = await refreshMicrosoftToken(cfg, refreshToken, signal);
  if (tokens.refreshToken && tokens.refreshToken !== refreshToken) await onRotated?.(tokens.refreshToken);
  return tokens;
}

/** Longest Retry-After a call waits out itself; longer throttling fails the call (the caller retries later). */
const MAX_RETRY_AFTER_MS = 5_000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/**
 * One Graph request (a path under MICROSOFT_GRAPH_BASE, or a full `@odata.nextLink`), JSON in and out. A 429 or 503
 * with a short Retry-After is waited out and retried once; a 401 is a CalendarAuthError (the caller refreshes).
 * `allow` lists statuses that are answers rather than failures (e.g. 404 on delete); they return null.
 * @see https://learn.microsoft.com/en-us/graph/throttling
 */
export async function graphRequest<T>(
  cfg: MicrosoftOAuthConfig, token: string, pathOrUrl: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; allow?: number[] } = {},
): Promise<T | null> {
  const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${trim(cfg.graphBase)}${pathOrUrl}`;
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`, accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers,
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: init.signal,
    });
    if ((res.status === 429 || res.status === 503) && attempt === 0) {
      const wait = Number(res.headers.get('retry-after') ?? '1') * 1000;
      await res.body?.cancel();
      if (Number.isFinite(wait) && wait <= MAX_RETRY_AFTER_MS) {
        await sleep(Math.max(wait, 0), init.signal);
        continue;
      }
      throw new CalendarSourceError(`Microsoft Graph is busy (HTTP ${res.status}); trying again later`, res.status);
    }
    if (init.allow?.includes(res.status)) {
      await res.body?.cancel();
      return null;
    }
    if (res.status === 204) return null;
    const body = (await res.json().catch(() => ({}))) as T & { error?: { code?: string } };
    if (res.status === 401) throw new CalendarAuthError('Microsoft rejected the access token (HTTP 401)', 401);
    if (res.status === 403) throw new CalendarAuthError(`Microsoft Graph refused access (HTTP 403${body.error?.code ? ` ${body.error.code}` : ''})`, 403);
    if (!res.ok) throw new CalendarSourceError(`Microsoft Graph error (HTTP ${res.status}${body.error?.code ? ` ${body.error.code}` : ''})`, res.status);
    return body;
  }
}

/** Every page of a Graph collection, following `@odata.nextLink`. */
async function allPages<T>(cfg: MicrosoftOAuthConfig, token: string, path: string, signal?: AbortSignal, headers?: Record<string, string>): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = path;
  while (next) {
    const page: { value?: T[]; '@odata.nextLink'?: string } | null = await graphRequest(cfg, token, next, { signal, headers });
    out.push(...(page?.value ?? []));
    next = page?.['@odata.nextLink'];
  }
  return out;
}

/**
 * The account's address (`mail`, or the sign-in name of a personal account).
 * @see https://learn.microsoft.com/en-us/graph/api/user-get
 */
export async function microsoftAccount(cfg: MicrosoftOAuthConfig, accessToken: string, signal?: AbortSignal): Promise<string | null> {
  const me = await graphRequest<{ mail?: string | null; userPrincipalName?: string | null }>(
    cfg, accessToken, '/me?$select=mail,userPrincipalName', { signal },
  );
  return me?.mail || me?.userPrincipalName || null;
}

/**
 * The account's calendars with name and colour (every page).
 * @see https://learn.microsoft.com/en-us/graph/api/user-list-calendars
 */
export async function listMicrosoftCalendars(cfg: MicrosoftOAuthConfig, accessToken: string, signal?: AbortSignal): Promise<MicrosoftCalendarInfo[]> {
  const items = await allPages<{ id: string; name?: string; hexColor?: string; isDefaultCalendar?: boolean }>(
    cfg, accessToken, '/me/calendars?$select=id,name,hexColor,isDefaultCalendar&$top=100', signal,
  );
  return items.map((c) => ({
    id: c.id,
    name: c.name ?? c.id,
    ...(c.hexColor && /^#[0-9a-f]{6}$/i.test(c.hexColor) ? { color: c.hexColor.toLowerCase() } : {}),
    primary: c.isDefaultCalendar === true,
  }));
}

/**
 * The id of the account's default calendar (where bookings go until the owner chooses another).
 * @see https://learn.microsoft.com/en-us/graph/api/calendar-get
 */
export async function defaultMicrosoftCalendar(cfg: MicrosoftOAuthConfig, accessToken: string, signal?: AbortSignal): Promise<string> {
  const cal = await graphRequest<{ id?: string }>(cfg, accessToken, '/me/calendar?$select=id', { signal });
  if (!cal?.id) throw new CalendarSourceError('the Microsoft account has no default calendar');
  return cal.id;
}

interface GraphDateTime {
  dateTime?: string;
  timeZone?: string;
}

interface GraphEvent {
  isCancelled?: boolean;
  isAllDay?: boolean;
  showAs?: string;
  responseStatus?: { response?: string };
  start?: GraphDateTime;
  end?: GraphDateTime;
  singleValueExtendedProperties?: { id: string; value: string }[];
}

/** A calendarView time (UTC, as asked with `Prefer: outlook.timezone="UTC"`) as epoch ms; an all-day date in `zone`. */
function instant(t: GraphDateTime | undefined, allDay: boolean, zone: string): number | null {
  if (!t?.dateTime) return null;
  if (allDay) {
    // All-day events are whole dates: they block the provider's own day, wherever Graph puts its midnight.
    const date = /^(\d{4}-\d{2}-\d{2})/.exec(t.dateTime)?.[1];
    return date ? wallToUtc(Date.parse(`${date}T00:00:00Z`), ianaOffset(zone)) : null;
  }
  const utc = /(Z|[+-]\d{2}:\d{2})$/.test(t.dateTime) ? t.dateTime : `${t.dateTime}Z`;
  const ms = Date.parse(utc);
  return Number.isNaN(ms) ? null : ms;
}

/** Busy unless shown as free, cancelled, declined by the owner, or written by Slotline itself. */
function graphEventBusy(e: GraphEvent, zone: string): BusyInterval | null {
  if (e.isCancelled) return null;
  if ((e.showAs ?? 'busy').toLowerCase() === 'free') return null;
  if (e.responseStatus?.response === 'declined') return null;
  if (e.singleValueExtendedProperties?.some((p) => p.id.toLowerCase() === SLOTLINE_GRAPH_PROPERTY.toLowerCase() && p.value)) return null;
  const allDay = e.isAllDay === true;
  const start = instant(e.start, allDay, zone);
  const end = instant(e.end, allDay, zone);
  if (start === null || end === null || !(end > start)) return null;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/**
 * Busy intervals of one calendar in the window: its calendarView (recurrences expanded by Graph), every page, in
 * UTC. The view is read a day wider on each side so all-day events placed at another zone's midnight are not missed;
 * only what overlaps the window is kept.
 * @see https://learn.microsoft.com/en-us/graph/api/calendar-list-calendarview
 */
export async function microsoftCalendarBusy(
  cfg: MicrosoftOAuthConfig, accessToken: string, calendarId: string, window: FetchWindow, zone: string, signal?: AbortSignal,
): Promise<BusyInterval[]> {
  const q = new URLSearchParams({
    startDateTime: new Date(window.from.getTime() - DAY).toISOString(),
    endDateTime: new Date(window.to.getTime() + DAY).toISOString(),
    $select: 'start,end,showAs,isCancelled,isAllDay,responseStatus',
    $expand: `singleValueExtendedProperties($filter=id eq '${SLOTLINE_GRAPH_PROPERTY}')`,
    $top: '250',
  });
  const events = await allPages<GraphEvent>(
    cfg, accessToken, `/me/calendars/${encodeURIComponent(calendarId)}/calendarView?${q}`, signal, { prefer: 'outlook.timezone="UTC"' },
  );
  const out: BusyInterval[] = [];
  for (const e of events) {
    const span = graphEventBusy(e, zone);
    if (span && Date.parse(span.start) < window.to.getTime() && Date.parse(span.end) > window.from.getTime()) out.push(span);
  }
  return out;
}

export interface MicrosoftSourceOptions {
  id: string;
  config: MicrosoftOAuthConfig;
  refreshToken: string;
  /** The provider's zone: all-day events block its whole day. */
  timezone: string;
  /** Calendar ids to read; all calendars of the account when empty or when none of them is this account's (as Google). */
  selectedCalendarIds?: string[];
  /** Told the new refresh token after each refresh that rotated it (store it, encrypted). */
  onRefreshToken?: (refreshToken: string) => Promise<void> | void;
}

/**
 * A BusySource reading Microsoft Graph calendarViews; access tokens are refreshed as needed and kept in memory only.
 * Example: `createMicrosoftSource({ id: 'microsoft:…', config: config.calendars.microsoft!, refreshToken, timezone })`.
 */
export function createMicrosoftSource(options: MicrosoftSourceOptions): BusySource {
  let tokens: MicrosoftTokens | null = null;
  let refreshToken = options.refreshToken;
  const refresh = async (signal: AbortSignal): Promise<string> => {
    tokens = await microsoftAccessToken(options.config, refreshToken, async (rotated) => {
      refreshToken = rotated;
      await options.onRefreshToken?.(rotated);
    }, signal);
    return tokens.accessToken;
  };
  return {
    id: options.id,
    kind: 'microsoft',
    async fetchBusy(window: FetchWindow, signal: AbortSignal): Promise<BusyInterval[]> {
      const run = async (): Promise<BusyInterval[]> => {
        const token = tokens && tokens.expiresAt - MINUTE > Date.now() ? tokens.accessToken : await refresh(signal);
        const calendars = await listMicrosoftCalendars(options.config, token, signal);
        const wanted = new Set(options.selectedCalendarIds ?? []);
        const selected = calendars.filter((c) => wanted.has(c.id));
        const ids = (selected.length > 0 ? selected : calendars).map((c) => c.id);
        const busy = (await Promise.all(ids.map((id) => microsoftCalendarBusy(options.config, token, id, window, options.timezone, signal)))).flat();
        const seen = new Set<string>();
        return busy
          .sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end))
          .filter((b) => (seen.has(`${b.start}/${b.end}`) ? false : (seen.add(`${b.start}/${b.end}`), true)));
      };
      try {
        return await run();
      } catch (error) {
        // An access token can be revoked before its stated expiry: refresh once and retry.
        if (error instanceof CalendarAuthError && error.status === 401 && !(error instanceof MicrosoftGrantRevokedError) && tokens) {
          tokens = null;
          return run();
        }
        throw error;
      }
    },
  };
}
