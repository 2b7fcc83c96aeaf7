/**
 * Milliseconds in a minute, an hour and a (UTC, 24-hour) day: the one definition the whole server uses.
 * A "day" here is 24 hours of UTC time; a local calendar day (23 or 25 hours across DST) is the availability
 * engine's business (`server/availability/local-day.ts`), never this constant.
 */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
