import type { Booking } from '../bookings/booking.ts';
import { isLive, locationLine } from '../bookings/booking.ts';
import { bookingUid, writeIcs, type IcsEvent } from './writer.ts';

/**
 * A booking as calendar events, per audience, all through the one writer (`writer.ts`) with the same UID
 * (`<booking id>@slotline`) and the booking's SEQUENCE, so the visitor's file, the provider's feed, write-back and
 * an invitation for the same booking are one event to any calendar app.
 */

/** The visitor's own event: titled with the service and provider, the manage link in it, a reminder 30 minutes before. */
export function visitorEvent(b: Booking, manageUrl: string): IcsEvent {
  const title = `${b.service.title} — ${b.provider.name}`;
  return {
    uid: bookingUid(b.id),
    sequence: b.sequence,
    start: b.start,
    end: b.end,
    summary: title,
    description: `${b.service.title} with ${b.provider.name}. Manage or cancel: ${manageUrl}`,
    location: locationLine(b),
    url: manageUrl,
    status: isLive(b) ? 'CONFIRMED' : 'CANCELLED',
    organizer: { name: b.provider.name },
    attendee: { name: b.name, email: b.email },
    alarmMinutesBefore: 30,
  };
}

/** The provider's event: titled with the visitor, their contact details in it (no manage link: it is the visitor's secret). */
export function providerEvent(b: Booking): IcsEvent {
  return {
    uid: bookingUid(b.id),
    sequence: b.sequence,
    start: b.start,
    end: b.end,
    summary: `${b.service.title}: ${b.name || b.email || b.phone || 'visitor'}`,
    description: [b.email, b.phone, b.notes].filter(Boolean).join('\n'),
    location: locationLine(b),
    status: isLive(b) ? 'CONFIRMED' : 'CANCELLED',
    organizer: { name: b.provider.name },
    attendee: { name: b.name, email: b.email },
    alarmMinutesBefore: 30,
  };
}

/** `GET /api/bookings/:token/ics`: one booking, no METHOD (a file to open, not an invitation). */
export function visitorIcs(b: Booking, manageUrl: string, stamp: Date): string {
  return writeIcs({ name: 'Slotline booking', stamp, events: [visitorEvent(b, manageUrl)] });
}

/**
 * `GET /api/series/:token/ics`: a weekly series as one event per occurrence, each with its own booking's UID and
 * SEQUENCE — not one RRULE event. Occurrences are separate bookings that can be moved, skipped or cancelled one by
 * one; as separate events every calendar shows exactly what is booked, write-back and invitations stay the
 * single-booking writer, and no client has to apply EXDATE/RECURRENCE-ID overrides correctly.
 */
export function seriesIcs(bookings: Booking[], manageUrl: string, stamp: Date): string {
  return writeIcs({ name: 'Slotline series', stamp, events: bookings.map((b) => visitorEvent(b, manageUrl)) });
}

/** `GET /ics/<token>.ics`: the provider's subscribed feed, no METHOD. */
export function feedIcs(providerName: string, bookings: Booking[], stamp: Date): string {
  return writeIcs({ name: `${providerName} — bookings`, stamp, events: bookings.map(providerEvent) });
}

/**
 * An email invitation (iTIP, RFC 5546): `METHOD:REQUEST` while the booking holds its time, `METHOD:CANCEL` (and
 * `STATUS:CANCELLED`) once it does not. Sent as `text/calendar; method=…` with the same UID and SEQUENCE as the file.
 * The organizer needs an address for replies; without one the writer puts a `.invalid` placeholder.
 */
export function invitationIcs(b: Booking, manageUrl: string, stamp: Date, organizerEmail: string | null = null): { method: 'REQUEST' | 'CANCEL'; ics: string } {
  const method = isLive(b) ? 'REQUEST' : 'CANCEL';
  const event = { ...visitorEvent(b, manageUrl), organizer: { name: b.provider.name, email: organizerEmail }, attendee: { name: b.name, email: b.email, partstat: 'NEEDS-ACTION' as const } };
  return { method, ics: writeIcs({ method, stamp, events: [event] }) };
}

export { bookingUid } from './writer.ts';
/** "Add to Google Calendar" and "Outlook" links: built once, in the contract, for the server and the page. */
export { addToCalendarLinks } from '../../contract/calendar-links.ts';
