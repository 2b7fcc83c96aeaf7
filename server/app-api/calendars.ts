import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { AccountCalendars, CalendarHealth } from '../../contract/app-api.ts';
import type { AppEnv } from '../auth/session.ts';
import { refreshIfStale } from '../calendars/cache.ts';
import { listCalDavCalendars, type CalDavCalendarInfo } from '../calendars/caldav.ts';
import { createIcsFeedSource } from '../calendars/ics-feed.ts';
import { exchangeGoogleCode, googleAuthUrl, listGoogleCalendars, refreshGoogleToken, type GoogleCalendarInfo, type GoogleOAuthConfig } from '../calendars/google.ts';
import { saveRotatedSecret, type CalDavSecret, type CalendarSettings, type GoogleSecret, type MicrosoftSecret } from '../calendars/integration.ts';
import {
  exchangeMicrosoftCode, listMicrosoftCalendars, microsoftAccessToken, microsoftAccount, microsoftAuthUrl, MICROSOFT_CALLBACK,
  type MicrosoftCalendarInfo, type MicrosoftOAuthConfig,
} from '../calendars/microsoft.ts';
import { CalendarAuthError, CalendarSourceError, describeSourceError } from '../calendars/source.ts';
import { invalid, notFound, problem } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { decryptSecret, encryptSecret, requireSecretsKey, SecretsKeyError, type EncryptedSecret } from '../secrets/crypto.ts';
import { dbProblem, owner } from './errors.ts';
import type { OwnerDeps } from './routes.ts';
import { emptySchema } from './schemas.ts';

const NO_STORE = { 'cache-control': 'no-store' };
const ICLOUD = 'https://caldav.icloud.com/';
const TEST_TIMEOUT_MS = 15_000;
/** Where Google sends the provider back (one fixed address, as Google needs it registered). */
export const GOOGLE_CALLBACK = '/api/app/calendars/google/callback';
/** How long an OAuth consent (Google, Microsoft) may take before its state expires. */
const OAUTH_STATE_MS = 15 * 60_000;
/** Where an OAuth callback returns the provider to, with `?calendar=<kind>-connected` or `?calendar-error=<kind>-<reason>`. */
export const CALENDAR_SETTINGS_PAGE = '/app/settings/calendars';

/** Which connect flow a state belongs to: a state made for one is refused by the other's callback. */
type OAuthPurpose = 'google' | 'microsoft';

/**
 * The OAuth `state` for one owner and provider: `<provider id>.<expiry>.<nonce>.<HMAC>` signed with SECRETS_KEY, so the
 * callback knows which provider to connect and that this signed-in user started it (RFC 6749 §10.12, CSRF).
 */
export function oauthState(key: Buffer, purpose: OAuthPurpose, userId: string, providerId: string, now: Date): string {
  const body = `${providerId}.${now.getTime() + OAUTH_STATE_MS}.${randomBytes(12).toString('base64url')}`;
  return `${body}.${createHmac('sha256', key).update(`${purpose}-connect:${userId}:${body}`).digest('base64url')}`;
}

/** The provider id a state names, when it is this user's, made for this purpose, well signed and not expired; else null. */
export function readOAuthState(key: Buffer, purpose: OAuthPurpose, userId: string, state: string, now: Date): string | null {
  const parts = state.split('.');
  if (parts.length !== 4) return null;
  const body = parts.slice(0, 3).join('.');
  const want = createHmac('sha256', key).update(`${purpose}-connect:${userId}:${body}`).digest();
  const got = Buffer.from(parts[3], 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  if (!(Number(parts[1]) > now.getTime())) return null;
  return parts[0];
}

/** How to create an app-specific password, in one line (shown next to the CalDAV form). */
export const APP_PASSWORD_HELP =
  'iCloud, Fastmail and other accounts with two-step sign-in need an app-specific password: for iCloud, create one at appleid.apple.com → Sign-In and Security → App-Specific Passwords.';

const caldavForm = z.strictObject({
  /** A CalDAV server address, or just "iCloud". */
  server: z.string().trim().min(1).max(500),
  username: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(500),
});
const caldavConnect = caldavForm.extend({
  /** Calendars (ids from the test answer) whose events count as busy; absent: all of them. */
  busyCalendarIds: z.array(z.string().min(1).max(2000)).max(100).optional(),
  /** The calendar new bookings are written to; absent: the first busy one. */
  writeCalendarId: z.string().min(1).max(2000).nullable().optional(),
});
const choiceSchema = z.strictObject({
  busyCalendarIds: z.array(z.string().min(1).max(2000)).max(100),
  writeCalendarId: z.string().min(1).max(2000).nullable(),
});
const icsForm = z.strictObject({ url: z.string().trim().min(1).max(4000) });

type Failure = { ok: false; field: string; message: string };

/** Ranges the provider app may not reach unless `CALENDAR_PRIVATE_HOSTS` allows it (SSRF). */
const PRIVATE = (() => {
  const list = new BlockList();
  for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
    list.addSubnet(net, bits, 'ipv4');
  }
  for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) list.addSubnet(net, bits, 'ipv6');
  return list;
})();

