/**
 * Calendar and time-zone arithmetic for the browser, using only `Intl` (no luxon in the page bundle).
 * Dates are plain `YYYY-MM-DD` strings, months `YYYY-MM`; instants are epoch milliseconds or ISO strings.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(timeZone, format);
  }
  return format;
}

function wallClock(instant: number, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of partsFormat(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return out;
}

/** True when `timeZone` is an IANA zone this browser knows. @example isValidZone('Asia/Dubai') // true */
export function isValidZone(timeZone: string | null | undefined): timeZone is string {
  if (!timeZone) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Old names that ICU still reports as canonical (Chromium says "Asia/Calcutta" for a visitor in Kolkata)
 * mapped to the names people search for (IANA tzdata `backward` file).
 */
const MODERN_ZONES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Louisville': 'America/Kentucky/Louisville',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** The current name of a zone. @example modernZone('Asia/Calcutta') // 'Asia/Kolkata' */
export function modernZone(zone: string): string {
  const modern = MODERN_ZONES[zone];
  return modern && isValidZone(modern) ? modern : zone;
}

/** The browser's own zone (by its current name), or UTC when it cannot tell. */
export function browserZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return isValidZone(zone) ? modernZone(zone) : 'UTC';
}

/** True for a real calendar date in `YYYY-MM-DD` form. @example isDate('2026-02-30') // false */
export function isDate(value: string | null | undefined): value is string {
  const m = value ? DATE_RE.exec(value) : null;
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** True for a `YYYY-MM` month. */
export function isMonth(value: string | null | undefined): value is string {
  return !!value && isDate(`${value}-01`) && value.length === 7;
}


function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function fromUtcDate(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function utcDate(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/**
 * The calendar date of an instant in a zone.
 * @example dateInZone(Date.parse('2026-11-22T21:00:00Z'), 'Asia/Dubai') // '2026-11-23'
 */
export function dateInZone(instant: number, timeZone: string): string {
  const p = wallClock(instant, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** Offset of a zone from UTC at an instant, in milliseconds (Dubai → +4 h). */
export function zoneOffset(instant: number, timeZone: string): number {
  const p = wallClock(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local date begins in a zone (its midnight; the first instant after the gap on the rare days
 * whose midnight is skipped by a DST change).
 * @example startOfDay('2026-11-23', 'Asia/Dubai') // Date.parse('2026-11-22T20:00:00Z')
 */
export function startOfDay(date: string, timeZone: string): number {
  const wall = utcDate(date).getTime();
  let instant = wall - zoneOffset(wall, timeZone);
  instant = wall - zoneOffset(instant, timeZone);
  return dateInZone(instant, timeZone) < date ? instant + 3_600_000 : instant;
}

/** `date` plus `days` calendar days. @example addDays('2026-12-31', 1) // '2027-01-01' */
export function addDays(date: string, days: number): string {
  const d = utcDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  return fromUtcDate(d);
}

/** `month` plus `months` months. @example addMonths('2026-12', 1) // '2027-01' */
export function addMonths(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return fromUtcDate(d).slice(0, 7);
}

/** Number of days in a month. @example daysInMonth('2028-02') // 29 */
export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** ISO weekday of a date, 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  return utcDate(date).getUTCDay() || 7;
}

/** A date as a `Date` at UTC midnight, for formatting a calendar date with `timeZone: 'UTC'`. */
export function dateAsUtc(date: string): Date {
  return utcDate(date);
}

/**
 * First day of the week for a locale (1 = Monday … 7 = Sunday), from `Intl.Locale` week info when the engine
 * has it (https://tc39.es/proposal-intl-locale-info/), else Monday except for the United States.
 */
export function firstDayOfWeek(locale: string): number {
  try {
    const loc = new Intl.Locale(locale) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const info = loc.getWeekInfo?.() ?? loc.weekInfo;
    if (info?.firstDay) return info.firstDay;
    return loc.region === 'US' || !loc.region ? 7 : 1;
  } catch {
    return 1;
  }
}

/**
 * The weeks of a month as rows of dates (null for padding cells), starting on `firstDay`.
 * @example monthGrid('2026-11', 1)[0] // [null, null, null, null, null, null, '2026-11-01']
 */
export function monthGrid(month: string, firstDay: number): (string | null)[][] {
  const first = `${month}-01`;
  const lead = (isoWeekday(first) - firstDay + 7) % 7;
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let d = 1; d <= daysInMonth(month); d++) cells.push(`${month}-${pad(d)}`);
  while (cells.length % 7) cells.push(null);
  const rows: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(cells.slice(i, i + 7));
  return rows;
}
