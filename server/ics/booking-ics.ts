import ical, { ICalAlarmType, ICalAttendeeRole, ICalAttendeeStatus, ICalEventStatus } from 'ical-generator';

export interface IcsBooking {
  id: string;
  start: Date;
  end: Date;
  title: string;
  description: string;
  location?: string | null;
  url?: string | null;
  organizer: { name: string; email?: string | null };
  attendee?: { name: string; email?: string | null } | null;
  cancelled?: boolean;
}

/** A parameter value (CN) per RFC 6868: ical-generator would write '"' as '\\"', which RFC 5545 forbids. */
export const icsParam = (text: string) => text.replace(/\^/g, '^^').replace(/"/g, "^'").replace(/\r\n|\r|\n/g, '^n');

/** A stable UID per booking, so calendar apps update rather than duplicate it. */
export const bookingUid = (id: string) => `${id}@slotline`;

/** Adds one booking as a VEVENT (UTC times, organizer, attendee, reminder 30 minutes before). */
function addEvent(calendar: ReturnType<typeof ical>, b: IcsBooking) {
  const event = calendar.createEvent({
    id: bookingUid(b.id),
    start: b.start,
    end: b.end,
    summary: b.title,
    description: b.description,
    location: b.location ?? undefined,
    url: b.url ?? undefined,
    status: b.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: icsParam(b.organizer.name), email: b.organizer.email || 'no-reply@slotline.invalid' },
  });
  if (b.attendee?.email) {
    event.createAttendee({
      name: icsParam(b.attendee.name || b.attendee.email),
      email: b.attendee.email,
      role: ICalAttendeeRole.REQ,
      status: ICalAttendeeStatus.ACCEPTED,
    });
  }
  event.createAlarm({ type: ICalAlarmType.display, trigger: 30 * 60, description: b.title });
}

/**
 * An iCalendar file (RFC 5545) for one booking or a feed of many, made with ical-generator.
 *
 * @example bookingIcs([{ id, start, end, title: 'Intro call', … }], 'Slotline booking')
 */
export function bookingIcs(bookings: IcsBooking[], name: string): string {
  const calendar = ical({ name, prodId: { company: 'Slotline', product: 'Slotline', language: 'EN' } });
  for (const b of bookings) addEvent(calendar, b);
  return calendar.toString();
}

/** "Add to Google Calendar" and "Outlook" links: built once, in the contract, for the server and the page. */
export { addToCalendarLinks } from '../../contract/calendar-links.ts';
