/**
 * Write-back: a confirmed booking becomes an event in the provider's own calendars (CalDAV via PUT of an
 * iCalendar object, Google via events.insert/update, Microsoft Graph via POST/PATCH), and is removed on cancel. The
 * event is addressed by the booking id (CalDAV `<id>.ics` with UID `<id>@slotline`; Google event id = the id without
 * dashes; Microsoft: the event carrying the booking id in SLOTLINE_GRAPH_PROPERTY), so a retry or a reschedule
 * overwrites instead of duplicating. Failures are reported to the job queue, which retries them; they
 * never undo a booking.
 */
import { bookingUid, writeIcs } from '../ics/writer.ts';
import type { Db } from '../db/port.js';
import { decryptSecret, requireSecretsKey } from '../secrets/crypto.js';
import { listCalDavCalendars, type CalDavCredentials } from './caldav.js';
import { refreshGoogleToken, SLOTLINE_EVENT_PROPERTY, type GoogleOAuthConfig } from './google.js';
import { saveRotatedSecret, type CalDavSecret, type CalendarSettings, type GoogleSecret, type MicrosoftSecret } from './integration.js';
import { defaultMicrosoftCalendar, graphRequest, microsoftAccessToken, SLOTLINE_GRAPH_PROPERTY, type MicrosoftOAuthConfig } from './microsoft.js';
import { CalendarAuthError, CalendarSourceError, describeSourceError } from './source.js';

/** What a calendar event needs to know about a booking. */
export interface BookingEvent {
  /** The booking id (uuid). */
  id: string;
  start: Date | string;
  end: Date | string;
  /** Event title, e.g. "Intro call with Sam Lee". */
  summary: string;
  customerName: string;
  customerEmail?: string | null;
  /** The provider as organizer. */
  organizer?: { name: string; email: string } | null;
  /** Secret link to manage the booking; goes into the description. */
  manageUrl?: string | null;
  location?: string | null;
  notes?: string | null;
  /** Increase on each update (RFC 5545 SEQUENCE) so clients replace their copy: the booking's `sequence`. */
  sequence?: number;
  /** DTSTAMP of the written object (default: now). */
  stamp?: Date;
}

/** Google event ids use base32hex characters (0-9, a-v), 5–1024 long: a uuid without dashes qualifies. */
export function googleEventId(bookingId: string): string {
  return bookingId.toLowerCase().replace(/[^0-9a-v]/g, '');
}

function description(b: BookingEvent): string {
  return [
    `Booked with Slotline by ${b.customerName}${b.customerEmail ? ` <${b.customerEmail}>` : ''}.`,
    b.notes ? `Notes: ${b.notes}` : '',
    b.manageUrl ? `Manage this booking: ${b.manageUrl}` : '',
  ].filter(Boolean).join('\n');
}

/**
 * The booking as a CalDAV calendar object, through Slotline's one iCalendar writer (`server/ics/writer.ts`): no
 * METHOD (RFC 4791 §4.1 forbids it in a stored object), the booking's UID and SEQUENCE. The customer is an attendee
 * with SCHEDULE-AGENT=CLIENT so the provider's server does not e-mail invitations on its own (RFC 6638 §7.1);
 * Slotline sends its own messages.
 * Example: `bookingIcs({ id, start, end, summary: 'Intro call', customerName: 'Sam' })`.
 * @see https://www.rfc-editor.org/rfc/rfc5545#section-3.6.1
 */
export function bookingIcs(b: BookingEvent, stamp: Date = b.stamp ?? new Date()): string {
  return writeIcs({
    stamp,
    events: [{
      uid: bookingUid(b.id),
      sequence: b.sequence ?? 0,
      start: b.start,
      end: b.end,
      summary: b.summary,
      description: description(b),
      location: b.location ?? null,
      url: b.manageUrl ?? null,
      status: 'CONFIRMED',
      organizer: b.organizer ?? null,
      attendee: b.customerEmail ? { name: b.customerName || b.customerEmail, email: b.customerEmail, scheduleAgent: 'CLIENT' } : null,
    }],
  });
}

