/**
 * "Add to calendar" links for one booking, built in one place for the manage view (server) and the confirmation
 * step (page). The `.ics` file itself is always the server's (`GET /api/bookings/:token/ics`), never built here.
 */

export interface CalendarEvent {
  start: Date | string;
  end: Date | string;
  title: string;
  description: string;
  location?: string | null;
}

/** UTC in the compact iCalendar form Google's `dates` parameter takes: `20261123T050000Z`. */
const compact = (d: Date | string) => new Date(d).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * Google Calendar's documented "add event" link (`render?action=TEMPLATE`).
 * @example googleCalendarUrl({ start: '2026-11-23T05:00:00Z', end: '2026-11-23T05:30:00Z', title: 'Intro call', description: '' })
 *   // 'https://calendar.google.com/calendar/render?action=TEMPLATE&text=Intro+call&dates=20261123T050000Z%2F20261123T053000Z&details='
 */
export function googleCalendarUrl(e: CalendarEvent): string {
  const q = new URLSearchParams({ action: 'TEMPLATE', text: e.title, dates: `${compact(e.start)}/${compact(e.end)}`, details: e.description });
  if (e.location) q.set('location', e.location);
  return `https://calendar.google.com/calendar/render?${q}`;
}

/** Outlook.com's "compose event" deep link. */
export function outlookCalendarUrl(e: CalendarEvent): string {
  const q = new URLSearchParams({
    path: '/calendar/action/compose',
    rru: 'addevent',
    subject: e.title,
    startdt: new Date(e.start).toISOString(),
    enddt: new Date(e.end).toISOString(),
    body: e.description,
  });
  if (e.location) q.set('location', e.location);
  return `https://outlook.live.com/calendar/0/deeplink/compose?${q}`;
}

/** Both links, as the manage view sends them. */
export function addToCalendarLinks(e: CalendarEvent): { google: string; outlook: string } {
  return { google: googleCalendarUrl(e), outlook: outlookCalendarUrl(e) };
}
