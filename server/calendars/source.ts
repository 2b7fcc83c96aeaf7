/**
 * The one interface every calendar busy source implements, and the typed errors sources raise.
 * Errors carry a short, credential-free reason that is safe to log and to show the provider.
 */
import type { BusyInterval } from './expand.js';

export type SourceKind = 'caldav' | 'google' | 'ics' | 'microsoft';

/** A time window as instants; sources return busy intervals overlapping it. */
export interface FetchWindow {
  from: Date;
  to: Date;
}

/**
 * A calendar that can tell when its owner is busy.
 * Example: `await source.fetchBusy({ from, to }, AbortSignal.timeout(4000))` → `[{ start, end }]` (UTC ISO, sorted).
 */
export interface BusySource {
  id: string;
  kind: SourceKind;
  fetchBusy(window: FetchWindow, signal: AbortSignal): Promise<BusyInterval[]>;
}

/** A source failed; `reason` is safe to log (never contains credentials, tokens or secret URLs). */
export class CalendarSourceError extends Error {
  override name = 'CalendarSourceError';
  constructor(
    readonly reason: string,
    readonly status?: number,
  ) {
    super(reason);
  }
}

/** The server refused the credentials (HTTP 401/403). */
export class CalendarAuthError extends CalendarSourceError {
  override name = 'CalendarAuthError';
}

/** Google answered `invalid_grant`: the provider revoked access (or the refresh token expired); reconnect needed. */
export class GoogleGrantRevokedError extends CalendarSourceError {
  override name = 'GoogleGrantRevokedError';
}

/** A credential-free one-line reason for any error thrown while fetching (timeouts and network errors included). */
export function describeSourceError(error: unknown): string {
  if (error instanceof CalendarSourceError) return error.reason;
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code) return `network error (${code})`;
  return redactUrls(e?.message ?? String(error)).slice(0, 300);
}

/** Removes URLs from a message (feed URLs are secrets; user:password@ may appear in them). */
export function redactUrls(text: string): string {
  return text.replace(/\b(?:https?|webcal):\/\/\S+/gi, '<url>');
}
