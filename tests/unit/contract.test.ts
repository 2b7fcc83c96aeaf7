import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import fc from 'fast-check';
import type { BookingResponse, Next, SlotsResponse } from '../../contract/api';
import { bookingResponseSchema, slotsResponseSchema } from '../../contract/api';
import { addToCalendarLinks, googleCalendarUrl } from '../../contract/calendar-links';
import { validOrigin, type EmbedEvents, type HostEvents } from '../../contract/embed';
import { isSlug, looksLikeToken, parseInstant, PHONE_PATTERN, SLUG_PATTERN } from '../../contract/rules';
import { newManageToken } from '../../server/bookings/tokens';

/**
 * Issue 11: one contract between server, pages and widget. These tests pin the drifts that were bugs, the shared
 * rules, and the boundaries (no server import of page or widget source; zod never in the browser bundle).
 */

/** `git …` output; `git grep` finding nothing (exit 1) is an empty answer, not an error. */
function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' });
  } catch (error) {
    if ((error as { status?: number }).status === 1) return '';
    throw error;
  }
}

describe('the API types the page reads', () => {
  it('Next is confirmed or payment: the server never answers a `whatsapp` next step', () => {
    expectTypeOf<Next['type']>().toEqualTypeOf<'confirmed' | 'payment'>();
    const base = {
      booking: { id: 'b', status: 'confirmed', start: 's', end: 'e', provider: 'p', service: 'x', holdExpiresAt: null },
      manageUrl: 'u', icsUrl: 'i', whatsappUrl: null,
    };
    expect(bookingResponseSchema.safeParse({ ...base, next: { type: 'confirmed' } }).success).toBe(true);
    expect(bookingResponseSchema.safeParse({ ...base, next: { type: 'whatsapp', url: 'https://wa.me/1' } }).success).toBe(false);
  });

  it('a booking answer carries the server’s .ics link and no `calendarLinks` the server never sent', () => {
    expectTypeOf<BookingResponse>().toHaveProperty('icsUrl').toEqualTypeOf<string>();
    expectTypeOf<BookingResponse>().not.toHaveProperty('calendarLinks');
  });

  it('the slots answer includes the calendar health the page used to drop', () => {
    expectTypeOf<SlotsResponse['calendar']>().toEqualTypeOf<{ stale: boolean; failing: boolean }>();
    expect(slotsResponseSchema.safeParse({ timezone: 'UTC', slots: [], days: {} }).success).toBe(false);
  });
});

describe('shared rules', () => {
  it('a manage token is exactly what the server hands out: 43 base64url characters', () => {
    for (let i = 0; i < 20; i++) expect(looksLikeToken(newManageToken())).toBe(true);
    expect(looksLikeToken('T'.repeat(43))).toBe(true);
    expect(looksLikeToken('T'.repeat(42))).toBe(false);
    expect(looksLikeToken('T'.repeat(44))).toBe(false);
    // The page route used to accept 16–128 word characters.
    expect(looksLikeToken('a'.repeat(16))).toBe(false);
    expect(looksLikeToken(`${'T'.repeat(42)}.`)).toBe(false);
  });

  it('slugs: lowercase letters, digits and dashes, 1–63 characters, not starting with a dash', () => {
    expect(isSlug('kim-lindberg')).toBe(true);
    expect(isSlug('a'.repeat(63))).toBe(true);
    expect(isSlug('a'.repeat(64))).toBe(false);
    expect(isSlug('-kim')).toBe(false);
    expect(isSlug('Kim')).toBe(false);
    expect(isSlug('')).toBe(false);
  });

  it('SQL keeps its own slug check, with the same pattern', () => {
    const sql = git('grep', '-hF', 'public_slug ~', '--', 'supabase/migrations');
    expect(sql).toContain(`'${SLUG_PATTERN.source}'`);
  });

  it('phones as visitors type them', () => {
    expect(PHONE_PATTERN.test('+971 50 123 4567')).toBe(true);
    expect(PHONE_PATTERN.test('050 (123) 45-67')).toBe(true);
    expect(PHONE_PATTERN.test('12345')).toBe(false);
    expect(PHONE_PATTERN.test('call me')).toBe(false);
  });

  it('instants need an explicit offset, and every accepted one round-trips', () => {
    expect(parseInstant('2026-12-01T09:00:00+04:00')?.toISOString()).toBe('2026-12-01T05:00:00.000Z');
    expect(parseInstant('2026-12-01T09:00')).toBeNull();
    expect(parseInstant('2026-12-01')).toBeNull();
    expect(parseInstant('2300-01-01T00:00:00Z')).toBeNull();
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        expect(parseInstant(d.toISOString())?.getTime()).toBe(d.getTime());
      }),
    );
  });

  it('embed origins are exact http(s) origins, never "*"', () => {
    expect(validOrigin('https://kim.example/')).toBe('https://kim.example');
    expect(validOrigin('*')).toBeNull();
    expect(validOrigin('javascript:alert(1)')).toBeNull();
    expect(validOrigin('https://kim.example/path')).toBeNull();
  });

  it('the host hears every page event except close, plus the loader’s own', () => {
    expectTypeOf<keyof HostEvents>().toEqualTypeOf<Exclude<keyof EmbedEvents, 'close'> | 'loaded' | 'closed'>();
  });
});

