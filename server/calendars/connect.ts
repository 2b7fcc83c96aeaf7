/**
 * Connecting and disconnecting calendars: verify the credentials against the real service, list the calendars,
 * store the secret encrypted (AES-256-GCM) and the calendar choice (`settings.calendar.selectedCalendarIds`).
 * Used by `npm run provider -- connect-caldav | connect-ics | connect-google | disconnect`.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Db } from '../db/port.js';
import { encryptSecret } from '../secrets/crypto.js';
import { listCalDavCalendars } from './caldav.js';
import { exchangeGoogleCode, googleAuthUrl, listGoogleCalendars, type GoogleOAuthConfig } from './google.js';
import { createIcsFeedSource } from './ics-feed.js';
import type { CalDavSecret, GoogleSecret, IcsSecret } from './integration.js';
import { CalendarSourceError, type SourceKind } from './source.js';
import { DAY } from '../time/units.ts';

export interface ConnectedCalendar {
  id: string;
  name: string;
  selected: boolean;
}

export interface ConnectResult {
  providerId: string;
  integrationId: string;
  source: string;
  /** The account's calendars and whether busy time is read from each. */
  calendars: ConnectedCalendar[];
}

/** Thrown for a choice that does not exist (e.g. an unknown calendar name); the message lists what does. */
export class ConnectError extends Error {
  override name = 'ConnectError';
}

interface StoreInput {
  slug: string;
  kind: SourceKind;
  label: string;
  externalUsername: string | null;
  externalEmail: string | null;
  secret: CalDavSecret | IcsSecret | GoogleSecret;
  key: Buffer;
  /** The account's calendars; `choose` picks some by id or name (none: all of them). */
  calendars: { id: string; name: string }[];
  choose?: string[];
}

function pick(calendars: { id: string; name: string }[], wanted: string[] | undefined): { id: string; name: string }[] {
  if (!wanted || wanted.length === 0) return [];
  const norm = (s: string) => s.trim().replace(/\/+$/, '').toLowerCase();
  return wanted.map((w) => {
    const hit = calendars.find((c) => norm(c.id) === norm(w) || norm(c.name) === norm(w) || norm(new URL(c.id, 'http://x').pathname) === norm(w));
    if (!hit) {
      throw new ConnectError(`No calendar "${w}". Available: ${calendars.map((c) => `"${c.name}" (${c.id})`).join(', ') || 'none'}`);
    }
    return hit;
  });
}

async function store(db: Db, input: StoreInput): Promise<ConnectResult> {
  const chosen = pick(input.calendars, input.choose);
  const result = await db.rpc('connect_calendar', {
    p_provider_slug: input.slug,
    p_kind: input.kind,
    p_label: input.label,
    p_external_username: input.externalUsername,
    p_external_email: input.externalEmail,
    p_secret: encryptSecret(input.secret, input.key),
    p_selected_calendar_ids: input.kind === 'ics' ? null : chosen.map((c) => c.id),
    p_account_calendar_ids: input.calendars.map((c) => c.id),
  });
  const ids = new Set(chosen.map((c) => c.id));
  return {
    ...result,
    calendars: input.calendars.map((c) => ({ ...c, selected: ids.size === 0 || ids.has(c.id) })),
  };
}

/**
 * Verifies a CalDAV login, lists its calendars and stores the account (iCloud: `https://caldav.icloud.com/` with an
 * app-specific password). `calendars` picks calendars by URL, path or name; none means all.
 * Example: `await connectCalDav(db, { slug: 'kim', serverUrl, username, password, calendars: ['Work'], key })`.
 */
export async function connectCalDav(
  db: Db,
  input: { slug: string; serverUrl: string; username: string; password: string; calendars?: string[]; label?: string; email?: string; key: Buffer; timeoutMs?: number },
): Promise<ConnectResult> {
  const found = await listCalDavCalendars(input, AbortSignal.timeout(input.timeoutMs ?? 20_000));
  return store(db, {
    slug: input.slug,
    kind: 'caldav',
    label: input.label ?? `CalDAV ${new URL(input.serverUrl).hostname}`,
    externalUsername: input.username,
    externalEmail: input.email ?? (input.username.includes('@') ? input.username : null),
    secret: { serverUrl: input.serverUrl, username: input.username, password: input.password },
    key: input.key,
    calendars: found,
    choose: input.calendars,
  });
}

/**
 * Verifies that a feed URL serves iCalendar data and stores it (the URL itself is the secret).
 * Example: `await connectIcs(db, { slug: 'kim', url: 'https://outlook.office365.com/owa/calendar/…/calendar.ics', key })`.
 */
