/**
 * Calendar busy sources: the shared iCalendar expansion and the busy-source interface.
 * Each source lives in its own file (`caldav.ts`, `google.ts`, `ics-feed.ts`); the cache in `cache.ts`.
 */
export { expandBusy } from './expand.js';
export type { BusyInterval, BusyWindow, ExpandOptions } from './expand.js';
