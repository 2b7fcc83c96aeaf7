/**
 * ICS feed busy source: a secret iCalendar URL (Google's private address, Outlook's published calendar, any .ics).
 * Fetched with conditional requests (RFC 9110 §13: If-None-Match / If-Modified-Since) so an unchanged feed costs a
 * 304; the previous body is then reused. Expansion follows the same rules as CalDAV (`expandBusy`).
 */
import { expandBusy, type BusyInterval } from './expand.js';
import { CalendarAuthError, CalendarSourceError, type BusySource, type FetchWindow } from './source.js';

/** What the cache keeps between fetches to make the next one conditional. */
export interface IcsFeedState {
  etag?: string | null;
  lastModified?: string | null;
  body?: string | null;
}

export interface IcsFeedOptions {
  id: string;
  /** The feed URL (`webcal://` is read as `https://`). A secret: never logged. */
  url: string;
  timezone: string;
  selfAddresses?: string[];
  unansweredBusy?: boolean;
  /** Validators and body from the previous successful fetch. */
  state?: IcsFeedState;
  /** Called after every successful fetch with the state to keep (unchanged body on 304). */
  onState?: (state: IcsFeedState) => void;
  /** Told about each event left out because it could not be read (for the source's health). */
  onSkip?: (what: string) => void;
}

/** Largest feed we accept, so a wrong URL cannot exhaust memory. */
const MAX_BYTES = 20 * 1024 * 1024;

/**
 * A BusySource reading one ICS feed.
 * Example: `createIcsFeedSource({ id: 'ics:…', url: 'https://calendar.google.com/…/basic.ics', timezone: 'Asia/Dubai' })`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.1
 */
export function createIcsFeedSource(options: IcsFeedOptions): BusySource {
  let state: IcsFeedState = { ...(options.state ?? {}) };
  return {
    id: options.id,
    kind: 'ics',
    async fetchBusy(window: FetchWindow, signal: AbortSignal): Promise<BusyInterval[]> {
      const headers: Record<string, string> = { accept: 'text/calendar, */*;q=0.5' };
      if (state.body) {
        if (state.etag) headers['if-none-match'] = state.etag;
        if (state.lastModified) headers['if-modified-since'] = state.lastModified;
      }
      const { url, authorization } = feedRequest(options.url);
      if (authorization) headers.authorization = authorization;
      const res = await fetch(url, { headers, signal, redirect: 'follow' });
      let body: string;
      if (res.status === 304 && state.body) {
        await res.body?.cancel();
        body = state.body;
      } else if (res.ok) {
        body = await readLimited(res);
        if (!body.includes('BEGIN:VCALENDAR')) throw new CalendarSourceError('ICS feed did not return an iCalendar document');
        state = { etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified'), body };
      } else {
        await res.body?.cancel();
        if (res.status === 401 || res.status === 403) {
          throw new CalendarAuthError(`ICS feed refused access (HTTP ${res.status}): the secret address may have been reset`, res.status);
        }
        throw new CalendarSourceError(`ICS feed answered HTTP ${res.status}`, res.status);
      }
      options.onState?.(state);
      try {
        return expandBusy(body, window, {
          timezone: options.timezone, selfAddresses: options.selfAddresses, unansweredBusy: options.unansweredBusy, onSkip: options.onSkip,
        });
      } catch {
        throw new CalendarSourceError('ICS feed is not valid iCalendar');
      }
    },
  };
}

/** `webcal://` means https; `https://user:pass@host/…` (fetch refuses credentials in URLs) becomes Basic auth. */
function feedRequest(raw: string): { url: string; authorization?: string } {
  let u: URL;
  try {
    u = new URL(raw.replace(/^webcals?:\/\//i, 'https://'));
  } catch {
    throw new CalendarSourceError('ICS feed address is not a valid URL');
  }
  if (!u.username && !u.password) return { url: u.toString() };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

async function readLimited(res: Response): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_BYTES) {
    await res.body?.cancel();
    throw new CalendarSourceError('ICS feed is too large');
  }
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new CalendarSourceError('ICS feed is too large');
  return text;
}