export async function connectIcs(
  db: Db, input: { slug: string; url: string; label?: string; email?: string; key: Buffer; timeoutMs?: number },
): Promise<ConnectResult> {
  const now = new Date();
  const probe = createIcsFeedSource({ id: 'probe', url: input.url, timezone: 'UTC' });
  await probe.fetchBusy({ from: now, to: new Date(now.getTime() + DAY) }, AbortSignal.timeout(input.timeoutMs ?? 20_000));
  return store(db, {
    slug: input.slug,
    kind: 'ics',
    label: input.label ?? 'ICS feed',
    externalUsername: null,
    externalEmail: input.email ?? null,
    secret: { url: input.url },
    key: input.key,
    calendars: [],
  });
}

/**
 * Finishes a Google connection from the callback's `code` (the same `redirectUri` as the consent URL): exchanges
 * it, lists the calendars, stores the refresh token. For a web callback route as well as the CLI flow below.
 */
export async function completeGoogleConnect(
  db: Db, input: { slug: string; code: string; config: GoogleOAuthConfig; calendars?: string[]; key: Buffer; signal?: AbortSignal },
): Promise<ConnectResult> {
  const tokens = await exchangeGoogleCode(input.config, input.code, input.signal);
  const calendars = await listGoogleCalendars(input.config, tokens.accessToken, input.signal);
  const primary = calendars.find((c) => c.primary)?.id ?? null;
  return store(db, {
    slug: input.slug,
    kind: 'google',
    label: 'Google Calendar',
    externalUsername: primary,
    externalEmail: primary,
    secret: { refreshToken: tokens.refreshToken! },
    key: input.key,
    calendars: calendars.map((c) => ({ id: c.id, name: c.name })),
    choose: input.calendars,
  });
}

/**
 * The whole Google connect flow for a terminal (OAuth loopback redirect, RFC 8252 §7.3): listens on 127.0.0.1,
 * hands the consent URL to `onAuthUrl` (print it), waits for Google's redirect, checks `state`, stores the grant.
 * The OAuth client must be of type "Desktop app" (loopback redirects on any port).
 * @see https://developers.google.com/identity/protocols/oauth2/native-app#redirect-uri_loopback
 */
export async function connectGoogle(
  db: Db,
  input: { slug: string; config: Omit<GoogleOAuthConfig, 'redirectUri'>; calendars?: string[]; key: Buffer; onAuthUrl: (url: string) => void; waitMs?: number },
): Promise<ConnectResult> {
  const state = randomBytes(16).toString('hex');
  let settle: { resolve: (code: string) => void; reject: (e: Error) => void } | undefined;
  const codePromise = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname !== '/oauth/google/callback') {
      res.writeHead(404).end();
      return;
    }
    const ok = u.searchParams.get('state') === state && u.searchParams.get('code');
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(ok ? 'Slotline: Google Calendar connected. You can close this window.' : 'Slotline: Google did not grant access.');
    if (u.searchParams.get('state') !== state) return settle?.reject(new ConnectError('OAuth state mismatch: start again'));
    const code = u.searchParams.get('code');
    if (!code) return settle?.reject(new ConnectError(`Google consent refused (${u.searchParams.get('error') ?? 'no code'})`));
    settle?.resolve(code);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const redirectUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/oauth/google/callback`;
  const config: GoogleOAuthConfig = { ...input.config, redirectUri };
  const timer = setTimeout(() => settle?.reject(new ConnectError('Timed out waiting for Google consent')), input.waitMs ?? 300_000);
  try {
    input.onAuthUrl(googleAuthUrl(config, state));
    const code = await codePromise;
    return await completeGoogleConnect(db, { slug: input.slug, code, config, calendars: input.calendars, key: input.key, signal: AbortSignal.timeout(20_000) });
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    await new Promise((r) => server.close(() => r(undefined)));
  }
}

/**
 * Removes a provider's calendar of one kind: the integration, its secret, cached busy time and sync state.
 * Example: `await disconnectCalendar(db, { slug: 'kim', kind: 'caldav' })` → `{ removed: 1 }`.
 */
export async function disconnectCalendar(db: Db, input: { slug: string; kind: SourceKind }): Promise<{ removed: number }> {
  if (!['caldav', 'google', 'ics', 'microsoft'].includes(input.kind)) throw new CalendarSourceError(`unknown calendar kind ${input.kind}`);
  return db.rpc('disconnect_calendar', { p_provider_slug: input.slug, p_kind: input.kind });
}
