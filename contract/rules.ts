/**
 * The rules the server, the pages and the database share, written once. Plain functions and patterns: no zod,
 * no I/O, so the browser bundle can import them for a few bytes.
 *
 * SQL keeps its own copies as CHECK constraints (`supabase/migrations/…_foundation.sql`); each points back here.
 */

/**
 * A provider's public slug and a service's slug: lowercase letters, digits and dashes, 1–63 characters, not
 * starting with a dash. The same pattern is the `providers_public_slug_format` and `services.slug` check in SQL.
 * @example SLUG_PATTERN.test('kim-lindberg') // true
 */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Whether `value` can be a provider or service slug (see `SLUG_PATTERN`). */
export function isSlug(value: string | null | undefined): value is string {
  return typeof value === 'string' && SLUG_PATTERN.test(value);
}

/**
 * A manage-link token as the server hands them out (`server/bookings/tokens.ts`: 32 random bytes, base64url):
 * exactly 43 URL-safe characters. Anything else is not ours and never worth a database look-up.
 */
export const MANAGE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Whether `token` has the shape of a manage token (see `MANAGE_TOKEN_PATTERN`). */
export function looksLikeToken(token: string | null | undefined): token is string {
  return typeof token === 'string' && MANAGE_TOKEN_PATTERN.test(token);
}

/**
 * A phone number as a visitor types it: an optional `+`, then 6–25 digits, spaces, dashes and brackets.
 * @example PHONE_PATTERN.test('+971 50 123 4567') // true
 */
export const PHONE_PATTERN = /^\+?[0-9][0-9 ()-]{5,24}$/;

/** Text a visitor may send: no NUL or other control characters except tab and newlines. */
export const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** ISO 8601 date-time with an explicit offset: a local time without one is ambiguous. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Instants a booking system has any business with; outside, PostgreSQL and zone math give up. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);

/**
 * An ISO 8601 instant with an explicit offset, 1970–2200, else null. The one rule for every instant that crosses
 * the wire (a booking's `start`, `?slot=` in a link, the share tool's `slots`).
 * @example parseInstant('2026-12-01T09:00:00+04:00')?.toISOString() // '2026-12-01T05:00:00.000Z'
 * @example parseInstant('2026-12-01T09:00') // null (no offset)
 */
export function parseInstant(value: string | null | undefined): Date | null {
  if (typeof value !== 'string' || !INSTANT.test(value)) return null;
  const date = new Date(value);
  const t = date.getTime();
  return Number.isNaN(t) || t < EARLIEST || t >= LATEST ? null : date;
}

const knownZones = new Map<string, boolean>();

/**
 * Whether `zone` is an IANA time zone this runtime knows (answers are remembered: Intl is slow).
 * @example isTimeZone('Asia/Dubai') // true
 */
export function isTimeZone(zone: string | null | undefined): zone is string {
  if (!zone || zone.length > 64) return false;
  const known = knownZones.get(zone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    valid = true;
  } catch {
    valid = false;
  }
  if (knownZones.size < 2_000) knownZones.set(zone, valid);
  return valid;
}
