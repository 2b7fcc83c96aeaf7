import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/session.ts';
import { invalid, notFound } from '../http/problem.ts';
import { ownerProvider } from '../providers/owner.ts';
import { computeSlotsResponse } from '../slots/routes.ts';
import { readWindow } from '../slots/window.ts';
import { owner } from './errors.ts';
import type { OwnerDeps } from './routes.ts';
import { readQuery } from './routes.ts';
import { uuid } from './schemas.ts';
import type { FreeTimesPreview } from '../../contract/app-api.ts';

const NO_STORE = { 'cache-control': 'no-store' };
/** How far the preview looks ahead: "what visitors see next week". */
export const PREVIEW_DAYS = 7;

const previewQuery = z.object({
  serviceId: z.string().regex(uuid, 'must be a service id').optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-12-01').optional(),
});

/** `YYYY-MM-DD` plus `n` days (calendar arithmetic in UTC, no zone involved). */
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * `GET …/preview?serviceId=&from=`: the free times of the next 7 days as a visitor would see them — the public slots
 * API's own code (`computeSlotsResponse`: calendar health, busy time, the engine), in the provider's zone — but for
 * the owner, so it works while the page is not public and shows hidden services too. Another provider's id: 404.
 */
export function previewRoutes(app: Hono<AppEnv>, { db, config, now }: OwnerDeps) {
  app.get('/api/app/providers/:providerId/preview', async (c) => {
    const q = readQuery(c, previewQuery);
    if (!q.ok) return q.response;
    return owner(c, async () => {
      const userId = c.get('user').id;
      const providerId = c.req.param('providerId') as string;
      const provider = await ownerProvider(db, userId, providerId, { includeHidden: true });
      const service = q.value.serviceId ? provider.services.find((s) => s.id === q.value.serviceId) : provider.services[0];
      if (!service) return notFound(c, 'Service');
      const zone = provider.settings.workingHours?.timezone ?? provider.timezone;
      const window = q.value.from
        ? readWindow(q.value.from, plusDays(q.value.from, PREVIEW_DAYS - 1), zone, now())
        : readWindow(undefined, new Date(now().getTime() + PREVIEW_DAYS * 86_400_000).toISOString(), zone, now());
      if ('errors' in window) return invalid(c, window.errors);
      const slots = await computeSlotsResponse(db, provider, service, window, zone, now(), config.calendars);
      const body: FreeTimesPreview = {
        ...slots, serviceId: service.id, from: window.from.toISOString(), to: window.to.toISOString(),
      };
      return c.json(body, 200, NO_STORE);
    });
  });
}
