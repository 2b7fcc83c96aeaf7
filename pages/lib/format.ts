import type { Service } from '../../contract/api';
import { dateAsUtc } from './time';

/**
 * Display formatting with `Intl` only. Every function takes the locale explicitly so a test can render
 * English and Arabic side by side; formatters are cached because the calendar formats dozens of labels.
 */

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dtf(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

function nf(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

/** Whether a locale writes times on a 12-hour clock. @example uses12Hour('en-US') // true */
export function uses12Hour(locale: string): boolean {
  const cycle = dtf(locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
  return cycle === 'h11' || cycle === 'h12';
}

/** Time of day of an instant in a zone. @example formatTime(t, 'en', 'Asia/Dubai', true) // '9:30 AM' */
export function formatTime(instant: number, locale: string, timeZone: string, hour12: boolean): string {
  return dtf(locale, { timeZone, hour: 'numeric', minute: '2-digit', hourCycle: hour12 ? 'h12' : 'h23' }).format(instant);
}

/** A calendar date written out in full. @example formatDate('2026-11-23', 'en') // 'Monday, November 23, 2026' */
export function formatDate(date: string, locale: string): string {
  return dtf(locale, { timeZone: 'UTC', dateStyle: 'full' }).format(dateAsUtc(date));
}

/** A calendar date, short, for headings. @example formatDateShort('2026-11-23', 'en') // 'Mon, Nov 23' */
export function formatDateShort(date: string, locale: string): string {
  return dtf(locale, { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }).format(dateAsUtc(date));
}

/** Month and year. @example formatMonth('2026-11', 'en') // 'November 2026' */
export function formatMonth(month: string, locale: string): string {
  return dtf(locale, { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(dateAsUtc(`${month}-01`));
}

/** Day-of-month number in the locale's digits. @example formatDayNumber('2026-11-05', 'ar-u-nu-arab') // '٥' */
export function formatDayNumber(date: string, locale: string): string {
  return dtf(locale, { timeZone: 'UTC', day: 'numeric' }).format(dateAsUtc(date));
}

/**
 * Weekday names for ISO weekdays 1…7, `[column header, full name]`. Where the locale's short names are whole
 * words (Arabic), the narrow form keeps seven columns readable at 360 px.
 * @example weekdayNames('en', 1) // ['Mon', 'Monday']
 */
export function weekdayNames(locale: string, isoDay: number): [string, string] {
  // 2024-01-01 was a Monday, so day N of that week is ISO weekday N.
  const day = (n: number) => dateAsUtc(`2024-01-0${n}`);
  const short = dtf(locale, { timeZone: 'UTC', weekday: 'short' });
  const tooLong = [1, 2, 3, 4, 5, 6, 7].some((n) => short.format(day(n)).length > 4);
  const header = tooLong ? dtf(locale, { timeZone: 'UTC', weekday: 'narrow' }) : short;
  return [header.format(day(isoDay)), dtf(locale, { timeZone: 'UTC', weekday: 'long' }).format(day(isoDay))];
}

/**
 * Date and time of an instant in a zone, in full, for labels and confirmations.
 * @example formatDateTime(t, 'en', 'Asia/Dubai', true) // 'Monday, November 23, 2026 at 9:30 AM'
 */
export function formatDateTime(instant: number, locale: string, timeZone: string, hour12: boolean): string {
  return dtf(locale, {
    timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
    hourCycle: hour12 ? 'h12' : 'h23',
  }).format(instant);
}

/**
 * A zone's name for people, with its current offset.
 * @example zoneName('Asia/Dubai', 'en', now) // 'Gulf Standard Time (GMT+4)'
 */
export function zoneName(timeZone: string, locale: string, instant: number): string {
  const part = (style: 'long' | 'shortOffset') =>
    dtf(locale, { timeZone, timeZoneName: style })
      .formatToParts(instant)
      .find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  const long = part('long');
  const offset = part('shortOffset');
  return long === offset ? long : `${long} (${offset})`;
}

/** A zone id as a city name, for the zone picker. @example zoneCity('America/New_York') // 'America / New York' */
export function zoneCity(timeZone: string): string {
  return timeZone.replace(/_/g, ' ').replace(/\//g, ' / ');
}

/** A price in minor units. @example formatPrice(15000, 'AED', 'en') // 'AED 150.00' */
export function formatPrice(cents: number, currency: string, locale: string): string {
  try {
    const digits = nf('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    return nf(locale, { style: 'currency', currency }).format(cents / 10 ** digits);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/** A duration in minutes, as hours when whole. @example formatDuration(60, 'en') // '1 hour' */
export function formatDuration(minutes: number, locale: string): string {
  const hours = minutes % 60 === 0 && minutes >= 60;
  return nf(locale, { style: 'unit', unit: hours ? 'hour' : 'minute', unitDisplay: 'long' }).format(
    hours ? minutes / 60 : minutes,
  );
}

/** A count in the locale's digits. */
/** Price and duration of a service, e.g. "30 minutes · Free". */
export function serviceMeta(service: Service, locale: string, free: string): string {
  const price = service.priceCents > 0 ? formatPrice(service.priceCents, service.currency, locale) : free;
  return `${formatDuration(service.durationMinutes, locale)} · ${price}`;
}

export function formatNumber(n: number, locale: string): string {
  return nf(locale, {}).format(n);
}