function basicAuth(creds: CalDavCredentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

async function checked(res: Response, what: string, okStatuses: number[] = []): Promise<void> {
  await res.body?.cancel();
  if (res.ok || okStatuses.includes(res.status)) return;
  if (res.status === 401) throw new CalendarAuthError(`${what}: the server refused the credentials (HTTP 401)`, 401);
  throw new CalendarSourceError(`${what}: HTTP ${res.status}`, res.status);
}

/** The calendar bookings are written to: `writeCalendarId`, else the first selected one of this account, else the first. */
export async function chooseCalDavCalendar(creds: CalDavCredentials, calendar: CalendarSettings & { writeCalendarId?: string }, signal: AbortSignal): Promise<string> {
  const calendars = await listCalDavCalendars(creds, signal);
  const norm = (u: string) => new URL(u, creds.serverUrl).pathname.replace(/\/?$/, '/');
  const wanted = [calendar.writeCalendarId, ...(calendar.selectedCalendarIds ?? [])].filter((x): x is string => typeof x === 'string');
  for (const id of wanted) {
    const hit = calendars.find((c) => norm(c.id) === norm(id));
    if (hit) return hit.id;
  }
  if (!calendars[0]) throw new CalendarSourceError('the CalDAV account has no calendar to write bookings to');
  return calendars[0].id;
}

/**
 * Creates or replaces the booking's event in a CalDAV calendar (PUT `<calendar>/<booking id>.ics`).
 * @see https://www.rfc-editor.org/rfc/rfc4791#section-5.3.2
 */
export async function putBookingToCalDav(creds: CalDavCredentials, calendarUrl: string, b: BookingEvent, signal: AbortSignal): Promise<string> {
  const url = new URL(`${encodeURIComponent(b.id)}.ics`, calendarUrl.replace(/\/?$/, '/')).toString();
  const res = await fetch(url, {
    method: 'PUT',
    headers: { authorization: basicAuth(creds), 'content-type': 'text/calendar; charset=utf-8' },
    body: bookingIcs(b),
    signal,
  });
  await checked(res, 'CalDAV write-back');
  return url;
}

/** Removes the booking's event from a CalDAV calendar; an event already gone is fine. */
export async function deleteBookingFromCalDav(creds: CalDavCredentials, calendarUrl: string, bookingId: string, signal: AbortSignal): Promise<void> {
  const url = new URL(`${encodeURIComponent(bookingId)}.ics`, calendarUrl.replace(/\/?$/, '/')).toString();
  const res = await fetch(url, { method: 'DELETE', headers: { authorization: basicAuth(creds) }, signal });
  await checked(res, 'CalDAV remove', [404, 410]);
}

function googleApi(cfg: GoogleOAuthConfig): string {
  return (cfg.apiBase ?? 'https://www.googleapis.com/calendar/v3').replace(/\/$/, '');
}

/**
 * Creates (events.insert) or, when it exists, replaces (events.update) the booking's event in a Google calendar.
 * @see https://developers.google.com/calendar/api/v3/reference/events/insert
 */
export async function putBookingToGoogle(cfg: GoogleOAuthConfig, accessToken: string, calendarId: string, b: BookingEvent, signal: AbortSignal): Promise<void> {
  const base = `${googleApi(cfg)}/calendars/${encodeURIComponent(calendarId)}/events`;
  const id = googleEventId(b.id);
  const body = {
    id,
    summary: b.summary,
    description: description(b),
    ...(b.location ? { location: b.location } : {}),
    start: { dateTime: new Date(b.start).toISOString() },
    end: { dateTime: new Date(b.end).toISOString() },
    status: 'confirmed',
    // Google keeps its own SEQUENCE (it refuses one below what it holds), so none is sent.
    iCalUID: bookingUid(b.id),
    // Lets the busy reader find Slotline's own events with one filtered events.list call (google.ts).
    extendedProperties: { private: { [SLOTLINE_EVENT_PROPERTY.name]: SLOTLINE_EVENT_PROPERTY.value } },
    ...(b.customerEmail ? { attendees: [{ email: b.customerEmail, displayName: b.customerName, responseStatus: 'accepted' }] } : {}),
  };
  const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  // sendUpdates=none: Slotline sends its own messages.
  const inserted = await fetch(`${base}?sendUpdates=none`, { method: 'POST', headers, body: JSON.stringify(body), signal });
  if (inserted.status === 409) {
    await inserted.body?.cancel();
    const updated = await fetch(`${base}/${id}?sendUpdates=none`, { method: 'PUT', headers, body: JSON.stringify(body), signal });
    return checked(updated, 'Google write-back');
  }
  return checked(inserted, 'Google write-back');
}

/** Deletes the booking's event from a Google calendar; an event already gone is fine. */
export async function deleteBookingFromGoogle(cfg: GoogleOAuthConfig, accessToken: string, calendarId: string, bookingId: string, signal: AbortSignal): Promise<void> {
  const res = await fetch(`${googleApi(cfg)}/calendars/${encodeURIComponent(calendarId)}/events/${googleEventId(bookingId)}?sendUpdates=none`, {
    method: 'DELETE', headers: { authorization: `Bearer ${accessToken}` }, signal,
  });
  await checked(res, 'Google remove', [404, 410]);
}

/** The booking's event in a Microsoft calendar, as Graph takes it (the same content as Google's). */
function graphEvent(b: BookingEvent) {
  const at = (t: Date | string) => ({ dateTime: new Date(t).toISOString().slice(0, 19), timeZone: 'UTC' });
  return {
    subject: b.summary,
    body: { contentType: 'text', content: description(b) },
    start: at(b.start),
    end: at(b.end),
    ...(b.location ? { location: { displayName: b.location } } : {}),
    showAs: 'busy',
    // No attendees: Outlook would e-mail the customer an invitation, and Slotline sends its own messages.
  };
}

/** The id of the booking's event in a Microsoft calendar, found by Slotline's extended property; null when none. */
async function findGraphEvent(cfg: MicrosoftOAuthConfig, accessToken: string, calendarId: string, bookingId: string, signal: AbortSignal): Promise<string | null> {
  const q = new URLSearchParams({
    $filter: `singleValueExtendedProperties/Any(ep: ep/id eq '${SLOTLINE_GRAPH_PROPERTY}' and ep/value eq '${bookingId.replace(/'/g, "''")}')`,
    $select: 'id',
  });
  const found = await graphRequest<{ value?: { id: string }[] }>(cfg, accessToken, `/me/calendars/${encodeURIComponent(calendarId)}/events?${q}`, { signal });
  return found?.value?.[0]?.id ?? null;
}

/**
 * Creates or, when the booking already has one, updates (PATCH) the booking's event in a Microsoft calendar. The
 * event carries the booking id in SLOTLINE_GRAPH_PROPERTY (how it is found again and left out of busy time), and the
 * create carries the booking id and SEQUENCE as `transactionId` so Graph drops a retried duplicate POST (while a booking
 * confirmed again after its event was removed, with a higher SEQUENCE, gets a new event).
 * @see https://learn.microsoft.com/en-us/graph/api/calendar-post-events
 * @see https://learn.microsoft.com/en-us/graph/api/event-update
 */
export async function putBookingToMicrosoft(cfg: MicrosoftOAuthConfig, accessToken: string, calendarId: string, b: BookingEvent, signal: AbortSignal): Promise<string> {
  const existing = await findGraphEvent(cfg, accessToken, calendarId, b.id, signal);
  if (existing) {
    await graphRequest(cfg, accessToken, `/me/events/${encodeURIComponent(existing)}`, { method: 'PATCH', body: graphEvent(b), signal });
    return existing;
  }
  const created = await graphRequest<{ id: string }>(cfg, accessToken, `/me/calendars/${encodeURIComponent(calendarId)}/events`, {
    method: 'POST',
    body: { ...graphEvent(b), transactionId: `${b.id}:${b.sequence ?? 0}`, singleValueExtendedProperties: [{ id: SLOTLINE_GRAPH_PROPERTY, value: b.id }] },
    signal,
  });
  if (!created?.id) throw new CalendarSourceError('Microsoft Graph created no event');
  return created.id;
}

/**
 * Deletes the booking's event from a Microsoft calendar; an event already gone is fine.
 * @see https://learn.microsoft.com/en-us/graph/api/event-delete
 */
export async function deleteBookingFromMicrosoft(cfg: MicrosoftOAuthConfig, accessToken: string, calendarId: string, bookingId: string, signal: AbortSignal): Promise<void> {
  const existing = await findGraphEvent(cfg, accessToken, calendarId, bookingId, signal);
  if (existing) await graphRequest(cfg, accessToken, `/me/events/${encodeURIComponent(existing)}`, { method: 'DELETE', signal, allow: [404, 410] });
}

export interface WriteBackOptions {
  /** `config.calendars.secretsKey`, `.google` and `.microsoft` (server/config.ts), handed down by the job worker. */
  secretsKey?: Buffer | null;
  google?: GoogleOAuthConfig | null;
  microsoft?: MicrosoftOAuthConfig | null;
  /** Per calendar (default 10 000). */
  timeoutMs?: number;
  /** Stops the writes (e.g. the job's lease is running out). */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface WriteBackReport {
  written: string[];
  /** `retryable: false` for refused credentials, which no retry fixes. */
  failed: { source: string; reason: string; retryable: boolean }[];
}

/**
 * Writes (`upsert`) or removes (`delete`) a booking's event in every connected CalDAV, Google and Microsoft calendar of the
 * provider, one attempt each; never throws for a calendar failure, it reports it. Retries belong to the job queue:
 * the `calendar.write-back` job (server/bookings/write-back.ts) calls this and fails when the report has failures.
 * Example: `await syncBookingToCalendars(db, providerId, event, 'upsert')`.
 */
export async function syncBookingToCalendars(
  db: Db, providerId: string, booking: BookingEvent, action: 'upsert' | 'delete', options: WriteBackOptions = {},
): Promise<WriteBackReport> {
  const report: WriteBackReport = { written: [], failed: [] };
  const input = await db.rpc(
    'get_calendar_refresh_input', { p_provider_id: providerId },
  );
  if (!input) return report;
  const log = options.log ?? console.warn;

  await Promise.all(
    input.sources.filter((s) => s.kind === 'caldav' || s.kind === 'google' || s.kind === 'microsoft').map(async (row) => {
      const once = async (signal: AbortSignal): Promise<void> => {
        const key = requireSecretsKey(options.secretsKey);
        if (row.kind === 'caldav') {
          const creds = decryptSecret<CalDavSecret>(row.secret, key);
          const calendarUrl = await chooseCalDavCalendar(creds, input.calendar, signal);
          if (action === 'upsert') await putBookingToCalDav(creds, calendarUrl, booking, signal);
          else await deleteBookingFromCalDav(creds, calendarUrl, booking.id, signal);
          return;
        }
        if (row.kind === 'microsoft') {
          const cfg = options.microsoft ?? null;
          if (!cfg) throw new CalendarSourceError('Microsoft 365 is not configured on this server');
          const { refreshToken } = decryptSecret<MicrosoftSecret>(row.secret, key);
          const tokens = await microsoftAccessToken(cfg, refreshToken, (rotated) => saveRotatedSecret(db, providerId, row.source, { refreshToken: rotated }, key), signal);
          // The chosen calendar, else the account's default one.
          const calendarId = input.calendar.writeMicrosoftCalendarId ?? await defaultMicrosoftCalendar(cfg, tokens.accessToken, signal);
          if (action === 'upsert') await putBookingToMicrosoft(cfg, tokens.accessToken, calendarId, booking, signal);
          else await deleteBookingFromMicrosoft(cfg, tokens.accessToken, calendarId, booking.id, signal);
          return;
        }
        const cfg = options.google ?? null;
        if (!cfg) throw new CalendarSourceError('Google OAuth client is not configured');
        const { refreshToken } = decryptSecret<GoogleSecret>(row.secret, key);
        const { accessToken } = await refreshGoogleToken(cfg, refreshToken, signal);
        const calendarId = input.calendar.writeGoogleCalendarId ?? 'primary';
        if (action === 'upsert') await putBookingToGoogle(cfg, accessToken, calendarId, booking, signal);
        else await deleteBookingFromGoogle(cfg, accessToken, calendarId, booking.id, signal);
      };
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
      try {
        await once(options.signal ? AbortSignal.any([timeout, options.signal]) : timeout);
        report.written.push(row.source);
      } catch (error) {
        const reason = describeSourceError(error);
        // A refused login or revoked grant will not fix itself by retrying.
        const retryable = !(error instanceof CalendarAuthError);
        log(`calendar write-back (${action}) of booking ${booking.id} to ${row.source} failed: ${reason}`);
        report.failed.push({ source: row.source, reason, retryable });
      }
    }),
  );
  return report;
}
