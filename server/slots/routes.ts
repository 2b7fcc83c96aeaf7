import { Hono, type Context } from 'hono';
import { createHash } from 'node:crypto';
import { countByLocalDay } from '../availability/index.ts';
import { ResponseCache } from './cache.ts';
import { calendarHealth } from './calendar-busy.ts';
import type { CalendarsConfig } from '../config.ts';
import type { Db } from '../db/port.ts';
import { invalid, notFound } from '../http/problem.ts';
import { isTimeZone } from '../http/validate.ts';
import { loadProvider, type Provider, type ProviderService } from '../providers/public.ts';
import { offeredSlots } from './offered.ts';
import { readWindow } from './window.ts';
import type { SlotsResponse } from '../../contract/api.ts';

export type { SlotsResponse };

/**
 * `GET /api/providers/:slug/slots?service=&from=&to=&tz=` — free slot starts, counted per day
 * of the visitor's zone. Public and cacheable for a few seconds.
 *
 * @example
 * GET /api/providers/demo/slots?service=intro&from=2026-12-01&to=2026-12-07&tz=Europe/Berlin
 */
export function slotRoutes({ db, now = () => new Date(), cache = new ResponseCache<CachedSlots>(), calendars }: {
  db: Db;
  now?: () => Date;
  /** The secrets key and Google client calendar refreshes use (`config.calendars`). */
  calendars: CalendarsConfig;
  /** Recent answers by query; cleared by the app after every write. */
  cache?: ResponseCache<CachedSlots>;
}) {
  const app = new Hono();
  app.get('/api/providers/:slug/slots', async (c) => {
    const q = c.req.query();
    const key = JSON.stringify([c.req.param('slug'), q.service, q.from, q.to, q.tz]);
    const hit = cache.get(key) ?? (await answer(c, q, key));
    if (hit instanceof Response) return hit;
    const headers = { 'cache-control': 'public, max-age=15, stale-while-revalidate=30', etag: hit.etag };
    if (c.req.header('if-none-match') === hit.etag) return c.body(null, 304, headers);
    return c.body(hit.body as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  });

  async function answer(c: Context, q: Record<string, string>, key: string): Promise<CachedSlots | Response> {
    const provider = await loadProvider(db, c.req.param('slug') ?? '');
    if (!provider) return notFound(c, 'Provider');

    const zone = q.tz || provider.timezone;
    if (!isTimeZone(zone)) return invalid(c, [{ field: 'tz', message: 'must be an IANA time zone such as Asia/Dubai' }]);
    if (!q.service) return invalid(c, [{ field: 'service', message: 'is required' }]);
    const service = provider.services.find((s) => s.slug === q.service);
    if (!service) return notFound(c, 'Service');

    const window = readWindow(q.from, q.to, zone, now());
    if ('errors' in window) return invalid(c, window.errors);

    const response = await computeSlotsResponse(db, provider, service, window, zone, now(), calendars);
    // Kept encoded, so a cache hit writes bytes without serializing or encoding again.
    const body = new TextEncoder().encode(JSON.stringify(response));
    const entry = { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
    cache.set(key, entry);
    return entry;
  }
  return app;
}

export interface CachedSlots {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

/** The slots answer for one service and window: also the owner's preview (server/app-api/preview.ts). */
export async function computeSlotsResponse(
  db: Db,
  provider: Provider,
  service: ProviderService,
  window: { from: Date; to: Date },
  zone: string,
  at: Date,
  calendars: CalendarsConfig,
): Promise<SlotsResponse> {
  // Health first: it may fetch a calendar that has no data yet, and the slots must see that busy time.
  const health = await calendarHealth(db, provider.id, window, { calendars, at });
  const offered = health.hide ? [] : await offeredSlots(db, provider, service, window, at);
  return {
    timezone: zone,
    slots: offered,
    days: countByLocalDay(offered.map((s) => s.start), zone),
    calendar: { stale: health.stale, failing: health.failing },
  };
}
