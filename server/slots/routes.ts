import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { compactByLocalDay, countByLocalDay } from '../availability/index.ts';
import { ResponseCache } from './cache.ts';
import { calendarHealth } from './calendar-busy.ts';
import type { CalendarsConfig } from '../config.ts';
import type { Db } from '../db/port.ts';
import { encodeBody, sendEncoded, type EncodedBody } from '../http/encoded.ts';
import { invalid, notFound } from '../http/problem.ts';
import { securityHeaderValues } from '../http/security.ts';
import { isTimeZone } from '../http/validate.ts';
import { loadProvider, type Provider, type ProviderService } from '../providers/public.ts';
import { offeredSlots } from './offered.ts';
import { readWindow } from './window.ts';
import type { CompactSlotsResponse, Slot, SlotsResponse } from '../../contract/api.ts';

export type { CompactSlotsResponse, SlotsResponse };

const CACHE_CONTROL = { 'cache-control': 'public, max-age=15, stale-while-revalidate=30' };
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `GET /api/providers/:slug/slots?service=&from=&to=&tz=` — free slots as `{start, end}` pairs counted per day of the
 * visitor's zone (v1, documented for API clients), and `GET /api/v2/providers/:slug/slots` (same query, same
 * problems) — the same free times compact: per local day its start and minute offsets (`compactSlotsResponseSchema`),
 * what the booking page reads. Both come from one computation (`computeOffered`); public and cacheable for a few
 * seconds, kept encoded and precompressed (gzip, brotli).
 *
 * @example
 * GET /api/v2/providers/demo/slots?service=intro&from=2026-12-01&to=2026-12-31&tz=Europe/Berlin
 */
export function slotRoutes({ db, now = () => new Date(), cache = new ResponseCache<CachedSlots>(), calendars }: {
  db: Db;
  now?: () => Date;
  /** The secrets key and Google client calendar refreshes use (`config.calendars`). */
  calendars: CalendarsConfig;
  /** Recent answers by URL; cleared by the app after every write. */
  cache?: ResponseCache<CachedSlots>;
}) {
  const app = new Hono();
  const route = (shape: 'v1' | 'v2') => (c: Context) => {
    const key = slotsCacheKey(c);
    const hit = cache.get(key);
    // A hit answers synchronously: no promise on the path most requests take.
    if (hit) return sendEncoded(c, hit, JSON_TYPE, CACHE_CONTROL);
    return answer(c, shape, key).then((made) => (made instanceof Response ? made : sendEncoded(c, made, JSON_TYPE, CACHE_CONTROL)));
  };
  app.get('/api/providers/:slug/slots', route('v1'));
  app.get('/api/v2/providers/:slug/slots', route('v2'));

  async function answer(c: Context, shape: 'v1' | 'v2', key: string): Promise<CachedSlots | Response> {
    const since = cache.generation;
    const q = c.req.query();
    const provider = await loadProvider(db, c.req.param('slug') ?? '');
    if (!provider) return notFound(c, 'Provider');

    const zone = q.tz || provider.timezone;
    if (!isTimeZone(zone)) return invalid(c, [{ field: 'tz', message: 'must be an IANA time zone such as Asia/Dubai' }]);
    if (!q.service) return invalid(c, [{ field: 'service', message: 'is required' }]);
    const service = provider.services.find((s) => s.slug === q.service);
    if (!service) return notFound(c, 'Service');

    const window = readWindow(q.from, q.to, zone, now());
    if ('errors' in window) return invalid(c, window.errors);

    const offered = await computeOffered(db, provider, service, window, zone, now(), calendars);
    // Kept encoded, so a cache hit writes bytes without serializing, encoding or compressing again.
    const entry = encodeBody(JSON.stringify(shape === 'v1' ? slotsResponse(offered) : compactSlotsResponse(offered)));
    cache.set(key, entry, since);
    return entry;
  }
  return app;
}

export type CachedSlots = EncodedBody;

/** The path and query as sent: the answer depends on nothing else (the shape is in the path). */
function slotsCacheKey(c: Context): string {
  const url = c.req.url;
  return url.slice(url.indexOf('/', url.indexOf('//') + 2));
}

/**
 * Cached slots answers served ahead of every middleware: `createApp` registers this for both slots URLs before
 * `securityHeaders`, so a hit is one Map lookup and one response with a plain header object (the security headers
 * included, the same values). A profile of the cached path showed Hono's per-request `Headers` objects (the
 * middleware's `c.header` calls, then reading them back) as the main cost next to the socket. A miss goes on through
 * the usual chain to the route.
 */
export function cachedSlots(cache: ResponseCache<CachedSlots>, trustProxy: boolean | number): MiddlewareHandler {
  // The headers every hit shares, merged once per set of security headers (with or without HSTS).
  const merged = new Map<Readonly<Record<string, string>>, Record<string, string>>();
  return (c, next) => {
    const hit = cache.get(slotsCacheKey(c));
    if (!hit) return next();
    const security = securityHeaderValues(c, trustProxy);
    let headers = merged.get(security);
    if (!headers) merged.set(security, (headers = { ...CACHE_CONTROL, ...security }));
    return Promise.resolve(sendEncoded(c, hit, JSON_TYPE, headers));
  };
}

/** The free slots of one service and window, in the zone they are grouped by, with the calendars' health. */
export interface Offered {
  zone: string;
  durationMinutes: number;
  slots: Slot[];
  calendar: { stale: boolean; failing: boolean };
}

/** The one computation behind both shapes: calendar health first, then the engine over busy time. */
export async function computeOffered(
  db: Db,
  provider: Provider,
  service: ProviderService,
  window: { from: Date; to: Date },
  zone: string,
  at: Date,
  calendars: CalendarsConfig,
): Promise<Offered> {
  // Health first: it may fetch a calendar that has no data yet, and the slots must see that busy time.
  const health = await calendarHealth(db, provider.id, window, { calendars, at });
  const slots = health.hide ? [] : await offeredSlots(db, provider, service, window, at);
  return { zone, durationMinutes: service.durationMinutes, slots, calendar: { stale: health.stale, failing: health.failing } };
}

/** v1: `{start, end}` pairs and counts per local day. */
export function slotsResponse(o: Offered): SlotsResponse {
  return { timezone: o.zone, slots: o.slots, days: countByLocalDay(o.slots.map((s) => s.start), o.zone), calendar: o.calendar };
}

/** v2: per local day its first instant and the starts as minutes from it; the duration once. */
export function compactSlotsResponse(o: Offered): CompactSlotsResponse {
  return {
    timezone: o.zone,
    durationMinutes: o.durationMinutes,
    days: compactByLocalDay(o.slots.map((s) => s.start), o.zone),
    calendar: o.calendar,
  };
}

/** The v1 answer for one service and window: also the owner's preview (server/app-api/preview.ts). */
export async function computeSlotsResponse(...args: Parameters<typeof computeOffered>): Promise<SlotsResponse> {
  return slotsResponse(await computeOffered(...args));
}
