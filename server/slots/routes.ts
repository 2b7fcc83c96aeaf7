import { Hono } from 'hono';
import { etag } from 'hono/etag';
import { localDayOf } from '../availability/index.ts';
import type { Db } from '../db/port.ts';
import { invalid, notFound } from '../http/problem.ts';
import { isTimeZone } from '../http/validate.ts';
import { loadProvider } from '../providers/public.ts';
import { offeredSlots } from './offered.ts';
import { readWindow } from './window.ts';

export interface SlotsResponse {
  timezone: string;
  slots: { start: string; end: string }[];
  days: Record<string, number>;
}

/**
 * `GET /api/providers/:slug/slots?service=&from=&to=&tz=` — free slot starts, counted per day
 * of the visitor's zone. Public and cacheable for a few seconds.
 *
 * @example
 * GET /api/providers/demo/slots?service=intro&from=2026-12-01&to=2026-12-07&tz=Europe/Berlin
 */
export function slotRoutes({ db, now = () => new Date() }: { db: Db; now?: () => Date }) {
  const app = new Hono();
  app.get('/api/providers/:slug/slots', etag(), async (c) => {
    const q = c.req.query();
    const provider = await loadProvider(db, c.req.param('slug'));
    if (!provider) return notFound(c, 'Provider');

    const zone = q.tz || provider.timezone;
    if (!isTimeZone(zone)) return invalid(c, [{ field: 'tz', message: 'must be an IANA time zone such as Asia/Dubai' }]);
    if (!q.service) return invalid(c, [{ field: 'service', message: 'is required' }]);
    const service = provider.services.find((s) => s.slug === q.service);
    if (!service) return notFound(c, 'Service');

    const window = readWindow(q.from, q.to, zone, now());
    if ('errors' in window) return invalid(c, window.errors);

    const response = await computeSlotsResponse(db, provider, service, window, zone, now());
    c.header('cache-control', 'public, max-age=15, stale-while-revalidate=30');
    return c.json(response);
  });
  return app;
}

export async function computeSlotsResponse(
  db: Db,
  provider: NonNullable<Awaited<ReturnType<typeof loadProvider>>>,
  service: { id: string } & Parameters<typeof offeredSlots>[2],
  window: { from: Date; to: Date },
  zone: string,
  at: Date,
): Promise<SlotsResponse> {
  const slots = await offeredSlots(db, provider, service, window, at);
  const days: Record<string, number> = {};
  for (const slot of slots) {
    const day = localDayOf(slot.start, zone);
    days[day] = (days[day] ?? 0) + 1;
  }
  return { timezone: zone, slots, days };
}
