import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/session.ts';
import { notFound } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { owner } from './errors.ts';
import type { OwnerDeps } from './routes.ts';
import { notificationsSchema, uuid } from './schemas.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/** `{reminders}`: the provider's rules for a reminder list (1–43200 minutes, at most 5, no repeats), or null. */
export const serviceRemindersBody = z.object({ reminders: notificationsSchema.shape.reminders.unwrap().nullable() }).strict();

/**
 * A service's own reminder offsets (issue 13): `GET` reads them with the provider's list they override, `PUT`
 * `{reminders: number[] | null}` sets them (null: follow the provider's; []: none). Bookings made afterwards follow
 * them (`reminder_offsets` in SQL); reminders already queued stay.
 */
export function serviceReminderRoutes(app: Hono<AppEnv>, { db }: OwnerDeps): void {
  const ids = (c: Context<AppEnv>) => ({
    p_user_id: c.get('user').id, p_provider_id: c.req.param('providerId') as string, p_service_id: c.req.param('serviceId') as string,
  });
  app.get('/api/app/providers/:providerId/services/:serviceId/reminders', (c) => {
    if (!uuid.test(c.req.param('serviceId'))) return notFound(c, 'Service');
    return owner(c, async () => c.json(await db.rpc('app_service_reminders', ids(c)), 200, NO_STORE));
  });
  app.put('/api/app/providers/:providerId/services/:serviceId/reminders', async (c) => {
    if (!uuid.test(c.req.param('serviceId'))) return notFound(c, 'Service');
    const parsed = await readJson(c, serviceRemindersBody);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () =>
      c.json(await db.rpc('app_set_service_reminders', { ...ids(c), p_reminders: parsed.value.reminders }), 200, NO_STORE));
  });
}
