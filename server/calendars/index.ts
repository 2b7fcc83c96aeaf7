/**
 * Calendar busy sources. One shared iCalendar expansion (`expandBusy`), one interface (`BusySource`), one file per
 * source (`caldav.ts`, `google.ts`, `microsoft.ts`, `ics-feed.ts`), the busy cache (`cache.ts`), connecting (`connect.ts`,
 * `connect-cli.ts`) and write-back of bookings (`write-back.ts`).
 */
export { expandBusy } from './expand.js';
export type { BusyInterval, BusyWindow, ExpandOptions } from './expand.js';
export type { BusySource, FetchWindow, SourceKind } from './source.js';
export { CalendarAuthError, CalendarSourceError, GoogleGrantRevokedError, describeSourceError } from './source.js';
export { getCachedBusy, getCalendarHealth, pendingRefresh, refreshIfStale } from './cache.js';
export type { CachedBusy, CalendarCacheOptions, RefreshReport } from './cache.js';
export { CALENDAR_COMMANDS, calendarUsage, runCalendarCommand } from './connect-cli.js';
export { completeGoogleConnect, connectCalDav, connectGoogle, connectIcs, disconnectCalendar } from './connect.js';
export { syncBookingToCalendars } from './write-back.js';
export type { BookingEvent, WriteBackReport } from './write-back.js';
