import { getCalendarHealth, refreshIfStale } from '../calendars/cache.ts';
import type { CalendarsConfig } from '../config.ts';
import type { Db } from '../db/port.ts';
import { DAY } from '../time/units.ts';

export interface CalendarHealth {
  /** Some calendar data is older than it should be (a refresh is under way). */
  stale: boolean;
  /** A connected calendar's last refresh failed. */
  failing: boolean;
  /** Offer nothing in this window: a calendar has no usable data and the provider chose "hide". */
  hide: boolean;
}

/**
 * The state of a provider's external calendars around a window. The busy intervals themselves
 * reach the engine through `get_busy` (the cache table); this says whether to trust them.
 * The slots path never waits on a slow calendar (stale-while-revalidate); the booking path
 * refreshes stale data first (`forBooking`). Refreshes decrypt with `calendars` (the app's config).
 */
export async function calendarHealth(
  db: Db,
  providerId: string,
  window: { from: Date; to: Date },
  /** `at`: the instant slots are offered from (the app's clock), which decides what part of the window needs data. */
  options: { forBooking?: boolean; calendars: CalendarsConfig; at?: Date },
): Promise<CalendarHealth> {
  const around = { from: new Date(window.from.getTime() - DAY), to: new Date(window.to.getTime() + DAY) };
  const at = options.at;
  if (options.forBooking) await refreshIfStale(db, providerId, { ...options.calendars, window: around, at });
  // Health only: the intervals come from get_busy, so the cache's busy rows are not read here.
  const health = await getCalendarHealth(db, providerId, around, { ...options.calendars, at });
  return { stale: health.stale, failing: health.failing.length > 0, hide: health.hideWindow };
}
