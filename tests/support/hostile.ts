/**
 * fast-check building blocks for hostile input: strings that break parsers, templates and SQL,
 * values of the wrong type, odd instants and time zones, raw bytes that are not UTF-8.
 */
import fc from 'fast-check';

/** Payloads that have broken real systems (XSS, SQL, template and path tricks, odd Unicode). */
export const PAYLOADS = [
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '</script><script>alert(1)</script>',
  'javascript:alert(1)', "'; drop table bookings; --", "' or '1'='1", '1; select pg_sleep(10)', '\\x00',
  '\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '🙂🙂🙂', 'ﷺ', 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇', '../../../etc/passwd', '..%2f..%2fpackage.json',
  '%00', '%', '%zz', '${7*7}', '{{7*7}}', '#{7*7}', 'null', 'undefined', 'NaN', 'Infinity', '-1', '1e309',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '\r\nSet-Cookie: x=1', ' ', '',
];

/** Any string: short random, full-range Unicode (lone surrogates included), payloads, or long. */
export const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...PAYLOADS) },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 3000 }) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(20_000), '🙂'.repeat(5_000)) },
);

/** A value of any JSON type, often the wrong one. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  anyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'a', 'provider'), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
);

/** Real instants at the edges of what dates can express (years 0000–0002 and 9998–9999), with offsets. */
export const edgeInstant = fc.record({
  year: fc.constantFrom('0000', '0001', '0002', '9998', '9999'),
  month: fc.constantFrom('01', '02', '12'),
  day: fc.constantFrom('01', '28', '31'),
  offset: fc.constantFrom('Z', '+14:00', '-12:00', '+00:00', ''),
  dateOnly: fc.boolean(),
}).map(({ year, month, day, offset, dateOnly }) => (dateOnly ? `${year}-${month}-${day}` : `${year}-${month}-${day}T00:30:00${offset}`));

/** Instants in every shape: real ones with any offset, impossible dates, far years, no offset, junk. */
export const oddInstant = fc.oneof(
  edgeInstant,
  fc.constantFrom(
    '2026-02-30T10:00:00Z', '2026-02-29T10:00:00Z', '2028-02-29T10:00:00Z', '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z',
    '2026-03-29T02:30:00+01:00', '2026-11-01T01:30:00-04:00', '2026-12-01T09:00:00+14:00', '2026-12-01T09:00:00-12:00',
    '2026-12-01T09:00:00+2400', '2026-12-01T09:00:00+99:99', '2026-12-01T09:00:60Z', '2026-12-01T24:00:00Z',
    '2026-12-01T09:00', '2026-12-01', '0000-01-01', '9999-12-31', '1970-01-01T00:00:00Z', '2026-12-01T09:00:00.123456789Z',
    '2026-13-01', '2026-00-10', '20261201T090000Z', 'now', '', ' ', '1764579600', '2038-01-19T03:14:08Z',
  ),
  fc.record({
    date: fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }),
    offset: fc.integer({ min: -26 * 60, max: 26 * 60 }),
    style: fc.constantFrom('iso', 'offset', 'date'),
  }).map(({ date, offset, style }) => {
    const iso = date.toISOString();
    if (style === 'iso') return iso;
    if (style === 'date') return iso.slice(0, 10);
    const sign = offset < 0 ? '-' : '+';
    const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
    const mm = String(Math.abs(offset) % 60).padStart(2, '0');
    return `${iso.slice(0, 19)}${sign}${hh}:${mm}`;
  }),
  anyString,
);

/** IANA zones with odd offsets and DST rules, legacy names, and things that are not zones at all. */
export const oddZone = fc.oneof(
  fc.constantFrom(
    'UTC', 'utc', 'Etc/UTC', 'Etc/GMT+12', 'Etc/GMT-14', 'Pacific/Kiritimati', 'Pacific/Chatham', 'America/St_Johns',
    'Asia/Kathmandu', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Antarctica/Troll', 'America/Sao_Paulo', 'Asia/Dubai',
    'Europe/Berlin', 'EST5EDT', 'US/Eastern', 'Mars/Olympus_Mons', '+05:30', 'GMT+5', 'Europe/Berlin\u0000',
    'Europe/../../etc/passwd', 'Europe/berlin', 'europe/berlin', 'America/Argentina/ComodRivadavia', 'Factory', '',
  ),
  anyString,
);

/** Bytes that are not valid UTF-8 (lone continuation bytes, overlongs, surrogates, truncated sequences). */
export const invalidUtf8 = fc.oneof(
  fc.constantFrom(
    [0xff], [0xfe, 0xff], [0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0x28],
    [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x00],
  ).map((b) => Uint8Array.from(b)),
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
);

/** Header values a client can send (Latin-1, no CR/LF/NUL). */
export const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((n) => String.fromCharCode(n)), maxLength: 60 }),
  fc.constantFrom(...PAYLOADS.filter((p) => /^[\x20-\xff]*$/.test(p))),
  fc.constant('a'.repeat(8000)),
);

/** Percent-encodes a string for a path segment; raw junk (`%zz`) passes through as it would on the wire. */
export function segment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[^\x21-\x7e]/g, '%ff');
  }
}
