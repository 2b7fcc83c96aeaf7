/**
 * Stored integrations → BusySources. The secret of each kind (encrypted in `integration_secrets.secret`):
 * - caldav: `{ serverUrl, username, password }` (iCloud: an app-specific password)
 * - ics:    `{ url }` (the secret feed address)
 * - google: `{ refreshToken }`
 * - microsoft: `{ refreshToken }` (replaced by the newest one after each refresh: Microsoft rotates them)
 */
import type { Db } from '../db/port.js';
import { decryptSecret, encryptSecret, type EncryptedSecret } from '../secrets/crypto.js';
import { createCalDavSource } from './caldav.js';
import { createGoogleSource, type GoogleOAuthConfig } from './google.js';
import { createIcsFeedSource, type IcsFeedState } from './ics-feed.js';
import { createMicrosoftSource, type MicrosoftOAuthConfig } from './microsoft.js';
import { CalendarSourceError, type BusySource, type SourceKind } from './source.js';

export interface CalDavSecret {
  serverUrl: string;
  username: string;
  password: string;
}
export interface IcsSecret {
  url: string;
}
export interface GoogleSecret {
  refreshToken: string;
}
export interface MicrosoftSecret {
  refreshToken: string;
}

/**
 * Stores a source's new secret (encrypted) in place of the old one, keeping its busy cache: Microsoft's rotated
 * refresh token after a refresh.
 */
export async function saveRotatedSecret(db: Db, providerId: string, source: string, secret: MicrosoftSecret, key: Buffer): Promise<void> {
  await db.rpc('save_calendar_secret', { p_provider_id: providerId, p_source: source, p_secret: encryptSecret(secret, key) });
}

/** One row of `get_calendar_refresh_input(...).sources`. */
export interface StoredSource {
  source: string;
  integrationId: string;
  kind: SourceKind;
  externalUsername: string | null;
  externalEmail: string | null;
  secret: EncryptedSecret;
  lastSuccessAt: string | null;
  coveredFrom: string | null;
  coveredTo: string | null;
  etag: string | null;
  lastModified: string | null;
  body: string | null;
}

/** Calendar settings of a provider (`providers.settings.calendar`). */
export interface CalendarSettings {
  selectedCalendarIds?: string[];
  onError?: 'hide' | 'ignore';
  unansweredBusy?: boolean;
  maxAgeMinutes?: number;
  maxStaleMinutes?: number;
}

export interface BuildContext {
  timezone: string;
  calendar: CalendarSettings;
  key: Buffer;
  google: GoogleOAuthConfig | null;
  /** `config.calendars.microsoft`; without it Microsoft sources fail ("not configured"). */
  microsoft?: MicrosoftOAuthConfig | null;
  /** Stores a source's rotated secret (a Microsoft refresh token), encrypted, in place of the old one. */
  onRotatedSecret?: (secret: MicrosoftSecret) => Promise<void>;
  /** Receives the ICS validators and body to store after a successful fetch. */
  onIcsState?: (state: IcsFeedState) => void;
  /** Told about each event an iCalendar source left out because it could not be read. */
  onSkip?: (what: string) => void;
}

function isEmail(v: string | null | undefined): v is string {
  return typeof v === 'string' && /^[^@\s]+@[^@\s]+$/.test(v);
}

function need(value: unknown, what: string): string {
  if (typeof value !== 'string' || !value) throw new CalendarSourceError(`stored ${what} is missing: reconnect the calendar`);
  return value;
}

/** Decrypts the secret and builds the matching source (throws SecretsKeyError on a wrong key). */
export function sourceFromIntegration(row: StoredSource, ctx: BuildContext): BusySource {
  const selfAddresses = [row.externalEmail, row.externalUsername].filter(isEmail);
  const selected = Array.isArray(ctx.calendar.selectedCalendarIds) ? ctx.calendar.selectedCalendarIds.filter((x) => typeof x === 'string') : [];
  const unansweredBusy = ctx.calendar.unansweredBusy !== false;
  if (row.kind === 'caldav') {
    const s = decryptSecret<CalDavSecret>(row.secret, ctx.key);
    return createCalDavSource({
      id: row.source,
      serverUrl: need(s.serverUrl, 'CalDAV server URL'),
      username: need(s.username, 'CalDAV username'),
      password: need(s.password, 'CalDAV password'),
      timezone: ctx.timezone,
      selectedCalendarIds: selected,
      selfAddresses,
      unansweredBusy,
      onSkip: ctx.onSkip,
    });
  }
  if (row.kind === 'ics') {
    const s = decryptSecret<IcsSecret>(row.secret, ctx.key);
    return createIcsFeedSource({
      id: row.source,
      url: need(s.url, 'feed URL'),
      timezone: ctx.timezone,
      selfAddresses,
      unansweredBusy,
      state: { etag: row.etag, lastModified: row.lastModified, body: row.body },
      onState: ctx.onIcsState,
      onSkip: ctx.onSkip,
    });
  }
  if (row.kind === 'google') {
    if (!ctx.google) throw new CalendarSourceError('Google OAuth client is not configured (GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET)');
    const s = decryptSecret<GoogleSecret>(row.secret, ctx.key);
    return createGoogleSource({ id: row.source, config: ctx.google, refreshToken: need(s.refreshToken, 'Google refresh token'), selectedCalendarIds: selected });
  }
  if (row.kind === 'microsoft') {
    if (!ctx.microsoft) throw new CalendarSourceError('Microsoft 365 is not configured on this server (MICROSOFT_CLIENT_ID / MICROSOFT_CLIENT_SECRET)');
    const s = decryptSecret<MicrosoftSecret>(row.secret, ctx.key);
    return createMicrosoftSource({
      id: row.source,
      config: ctx.microsoft,
      refreshToken: need(s.refreshToken, 'Microsoft refresh token'),
      timezone: ctx.timezone,
      selectedCalendarIds: selected,
      onRefreshToken: (refreshToken) => ctx.onRotatedSecret?.({ refreshToken }),
    });
  }
  throw new CalendarSourceError(`unknown calendar kind ${String(row.kind)}`);
}
