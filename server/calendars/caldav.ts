/**
 * CalDAV busy source (iCloud, Fastmail, Nextcloud, Radicale, …) over tsdav with HTTP Basic auth.
 * We ask the server for the objects touching the window and expand recurrence ourselves (`expandBusy`), because
 * servers disagree about `expand` (Radicale 3.1 ignores it) and about recurring instances in free-busy answers.
 */
import { createDAVClient, type DAVCalendar } from 'tsdav';
import { expandBusy, type BusyInterval } from './expand.js';
import { CalendarAuthError, CalendarSourceError, redactUrls, type BusySource, type FetchWindow } from './source.js';

export interface CalDavCredentials {
  /** Server root or principal URL, e.g. `https://caldav.icloud.com/`. */
  serverUrl: string;
  username: string;
  /** For iCloud: an app-specific password, never the Apple ID password. */
  password: string;
}

export interface CalDavSourceOptions extends CalDavCredentials {
  id: string;
  /** Provider zone for floating and all-day values. */
  timezone: string;
  /** Calendar URLs to read (`settings.calendar.selectedCalendarIds`); all calendars when empty or when none match. */
  selectedCalendarIds?: string[];
  /** Addresses that are the provider (declined invitations are free); the username is added when it is an email. */
  selfAddresses?: string[];
  unansweredBusy?: boolean;
  /** Told about each event or object left out because it could not be read (for the source's health). */
  onSkip?: (what: string) => void;
}

/** A calendar found on the server; `id` is its URL (what `selectedCalendarIds` holds). */
export interface CalDavCalendarInfo {
  id: string;
  name: string;
  color?: string;
}

type Client = Awaited<ReturnType<typeof createDAVClient>>;

function authMessage(serverUrl: string, status: number): string {
  const icloud = /(^|\.)icloud\.com$/i.test(safeHost(serverUrl));
  return (
    `CalDAV server refused the username or password (HTTP ${status}).` +
    (icloud
      ? ' iCloud requires an app-specific password: create one at appleid.apple.com → Sign-In and Security → App-Specific Passwords.'
      : ' If this is iCloud (or another account with two-factor sign-in), use an app-specific password.')
  );
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** Connects (service discovery + principal + home set); HTTP 401 becomes CalendarAuthError with the iCloud hint. */
async function connect(creds: CalDavCredentials, signal: AbortSignal): Promise<Client> {
  const guardedFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, { ...init, signal });
    if (res.status === 401) {
      await res.body?.cancel();
      throw new CalendarAuthError(authMessage(creds.serverUrl, res.status), res.status);
    }
    return res;
  };
  return wrapErrors(() =>
    createDAVClient({
      serverUrl: creds.serverUrl,
      credentials: { username: creds.username, password: creds.password },
      authMethod: 'Basic',
      defaultAccountType: 'caldav',
      fetch: guardedFetch,
    }),
  );
}

async function wrapErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const e = error as Error & { cause?: unknown };
    if (error instanceof CalendarSourceError) throw error;
    if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.cause) throw error;
    throw new CalendarSourceError(`CalDAV error: ${redactUrls(e?.message ?? String(error)).slice(0, 200)}`);
  }
}

async function eventCalendars(client: Client): Promise<DAVCalendar[]> {
  const all = await wrapErrors(() => client.fetchCalendars());
  return all.filter((c) => !c.components || c.components.length === 0 || c.components.includes('VEVENT'));
}

function displayName(c: DAVCalendar): string {
  return typeof c.displayName === 'string' && c.displayName ? c.displayName : decodeURIComponent(c.url.replace(/\/$/, '').split('/').pop() ?? c.url);
}

/** Comparable form of a calendar id or URL: its decoded path with one trailing slash. */
function pathKey(idOrUrl: string, base: string): string {
  try {
    const p = decodeURIComponent(new URL(idOrUrl, base).pathname);
    return p.endsWith('/') ? p : `${p}/`;
  } catch {
    return idOrUrl;
  }
}

/**
 * Verifies the login and lists the event calendars (for `connect-caldav`).
 * Example: `await listCalDavCalendars({ serverUrl, username, password }, AbortSignal.timeout(10_000))`.
 * @see https://www.rfc-editor.org/rfc/rfc4791#section-4.2
 */
export async function listCalDavCalendars(creds: CalDavCredentials, signal: AbortSignal): Promise<CalDavCalendarInfo[]> {
  const client = await connect(creds, signal);
  return (await eventCalendars(client)).map((c) => ({ id: c.url, name: displayName(c), ...(c.calendarColor ? { color: c.calendarColor } : {}) }));
}

/**
 * A BusySource reading the selected calendars of one CalDAV account.
 * Example: `createCalDavSource({ id: 'caldav:…', serverUrl, username, password, timezone: 'Asia/Dubai' })`.
 * @see https://www.rfc-editor.org/rfc/rfc4791#section-7.8 (calendar-query with time-range)
 */
export function createCalDavSource(options: CalDavSourceOptions): BusySource {
  return {
    id: options.id,
    kind: 'caldav',
    async fetchBusy(window: FetchWindow, signal: AbortSignal): Promise<BusyInterval[]> {
      const client = await connect(options, signal);
      const calendars = await eventCalendars(client);
      const wanted = new Set((options.selectedCalendarIds ?? []).map((id) => pathKey(id, options.serverUrl)));
      const selected = calendars.filter((c) => wanted.has(pathKey(c.url, options.serverUrl)));
      // The selection list is shared with other sources: ids of other accounts do not narrow this one.
      const toRead = selected.length > 0 ? selected : calendars;
      const self = [...(options.selfAddresses ?? []), ...(options.username.includes('@') ? [options.username] : [])];
      const range = { start: window.from.toISOString(), end: window.to.toISOString() };

      const perCalendar = await Promise.all(
        toRead.map((calendar) =>
          wrapErrors(() =>
            client.fetchCalendarObjects({ calendar, timeRange: range, urlFilter: (url) => !url.endsWith('/') }),
          ),
        ),
      );
      const out: BusyInterval[] = [];
      for (const objects of perCalendar) {
        for (const object of objects) {
          if (typeof object.data !== 'string' || !object.data.includes('BEGIN:')) continue;
          try {
            out.push(...expandBusy(object.data, window, {
              timezone: options.timezone, selfAddresses: self, unansweredBusy: options.unansweredBusy, onSkip: options.onSkip,
            }));
          } catch {
            // One unreadable object must not blank the whole calendar; the rest still counts, and health says so.
            options.onSkip?.(`object ${object.url.split('/').pop() ?? ''}: not valid iCalendar`);
            continue;
          }
        }
      }
      return out.sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
    },
  };
}
