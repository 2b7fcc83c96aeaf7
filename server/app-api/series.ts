import type { Context, Hono } from 'hono';
import type { AppEnv } from '../auth/session.ts';
import { notFound } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { owner } from './errors.ts';
import type { OwnerDeps } from './routes.ts';
import { uuid } from './schemas.ts';
import { serviceSeriesSchema } from '../../contract/app-api.ts';

/** `GET` / `PUT /api/app/providers/:providerId/services/:serviceId/series` (app_service_series, owner-checked). */
export function serviceSeriesRoutes(app: Hono<AppEnv>, { db }: OwnerDeps): void {
  const path = '/api/app/providers/:providerId/services/:serviceId/series';
  const ids = (c: Context<AppEnv>) => ({ p_user_id: c.get('user').id, p_provider_id: c.req.param('providerId') as string, p_service_id: c.req.param('serviceId') as string });
  app.get(path, (c) => {
    if (!uuid.test(c.req.param('serviceId') ?? '')) return notFound(c, 'Service');
    return owner(c, async () => c.json(await db.rpc('app_service_series', {
      ...ids(c), p_set: false, p_max_occurrences: null, p_max_interval_weeks: null,
    }), 200, { 'cache-control': 'no-store' }));
  });
  app.put(path, async (c) => {
    if (!uuid.test(c.req.param('serviceId') ?? '')) return notFound(c, 'Service');
    const parsed = await readJson(c, serviceSeriesSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => c.json(await db.rpc('app_service_series', {
      ...ids(c), p_set: true, p_max_occurrences: parsed.value.maxOccurrences, p_max_interval_weeks: parsed.value.maxIntervalWeeks,
    }), 200, { 'cache-control': 'no-store' }));
  });
}
