/**
 * The one iCalendar (RFC 5545) writer: every `.ics` Slotline produces — the visitor's file, the provider's feed,
 * CalDAV write-back and email invitations — is serialised here, so the UID rule, SEQUENCE, METHOD, escaping,
 * folding and line ends are decided once.
 *
 * Hand-written rather than ical-generator because the details that matter are exactly where that library differs
 * from the RFCs: it writes `\"` inside parameter values (RFC 5545 forbids any DQUOTE there; RFC 6868 says `^'`) and
 * leaves the last line without its CRLF. ical.js parses every file this writes back (tests/unit/ics-writer.test.ts).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5545
 * @see https://www.rfc-editor.org/rfc/rfc6868
 */

/** A booking's UID everywhere (file, feed, write-back, invitations): calendar apps update rather than duplicate. */
export const bookingUid = (bookingId: string) => `${bookingId}@slotline`;

/**
 * Whether a UID is one Slotline wrote (`bookingUid`): such an event is a copy of a booking, which the database
 * already counts, so a calendar read must never count it again as external busy time (cancel frees it at once).
 */
export const isBookingUid = (uid: string): boolean => /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}@slotline$/i.test(uid.trim());

export interface IcsPerson {
  name: string;
  email?: string | null;
}

export interface IcsEvent {
  /** Use `bookingUid(id)` for bookings. */
  uid: string;
  /** RFC 5545 SEQUENCE: the booking's counter, which the database raises on every time or status change. */
  sequence: number;
  start: Date | string;
  end: Date | string;
  summary: string;
  description?: string | null;
  location?: string | null;
  url?: string | null;
  status: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
  organizer?: IcsPerson | null;
  /** `scheduleAgent: 'CLIENT'` (RFC 6638 §7.1) keeps a CalDAV server from e-mailing invitations on its own. */
  attendee?: (IcsPerson & { scheduleAgent?: 'CLIENT'; partstat?: 'ACCEPTED' | 'NEEDS-ACTION' }) | null;
  /** A display reminder this many minutes before the start (none when absent). */
  alarmMinutesBefore?: number | null;
}

export interface IcsCalendar {
  /** `REQUEST`/`CANCEL` only for an invitation or cancellation (iTIP, RFC 5546); none for a plain file, feed or CalDAV object. */
  method?: 'REQUEST' | 'CANCEL' | null;
  /** Shown by calendar apps that subscribe to a feed (X-WR-CALNAME). */
  name?: string | null;
  /** DTSTAMP: when this file was made. */
  stamp: Date;
  events: IcsEvent[];
}

const CRLF = '\r\n';
/** Where placeholder addresses point when a person has no email (RFC 2606 reserves `.invalid`). */
const NO_EMAIL = 'no-reply@slotline.invalid';

/** UTC date-time form: `20261202T090000Z`. */
export function icsDateTime(d: Date | string): string {
  return new Date(d).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped; other control characters dropped. */
export function icsText(text: string): string {
  return text
    .replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');
}

/**
 * A parameter value (e.g. CN): RFC 6868 caret encoding (`^^`, `^'` for a double quote, `^n` for a newline), other
 * control characters dropped, and double quotes around it when it holds `;`, `:` or `,` (RFC 5545 §3.2).
 */
export function icsParam(value: string): string {
  const encoded = value
    .replace(/\^/g, '^^')
    .replace(/"/g, "^'")
    .replace(/\r\n|\r|\n/g, '^n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');
  return /[;:,]/.test(encoded) ? `"${encoded}"` : encoded;
}

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1) without splitting a UTF-8 character: continuation lines start
 * with one space, which counts toward their 75.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

const mailto = (email: string | null | undefined) => `mailto:${email || NO_EMAIL}`;

function eventLines(e: IcsEvent, stamp: Date): string[] {
  const lines = [
    'BEGIN:VEVENT',
    `UID:${icsText(e.uid)}`,
    `SEQUENCE:${Math.max(0, Math.floor(e.sequence))}`,
    `DTSTAMP:${icsDateTime(stamp)}`,
    `DTSTART:${icsDateTime(e.start)}`,
    `DTEND:${icsDateTime(e.end)}`,
    `SUMMARY:${icsText(e.summary)}`,
  ];
  if (e.description) lines.push(`DESCRIPTION:${icsText(e.description)}`);
  if (e.location) lines.push(`LOCATION:${icsText(e.location)}`);
  if (e.url) lines.push(`URL;VALUE=URI:${e.url}`);
  lines.push(`STATUS:${e.status}`);
  if (e.organizer) lines.push(`ORGANIZER;CN=${icsParam(e.organizer.name || e.organizer.email || 'Slotline')}:${mailto(e.organizer.email)}`);
  if (e.attendee?.email) {
    const params = [
      `CN=${icsParam(e.attendee.name || e.attendee.email)}`,
      'ROLE=REQ-PARTICIPANT',
      `PARTSTAT=${e.attendee.partstat ?? 'ACCEPTED'}`,
      ...(e.attendee.scheduleAgent ? [`SCHEDULE-AGENT=${e.attendee.scheduleAgent}`] : []),
    ];
    lines.push(`ATTENDEE;${params.join(';')}:${mailto(e.attendee.email)}`);
  }
  if (e.alarmMinutesBefore != null && e.status !== 'CANCELLED') {
    lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `TRIGGER:-PT${Math.round(e.alarmMinutesBefore)}M`, `DESCRIPTION:${icsText(e.summary)}`, 'END:VALARM');
  }
  lines.push('END:VEVENT');
  return lines;
}

/**
 * Serialises one calendar: UTC times, every line CRLF-terminated (the last one too) and folded.
 *
 * @example writeIcs({ stamp: now, events: [{ uid: bookingUid(id), sequence: 0, start, end, summary: 'Intro call', status: 'CONFIRMED' }] })
 */
export function writeIcs(calendar: IcsCalendar): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Slotline//Slotline//EN', 'CALSCALE:GREGORIAN'];
  if (calendar.method) lines.push(`METHOD:${calendar.method}`);
  if (calendar.name) lines.push(`X-WR-CALNAME:${icsText(calendar.name)}`);
  for (const event of calendar.events) lines.push(...eventLines(event, calendar.stamp));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}