/**
 * The address a provider typed, checked: http(s) only (https unless private hosts are allowed, since a password or a
 * secret feed address travels with it), and not on this server's own network unless `allowPrivate`.
 */
export async function checkAddress(raw: string, field: string, allowPrivate: boolean): Promise<{ ok: true; url: URL } | Failure> {
  let url: URL;
  try {
    url = new URL(raw.replace(/^webcals?:\/\//i, 'https://'));
  } catch {
    return { ok: false, field, message: 'is not a web address (it should start with https://)' };
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    return { ok: false, field, message: 'must start with https://' };
  }
  if (allowPrivate) return { ok: true, url };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return { ok: false, field, message: `no server answers to the name ${host}: check the address` };
  }
  const mapped = (a: string) => a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  if (addresses.some((a) => PRIVATE.check(mapped(a), isIP(mapped(a)) === 6 ? 'ipv6' : 'ipv4'))) {
    return { ok: false, field, message: 'points to a private network address, which this server does not connect to' };
  }
  return { ok: true, url };
}

/**
 * A source error in words a provider can act on (never a URL, never a credential).
 * Example: a 401 from iCloud → "The server refused this username and password. …app-specific password…".
 */
export function plainWords(error: unknown, kind: SourceRow['kind']): string {
  const reason = typeof error === 'string' ? error : describeSourceError(error);
  const status = (error instanceof CalendarSourceError ? error.status : undefined) ?? Number(/HTTP (\d{3})/.exec(reason)?.[1] ?? NaN);
  if (kind === 'microsoft' && (error instanceof CalendarAuthError || status === 401 || status === 403 || /revoked or expired|refused the app/.test(reason))) {
    return /refused the app/.test(reason)
      ? 'Microsoft refused this server’s app registration. Ask whoever runs it to check MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET.'
      : 'Microsoft no longer lets Slotline read this calendar (access was removed or has expired). Connect Microsoft 365 again.';
  }
  if (kind === 'microsoft' && status === 429) return 'Microsoft is limiting requests right now. Slotline tries again in a minute.';
  if (error instanceof CalendarAuthError || status === 401 || status === 403) {
    return kind === 'ics'
      ? 'The calendar refused to share this feed. The secret address may have been reset: copy it again from your calendar’s settings.'
      : `The server refused this username and password. ${APP_PASSWORD_HELP}`;
  }
  if (reason === 'timed out') return 'The server did not answer in time. Check the address, then try again in a minute.';
  if (reason === 'host not found') return 'No server answers at that address. Check it for typos.';
  if (reason === 'connection refused' || reason === 'connection reset' || reason.startsWith('network error')) {
    return 'Could not reach the server at that address. Check it, then try again.';
  }
  if (status === 404) return kind === 'ics' ? 'Nothing is published at that address (HTTP 404). Copy the address again.' : 'That address is not a calendar server (HTTP 404). Check the server address.';
  if (Number.isFinite(status) && status >= 500) return `The calendar server had a problem (HTTP ${status}). Try again later.`;
  if (/not return an iCalendar|not valid iCalendar/.test(reason)) {
    return 'That address does not serve a calendar. Use the secret address in iCal format (it usually ends in .ics).';
  }
  if (/too large/.test(reason)) return 'That calendar is too large to read (over 20 MB).';
  return `The calendar could not be read: ${reason}`;
}

/** What `app_calendar_sources` answers: the provider's calendar choices and each connected source's health. */
export interface CalendarSources {
  calendar: CalendarSettings & { writeCalendarId?: string; writeGoogleCalendarId?: string; writeMicrosoftCalendarId?: string };
  sources: SourceRow[];
}

export interface SourceRow {
  source: string;
  kind: 'caldav' | 'ics' | 'google' | 'microsoft';
  label: string | null;
  account: string | null;
  connectedAt: string;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastWarning: string | null;
  failingSince: string | null;
}

/** A source's health for the app: status, the last success, the last error in plain words and the next refresh. */
export function sourceHealth(s: SourceRow, calendar: CalendarSettings, now: Date): CalendarHealth {
  const maxAgeMs = (typeof calendar.maxAgeMinutes === 'number' ? calendar.maxAgeMinutes : 5) * 60_000;
  const status: CalendarHealth['status'] = s.failingSince ? 'failing' : !s.lastSuccessAt ? 'waiting' : s.lastWarning ? 'warning' : 'ok';
  const nextRefreshAt = s.failingSince
    ? new Date(Date.parse(s.lastAttemptAt ?? s.failingSince) + 30_000)
    : s.lastSuccessAt ? new Date(Date.parse(s.lastSuccessAt) + maxAgeMs) : now;
  return {
    source: s.source,
    kind: s.kind,
    label: s.label,
    account: s.account,
    status,
    lastSuccessAt: s.lastSuccessAt ? new Date(s.lastSuccessAt).toISOString() : null,
    lastError: s.failingSince && s.lastError ? plainWords(s.lastError, s.kind) : null,
    failingSince: s.failingSince ? new Date(s.failingSince).toISOString() : null,
    warning: s.lastWarning,
    /** Refreshes run when the booking page or a booking needs data: this is the earliest the next one starts. */
    nextRefreshAt: new Date(Math.max(nextRefreshAt.getTime(), now.getTime())).toISOString(),
  };
}

/**
 * Connecting calendars from the provider app (issue 14): CalDAV (any server, or just "iCloud") with discovery and a
 * plain-words test, the choice of busy and write-back calendars, ICS feeds (test, save), Google and Microsoft 365 through
 * their web OAuth consent, each source's health, and disconnect (which removes its secret). Every route is owner-checked in SQL (`app_*calendar*` functions); secrets are
 * encrypted here (AES-256-GCM, `SECRETS_KEY`) and never returned. Mounted by `appApiRoutes`.
 */
export function calendarRoutes(
  app: Hono<AppEnv>,
  deps: OwnerDeps & { secretsKey?: Buffer; calendarPrivateHosts?: boolean; google?: Omit<GoogleOAuthConfig, 'redirectUri'> | null; signedIn?: MiddlewareHandler<AppEnv> },
): void {
  const { db, now } = deps;
  const allowPrivate = deps.calendarPrivateHosts ?? false;
  const user = (c: Context<AppEnv>) => c.get('user').id;
  const pid = (c: Context) => c.req.param('providerId') as string;
  const base = '/api/app/providers/:providerId/calendars';
  // The key and the Google client come from config (server/config.ts); tests may hand others in.
  const key = () => deps.secretsKey ?? requireSecretsKey(deps.config.calendars.secretsKey);
  /** Google's OAuth client with this server's callback (register exactly this redirect URI with Google). */
  const googleClient = (): GoogleOAuthConfig | null => {
    const cfg = deps.google === undefined ? deps.config.calendars.google : deps.google;
    return cfg ? { ...cfg, redirectUri: `${deps.config.publicUrl}${GOOGLE_CALLBACK}` } : null;
  };
  /** The Microsoft app registration (its redirect URI is `<PUBLIC_URL>/api/app/calendars/microsoft/callback`). */
  const microsoftClient = (): MicrosoftOAuthConfig | null => deps.config.calendars.microsoft;
  /** Back to the app's calendar settings after an OAuth consent, e.g. `?calendar=google-connected`. */
  const backToSettings = (c: Context, query: string) => c.redirect(`${deps.config.publicUrl}${CALENDAR_SETTINGS_PAGE}?${query}`, 303);
  const noKey = (c: Context) => problem(c, 503, 'secrets-key-missing', 'Calendars cannot be connected on this server yet', {
    detail: 'The server has no SECRETS_KEY to encrypt calendar passwords with. Ask whoever runs it to set one.',
  });
  const refused = (c: Context, f: Failure) => invalid(c, [{ field: f.field, message: f.message }]);

  /**
   * Stores which of an account's calendars count as busy and which receives bookings (ids must be the account's own),
   * refreshes at once, and answers the health with the account's calendars marked.
   */
  async function saveChoice<C extends { id: string }>(
    c: Context<AppEnv>, kind: 'caldav' | 'google' | 'microsoft', calendars: C[], choice: { busyCalendarIds: string[]; writeCalendarId?: string | null },
  ) {
    const ids = calendars.map((cal) => cal.id);
    const { busyCalendarIds, writeCalendarId } = choice;
    const unknownBusy = busyCalendarIds.find((id) => !ids.includes(id));
    if (unknownBusy) return invalid(c, [{ field: 'busyCalendarIds', message: `is not a calendar of this account: ${unknownBusy}` }]);
    if (writeCalendarId && !ids.includes(writeCalendarId)) return invalid(c, [{ field: 'writeCalendarId', message: 'is not a calendar of this account' }]);
    await db.rpc('app_set_calendar_choice', {
      p_user_id: user(c), p_provider_id: pid(c), p_kind: kind, p_selected_calendar_ids: busyCalendarIds, p_account_calendar_ids: ids,
      p_write_calendar_id: writeCalendarId ?? null,
    });
    await firstSync(pid(c));
    return c.json({ ...(await health(c)), calendars: calendars.map((cal) => ({ ...cal, busy: busyCalendarIds.includes(cal.id) })) }, 200, NO_STORE);
  }

  async function health(c: Context<AppEnv>) {
    const data = await db.rpc('app_calendar_sources', {
      p_user_id: user(c), p_provider_id: pid(c),
    });
    return {
      sources: data.sources.map((s) => sourceHealth(s, data.calendar, now())),
      busyCalendarIds: data.calendar.selectedCalendarIds ?? [],
      writeCalendarId: data.calendar.writeCalendarId ?? null,
      writeGoogleCalendarId: data.calendar.writeGoogleCalendarId ?? null,
      writeMicrosoftCalendarId: data.calendar.writeMicrosoftCalendarId ?? null,
      appPasswordHelp: APP_PASSWORD_HELP,
    };
  }

  /** A connected Microsoft account's calendars (storing the refresh token Microsoft rotates), or the problem to answer. */
  async function microsoftAccountCalendars(c: Context<AppEnv>, secret: EncryptedSecret): Promise<CalDavCalendarInfo[] | Response> {
    const cfg = microsoftClient();
    if (!cfg) return microsoftNotConfigured(c);
    try {
      const secretsKey = key();
      const { refreshToken } = decryptSecret<MicrosoftSecret>(secret, secretsKey);
      const tokens = await microsoftAccessToken(cfg, refreshToken, async (rotated) => {
        const { sources } = await db.rpc('app_calendar_sources', { p_user_id: user(c), p_provider_id: pid(c) });
        const source = sources.find((s) => s.kind === 'microsoft')?.source;
        if (source) await saveRotatedSecret(db, pid(c), source, { refreshToken: rotated }, secretsKey);
      }, AbortSignal.timeout(TEST_TIMEOUT_MS));
      const calendars: MicrosoftCalendarInfo[] = await listMicrosoftCalendars(cfg, tokens.accessToken, AbortSignal.timeout(TEST_TIMEOUT_MS));
      return calendars.map(({ id, name, color }) => ({ id, name, ...(color ? { color } : {}) }));
    } catch (error) {
      if (error instanceof SecretsKeyError) return noKey(c);
      return problem(c, 502, 'calendar-unreachable', 'The Microsoft account could not be read', { detail: plainWords(error, 'microsoft') });
    }
  }

  /**
   * The connected account's calendars, listed again with its stored secret (for the choice editor and saving a
   * choice), or the problem to answer: 404 when none is connected, 502 in plain words when the account cannot be read.
   */
  async function accountCalendars(c: Context<AppEnv>, kind: 'caldav' | 'google' | 'microsoft'): Promise<CalDavCalendarInfo[] | Response> {
    const stored = await db.rpc('app_calendar_secret', { p_user_id: user(c), p_provider_id: pid(c), p_kind: kind });
    if (!stored) return notFound(c, 'Calendar account');
    if (kind === 'microsoft') return microsoftAccountCalendars(c, stored.secret);
    const cfg = googleClient();
    if (kind === 'google' && !cfg) return problem(c, 503, 'google-not-configured', 'Google Calendar is not set up on this server');
    try {
      if (kind === 'caldav') return await listCalDavCalendars(decryptSecret<CalDavSecret>(stored.secret, key()), AbortSignal.timeout(TEST_TIMEOUT_MS));
      const { refreshToken } = decryptSecret<GoogleSecret>(stored.secret, key());
      const { accessToken } = await refreshGoogleToken(cfg!, refreshToken, AbortSignal.timeout(TEST_TIMEOUT_MS));
      const calendars: GoogleCalendarInfo[] = await listGoogleCalendars(cfg!, accessToken, AbortSignal.timeout(TEST_TIMEOUT_MS));
      return calendars.map(({ id, name }) => ({ id, name }));
    } catch (error) {
      if (error instanceof SecretsKeyError) return noKey(c);
      return problem(c, 502, 'calendar-unreachable', kind === 'google' ? 'The Google account could not be read' : 'The calendar account could not be read', {
        detail: plainWords(error, kind),
      });
    }
  }

  /** Logs in and lists the account's calendars, or says in plain words why not. */
  async function discover(form: z.infer<typeof caldavForm>): Promise<{ ok: true; serverUrl: string; calendars: CalDavCalendarInfo[] } | Failure> {
    const serverUrl = /^icloud$/i.test(form.server) ? ICLOUD : form.server;
    const checked = await checkAddress(serverUrl, 'server', allowPrivate);
    if (!checked.ok) return checked;
    try {
      const calendars = await listCalDavCalendars({ serverUrl: checked.url.toString(), username: form.username, password: form.password }, AbortSignal.timeout(TEST_TIMEOUT_MS));
      if (calendars.length === 0) return { ok: false, field: 'server', message: 'Signed in, but this account has no calendars for events.' };
      return { ok: true, serverUrl: checked.url.toString(), calendars };
    } catch (error) {
      return { ok: false, field: error instanceof CalendarAuthError ? 'password' : 'server', message: plainWords(error, 'caldav') };
    }
  }

  /** Reads a feed once, or says in plain words why not. */
  async function probeFeed(raw: string): Promise<{ ok: true; url: string; busyCount: number } | Failure> {
    const checked = await checkAddress(raw, 'url', allowPrivate);
    if (!checked.ok) return checked;
    const from = now();
    try {
      const busy = await createIcsFeedSource({ id: 'probe', url: checked.url.toString(), timezone: 'UTC' })
        .fetchBusy({ from, to: new Date(from.getTime() + 90 * 86_400_000) }, AbortSignal.timeout(TEST_TIMEOUT_MS));
      return { ok: true, url: raw.replace(/^webcals?:\/\//i, 'https://'), busyCount: busy.length };
    } catch (error) {
      return { ok: false, field: 'url', message: plainWords(error, 'ics') };
    }
  }

  /** The first refresh right after connecting, so the page shows the new busy time at once. */
  async function firstSync(providerId: string): Promise<void> {
    await refreshIfStale(db, providerId, { force: true, secretsKey: key(), google: googleClient(), microsoft: microsoftClient(), at: now(), log: () => {} });
  }

  app.get(base, (c) => owner(c, async () => c.json(await health(c), 200, NO_STORE)));

  app.post(`${base}/caldav/test`, async (c) => {
    const parsed = await readJson(c, caldavForm);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      await db.rpc('app_calendar_sources', { p_user_id: user(c), p_provider_id: pid(c) }); // owner check first
      const found = await discover(parsed.value);
      if (!found.ok) return c.json({ ok: false, field: found.field, message: found.message }, 200, NO_STORE);
      const names = found.calendars.length === 1 ? '1 calendar' : `${found.calendars.length} calendars`;
      return c.json({
        ok: true, message: `Connected to ${new URL(found.serverUrl).hostname}: ${names} found.`, serverUrl: found.serverUrl, calendars: found.calendars,
      }, 200, NO_STORE);
    });
  });

  app.post(`${base}/caldav`, async (c) => {
    const parsed = await readJson(c, caldavConnect);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      await db.rpc('app_calendar_sources', { p_user_id: user(c), p_provider_id: pid(c) });
      let secretsKey: Buffer;
      try {
        secretsKey = key();
      } catch (error) {
        if (error instanceof SecretsKeyError) return noKey(c);
        throw error;
      }
      const found = await discover(parsed.value);
      if (!found.ok) return refused(c, found);
      const ids = found.calendars.map((cal) => cal.id);
      const busy = parsed.value.busyCalendarIds ?? ids;
      const unknown = [...busy, ...(parsed.value.writeCalendarId ? [parsed.value.writeCalendarId] : [])].find((id) => !ids.includes(id));
      if (unknown) return invalid(c, [{ field: busy.includes(unknown) ? 'busyCalendarIds' : 'writeCalendarId', message: `is not a calendar of this account: ${unknown}` }]);
      const secret: CalDavSecret = { serverUrl: found.serverUrl, username: parsed.value.username, password: parsed.value.password };
      const result = await db.rpc('app_connect_calendar', {
        p_user_id: user(c), p_provider_id: pid(c), p_kind: 'caldav', p_label: new URL(found.serverUrl).hostname === 'caldav.icloud.com' ? 'iCloud' : new URL(found.serverUrl).hostname,
        p_external_username: parsed.value.username, p_external_email: parsed.value.username.includes('@') ? parsed.value.username : null,
        p_secret: encryptSecret(secret, secretsKey), p_selected_calendar_ids: busy, p_account_calendar_ids: ids,
        p_write_calendar_id: parsed.value.writeCalendarId ?? busy[0] ?? null,
      });
      await firstSync(result.providerId);
      return c.json({ ...(await health(c)), calendars: found.calendars.map((cal) => ({ ...cal, busy: busy.includes(cal.id) })) }, 201, NO_STORE);
    });
  });

  app.put(`${base}/caldav/choice`, async (c) => {
    const parsed = await readJson(c, choiceSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      const listed = await accountCalendars(c, 'caldav');
      return listed instanceof Response ? listed : saveChoice(c, 'caldav', listed, parsed.value);
    });
  });

  app.post(`${base}/ics/test`, async (c) => {
    const parsed = await readJson(c, icsForm);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      await db.rpc('app_calendar_sources', { p_user_id: user(c), p_provider_id: pid(c) });
      const probe = await probeFeed(parsed.value.url);
      if (!probe.ok) return c.json({ ok: false, field: probe.field, message: probe.message }, 200, NO_STORE);
      const times = probe.busyCount === 1 ? '1 busy time' : `${probe.busyCount} busy times`;
      return c.json({ ok: true, message: `The feed works: ${times} in the next 90 days.`, busyCount: probe.busyCount }, 200, NO_STORE);
    });
  });

  app.post(`${base}/ics`, async (c) => {
    const parsed = await readJson(c, icsForm);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      await db.rpc('app_calendar_sources', { p_user_id: user(c), p_provider_id: pid(c) });
      let secretsKey: Buffer;
      try {
        secretsKey = key();
      } catch (error) {
        if (error instanceof SecretsKeyError) return noKey(c);
        throw error;
      }
      const probe = await probeFeed(parsed.value.url);
      if (!probe.ok) return refused(c, probe);
      const result = await db.rpc('app_connect_calendar', {
        p_user_id: user(c), p_provider_id: pid(c), p_kind: 'ics', p_label: 'ICS feed', p_external_username: null, p_external_email: null,
        p_secret: encryptSecret({ url: probe.url }, secretsKey), p_selected_calendar_ids: null, p_account_calendar_ids: null, p_write_calendar_id: null,
      });
      await firstSync(result.providerId);
      return c.json(await health(c), 201, NO_STORE);
    });
  });

  // Google: the web OAuth flow. `start` hands the app Google's consent address; Google sends the provider back to
  // GOOGLE_CALLBACK (signed in: the session cookie rides along on that top-level GET), which stores the grant and
  // returns to the app's calendar settings with `?calendar=google-connected` or `?calendar-error=google-<reason>`.
  app.post(`${base}/google/start`, async (c) => {
    const parsed = await readJson(c, emptySchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      await db.rpc('app_calendar_sources', { p_user_id: user(c), p_provider_id: pid(c) });
      const cfg = googleClient();
      if (!cfg) return problem(c, 503, 'google-not-configured', 'Google Calendar is not set up on this server', {
        detail: 'Whoever runs this server needs to set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (a "Web application" OAuth client).',
      });
      let secretsKey: Buffer;
      try {
        secretsKey = key();
      } catch (error) {
        if (error instanceof SecretsKeyError) return noKey(c);
        throw error;
      }
      return c.json({ url: googleAuthUrl(cfg, oauthState(secretsKey, 'google', user(c), pid(c), now())), redirectUri: cfg.redirectUri }, 200, NO_STORE);
    });
  });

  if (deps.signedIn) app.use(GOOGLE_CALLBACK, deps.signedIn);
  app.get(GOOGLE_CALLBACK, async (c) => {
    const back = (query: string) => backToSettings(c, query);
    const cfg = googleClient();
    const code = c.req.query('code');
    const state = c.req.query('state') ?? '';
    let providerId: string | null = null;
    try {
      providerId = readOAuthState(key(), 'google', user(c), state, now());
    } catch {
      providerId = null;
    }
    if (!providerId || !cfg) return back('calendar-error=google-state');
    if (!code) return back('calendar-error=google-denied');
    try {
      const tokens = await exchangeGoogleCode(cfg, code, AbortSignal.timeout(TEST_TIMEOUT_MS));
      const calendars = await listGoogleCalendars(cfg, tokens.accessToken, AbortSignal.timeout(TEST_TIMEOUT_MS));
      const primary = calendars.find((cal) => cal.primary)?.id ?? calendars[0]?.id ?? null;
      const secret: GoogleSecret = { refreshToken: tokens.refreshToken! };
      const result = await db.rpc('app_connect_calendar', {
        p_user_id: user(c), p_provider_id: providerId, p_kind: 'google', p_label: 'Google Calendar', p_external_username: primary, p_external_email: primary,
        p_secret: encryptSecret(secret, key()), p_selected_calendar_ids: primary ? [primary] : [], p_account_calendar_ids: calendars.map((cal) => cal.id),
        p_write_calendar_id: primary,
      });
      await firstSync(result.providerId);
      return back('calendar=google-connected');
    } catch (error) {
      // SL404: the state named a provider this user no longer owns; anything else: Google said no.
      return back(`calendar-error=${dbProblem(c, error) ? 'google-state' : 'google-failed'}`);
    }
  });

  app.put(`${base}/google/choice`, async (c) => {
    const parsed = await readJson(c, choiceSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      const listed = await accountCalendars(c, 'google');
      return listed instanceof Response ? listed : saveChoice(c, 'google', listed, parsed.value);
    });
  });

  // The choice editor: which of the connected account's calendars count as busy, and which receives new bookings.
  app.get(`${base}/:kind/calendars`, async (c) => {
    const kind = c.req.param('kind');
    if (kind !== 'caldav' && kind !== 'google' && kind !== 'microsoft') return notFound(c, 'Calendar');
    return owner(c, async () => {
      const listed = await accountCalendars(c, kind);
      if (listed instanceof Response) return listed;
      const { calendar } = await db.rpc('app_calendar_sources', { p_user_id: user(c), p_provider_id: pid(c) });
      const busy = calendar.selectedCalendarIds ?? [];
      const write = (kind === 'google' ? calendar.writeGoogleCalendarId : kind === 'microsoft' ? calendar.writeMicrosoftCalendarId : calendar.writeCalendarId) ?? null;
      const answer: AccountCalendars = {
        calendars: listed.map((cal) => ({ ...cal, busy: busy.includes(cal.id) })),
        writeCalendarId: write && listed.some((cal) => cal.id === write) ? write : null,
      };
      return c.json(answer, 200, NO_STORE);
    });
  });

  // Microsoft 365 / Outlook.com: the same web OAuth flow against the Microsoft identity platform, then Graph.
  const microsoftNotConfigured = (c: Context) => problem(c, 503, 'microsoft-not-configured', 'Microsoft 365 calendars are not set up on this server', {
    detail: 'Whoever runs this server needs to set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET (an Entra ID app registration).',
  });

  app.post(`${base}/microsoft/start`, async (c) => {
    const parsed = await readJson(c, emptySchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      await db.rpc('app_calendar_sources', { p_user_id: user(c), p_provider_id: pid(c) });
      const cfg = microsoftClient();
      if (!cfg) return microsoftNotConfigured(c);
      let secretsKey: Buffer;
      try {
        secretsKey = key();
      } catch (error) {
        if (error instanceof SecretsKeyError) return noKey(c);
        throw error;
      }
      return c.json({ url: microsoftAuthUrl(cfg, oauthState(secretsKey, 'microsoft', user(c), pid(c), now())), redirectUri: cfg.redirectUri }, 200, NO_STORE);
    });
  });

  if (deps.signedIn) app.use(MICROSOFT_CALLBACK, deps.signedIn);
  app.get(MICROSOFT_CALLBACK, async (c) => {
    const back = (query: string) => backToSettings(c, query);
    const cfg = microsoftClient();
    const code = c.req.query('code');
    let providerId: string | null = null;
    try {
      providerId = readOAuthState(key(), 'microsoft', user(c), c.req.query('state') ?? '', now());
    } catch {
      providerId = null;
    }
    if (!providerId || !cfg) return back('calendar-error=microsoft-state');
    if (!code) return back('calendar-error=microsoft-denied');
    try {
      const signal = AbortSignal.timeout(TEST_TIMEOUT_MS);
      const tokens = await exchangeMicrosoftCode(cfg, code, signal);
      const [account, calendars] = await Promise.all([
        microsoftAccount(cfg, tokens.accessToken, signal), listMicrosoftCalendars(cfg, tokens.accessToken, signal),
      ]);
      // Like Google's primary calendar: the default calendar counts as busy and receives bookings until the owner chooses.
      const primary = calendars.find((cal) => cal.primary)?.id ?? calendars[0]?.id ?? null;
      const secret: MicrosoftSecret = { refreshToken: tokens.refreshToken };
      const result = await db.rpc('app_connect_calendar', {
        p_user_id: user(c), p_provider_id: providerId, p_kind: 'microsoft', p_label: 'Microsoft 365', p_external_username: account, p_external_email: account,
        p_secret: encryptSecret(secret, key()), p_selected_calendar_ids: primary ? [primary] : [], p_account_calendar_ids: calendars.map((cal) => cal.id),
        p_write_calendar_id: primary,
      });
      await firstSync(result.providerId);
      return back('calendar=microsoft-connected');
    } catch (error) {
      // SL404: the state named a provider this user no longer owns; anything else: Microsoft said no.
      return back(`calendar-error=${dbProblem(c, error) ? 'microsoft-state' : 'microsoft-failed'}`);
    }
  });

  app.put(`${base}/microsoft/choice`, async (c) => {
    const parsed = await readJson(c, choiceSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      const listed = await accountCalendars(c, 'microsoft');
      if (listed instanceof Response) return listed;
      return saveChoice(c, 'microsoft', listed, parsed.value);
    });
  });

  app.delete(`${base}/:kind`, async (c) => {
    const kind = c.req.param('kind');
    if (!['caldav', 'ics', 'google', 'microsoft'].includes(kind)) return notFound(c, 'Calendar');
    const parsed = await readJson(c, emptySchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      const { removed } = await db.rpc('app_disconnect_calendar', { p_user_id: user(c), p_provider_id: pid(c), p_kind: kind });
      if (removed === 0) return notFound(c, 'Calendar');
      return c.json({ removed, ...(await health(c)) }, 200, NO_STORE);
    });
  });
}