describe('calendar links (built once, for the manage view and the confirmation step)', () => {
  const event = { start: '2026-11-23T05:00:00Z', end: '2026-11-23T05:30:00Z', title: 'Intro call', description: 'Manage: https://x.test/b/t' };

  it('Google: the documented TEMPLATE link in UTC', () => {
    const url = new URL(googleCalendarUrl(event));
    expect(url.origin + url.pathname).toBe('https://calendar.google.com/calendar/render');
    expect(url.searchParams.get('action')).toBe('TEMPLATE');
    expect(url.searchParams.get('dates')).toBe('20261123T050000Z/20261123T053000Z');
    expect(url.searchParams.get('text')).toBe('Intro call');
    expect(url.searchParams.get('details')).toBe('Manage: https://x.test/b/t');
    expect(url.searchParams.has('location')).toBe(false);
  });

  it('takes Dates or strings alike, and adds the location when there is one', () => {
    const fromDates = addToCalendarLinks({ ...event, start: new Date(event.start), end: new Date(event.end), location: 'Studio 4' });
    const fromStrings = addToCalendarLinks({ ...event, location: 'Studio 4' });
    expect(fromDates).toEqual(fromStrings);
    expect(new URL(fromDates.outlook).searchParams.get('startdt')).toBe('2026-11-23T05:00:00.000Z');
    expect(new URL(fromDates.google).searchParams.get('location')).toBe('Studio 4');
  });

  it('the server and the page use this builder, and nothing else writes a Google Calendar link', () => {
    const hits = git('grep', '-l', 'calendar.google.com/calendar/render', '--', 'server', 'pages', 'contract', 'widget').trim().split('\n');
    expect(hits).toEqual(['contract/calendar-links.ts']);
    expect(git('grep', '-l', 'BEGIN:VCALENDAR', '--', 'pages', 'contract', 'widget').trim()).toBe('');
  });
});

describe('boundaries', () => {
  it('server/ imports nothing from pages/ or widget/, and never vite at run time', () => {
    const foreign: string[] = [];
    for (const file of git('ls-files', 'server').trim().split('\n').filter((f) => /\.tsx?$/.test(f))) {
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g)) {
        const target = spec.startsWith('.') ? relative('.', resolve(dirname(file), spec)) : spec;
        if (/^(pages|widget)\//.test(target) || /^vite(\/|$)/.test(target)) foreign.push(`${file}: ${spec}`);
      }
    }
    expect(foreign).toEqual([]);
  });

  it('the browser imports contract/api.ts and contract/app-api.ts for types only (zod stays out of the page, app and widget bundles)', () => {
    const files = git('ls-files', 'pages', 'widget').trim().split('\n').filter((f) => /\.tsx?$/.test(f));
    const offenders = files.filter((f) =>
      /^import\s+(?!type\b)[^;]*from\s+'[./]*contract\/(app-)?api'/m.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
    const widget = git('ls-files', 'widget/src').trim().split('\n');
    for (const f of widget) expect(readFileSync(f, 'utf8')).not.toMatch(/^import\s+(?!type\b)[^;]*contract\//m);
  });
});
