import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import type { Config } from '../config.ts';
import type { Db } from '../db/port.ts';
import { appWriteGuard, requireUser, type AppEnv } from '../auth/session.ts';
import { invalid, notFound, problem } from '../http/problem.ts';
import { fieldErrors, readJson } from '../http/validate.ts';
import type { StripeSetup } from '../payments/stripe.ts';
import { parseProviderFile } from '../providers/file.ts';
import { loadAgenda, tomorrowIn } from '../notify/agenda.ts';
import { bookingRoutes } from './bookings.ts';
import { serviceSeriesRoutes } from './series.ts';
import { calendarRoutes } from './calendars.ts';
import { clientRoutes } from './clients.ts';
import { paymentRoutes } from './payments.ts';
import { serviceReminderRoutes } from './service-reminders.ts';
import { packageRoutes } from './packages.ts';
import { owner } from './errors.ts';
import { HOURS_PRESETS, hoursSchema, hoursView, toWorkingHours } from './hours.ts';
import { previewRoutes } from './preview.ts';
import {
  emptySchema, onboardingSchema, providerPatchSchema, reorderSchema, serviceCreateSchema, servicePatchSchema, slug,
  slugify, uuid,
} from './schemas.ts';

export interface AppApiOptions {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'calendars'> & Partial<Pick<Config, 'calendarPrivateHosts' | 'stripeApiBase' | 'stripe'>>;
  payments?: StripeSetup | null;
  now?: () => Date;
  /** This instance's job worker, woken when a request queued work (a refund) so it starts at once. */
  jobs?: { wake(): void } | null;
}

/** What every owner route is handed: the database, the signed-in user's id, the clock. */
export interface OwnerDeps {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'calendars'> & Partial<Pick<Config, 'stripeApiBase'>>;
  payments: StripeSetup | null;
  now: () => Date;
  jobs: { wake(): void } | null;
}

const NO_STORE = { 'cache-control': 'no-store' };

/** `2026-02-30` is not a day. */
const isRealDate = (date: string) => {
  const t = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date;
};

/** Reads and validates the query string with a zod schema, or the 400 naming the bad parameters. */
export function readQuery<T extends z.ZodType>(c: Context, schema: T): { ok: true; value: z.infer<T> } | { ok: false; response: Response } {
  const parsed = schema.safeParse(c.req.query());
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, response: invalid(c, fieldErrors(parsed.error)) };
}

/**
 * The provider app's owner API under `/api/app/` (everything but sign-in, which is server/auth/routes.ts). Every
 * route needs a session; every operation is one SQL function given the signed-in user, which acts only on that
 * user's providers (another provider's ids answer 404). Writes are JSON-only with a same-origin `Origin`.
 * server/app-api/README.md lists each endpoint with its request, response and errors.
 */
export function appApiRoutes({ db, config, payments = null, now = () => new Date(), jobs = null }: AppApiOptions) {
  const app = new Hono<AppEnv>();
  const deps: OwnerDeps = { db, config, payments, now, jobs };
  const signedIn = requireUser({ db, publicUrl: config.publicUrl, now });
  const limit = bodyLimit({ maxSize: 256 * 1024, onError: (c) => problem(c, 413, 'body-too-large', 'The body is over 256 KB') });
  const guard = appWriteGuard({ publicUrl: config.publicUrl });
  for (const path of ['/api/app/me', '/api/app/slug-available', '/api/app/providers', '/api/app/providers/*']) {
    app.use(path, guard, signedIn, limit);
  }
  // A malformed id is as unknown as another provider's.
  app.use('/api/app/providers/:providerId/*', async (c, next) => (uuid.test(c.req.param('providerId') ?? '') ? next() : notFound(c, 'Provider')));
  app.use('/api/app/providers/:providerId', async (c, next) => (uuid.test(c.req.param('providerId') ?? '') ? next() : notFound(c, 'Provider')));

  const user = (c: Context<AppEnv>) => c.get('user').id;
  const pid = (c: Context) => c.req.param('providerId') as string;

  app.get('/api/app/me', async (c) => c.json(await db.rpc('app_me', { p_user_id: user(c) }), 200, NO_STORE));

  app.get('/api/app/slug-available', async (c) => {
    const parsed = slug.safeParse(c.req.query('slug') ?? '');
    if (!parsed.success) return c.json({ slug: c.req.query('slug') ?? '', available: false, reason: 'invalid' }, 200, NO_STORE);
    const available = await db.rpc('app_slug_available', { p_slug: parsed.data });
    return c.json({ slug: parsed.data, available, reason: available ? null : 'taken' }, 200, NO_STORE);
  });

  // Onboarding: a signed-in user without a provider creates one, public at once.
  app.post('/api/app/providers', async (c) => {
    const parsed = await readJson(c, onboardingSchema);
    if (!parsed.ok) return parsed.response;
    const o = parsed.value;
    const workingHours = o.hours
      ? toWorkingHours(o.hours, o.timezone)
      : { timezone: o.timezone, intervals: HOURS_PRESETS[o.hoursPreset!].map((r) => ({ ...r, days: [...r.days] })) };
    const settings = {
      workingHours,
      timeOff: o.hours?.timeOff ?? [],
      whatsapp: o.whatsappNumber ? { enabled: true, phoneE164: o.whatsappNumber } : { enabled: false },
      profile: o.personName ? { personName: o.personName } : {},
      booking: { minNoticeMinutes: 60, horizonDays: 60, cancelUntilHoursBefore: 12, rescheduleUntilHoursBefore: 12, refundUntilHoursBefore: 24 },
      calendar: { selectedCalendarIds: [] },
    };
    const service = { ...o.service, slug: slugify(o.service.title) || 'session' };
    return owner(c, async () => {
      const provider = await db.rpc('app_create_provider', {
        p_user_id: user(c), p_slug: o.slug, p_name: o.name, p_timezone: o.timezone, p_settings: settings, p_service: service,
      });
      return c.json({ provider, pageUrl: `${config.publicUrl}/c/${o.slug}` }, 201, NO_STORE);
    });
  });

  app.get('/api/app/providers/:providerId', (c) => owner(c, async () =>
    c.json(await db.rpc('app_get_provider', { p_user_id: user(c), p_provider_id: pid(c) }), 200, NO_STORE)));

  app.patch('/api/app/providers/:providerId', async (c) => {
    const parsed = await readJson(c, providerPatchSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () =>
      c.json(await db.rpc('app_update_provider', { p_user_id: user(c), p_provider_id: pid(c), p_patch: parsed.value }), 200, NO_STORE));
  });

  app.get('/api/app/providers/:providerId/hours', (c) => owner(c, async () => {
    const p = await db.rpc('app_get_provider', { p_user_id: user(c), p_provider_id: pid(c) });
    return c.json(hoursView(p.workingHours, p.timeOff, p.timezone), 200, NO_STORE);
  }));

  app.put('/api/app/providers/:providerId/hours', async (c) => {
    const parsed = await readJson(c, hoursSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      const current = await db.rpc('app_get_provider', { p_user_id: user(c), p_provider_id: pid(c) });
      const p = await db.rpc('app_set_hours', {
        p_user_id: user(c), p_provider_id: pid(c),
        p_working_hours: toWorkingHours(parsed.value, current.timezone), p_time_off: parsed.value.timeOff,
      });
      return c.json(hoursView(p.workingHours, p.timeOff, p.timezone), 200, NO_STORE);
    });
  });

  // The provider file (the CLI's format): download, and apply an edited one.
  app.get('/api/app/providers/:providerId/export', (c) => owner(c, async () => {
    const file = await db.rpc('app_export_provider_with_limits', { p_user_id: user(c), p_provider_id: pid(c) });
    return c.body(JSON.stringify(file, null, 2) + '\n', 200, {
      ...NO_STORE, 'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${file.slug}.json"`,
    });
  }));

  app.post('/api/app/providers/:providerId/import', async (c) => {
    let data: unknown;
    try {
      data = JSON.parse(await c.req.text());
    } catch {
      return invalid(c, [{ field: 'body', message: 'is not valid JSON' }]);
    }
    const parsed = parseProviderFile(data);
    if (!parsed.ok) return invalid(c, parsed.errors);
    return owner(c, async () =>
      c.json(await db.rpc('app_import_provider_with_limits', { p_user_id: user(c), p_provider_id: pid(c), p_file: parsed.file }), 200, NO_STORE));
  });

  // Services
  app.get('/api/app/providers/:providerId/services', (c) => owner(c, async () =>
    c.json(await db.rpc('app_list_services', { p_user_id: user(c), p_provider_id: pid(c) }), 200, NO_STORE)));

  app.post('/api/app/providers/:providerId/services', async (c) => {
    const parsed = await readJson(c, serviceCreateSchema);
    if (!parsed.ok) return parsed.response;
    const service = { ...parsed.value, slug: parsed.value.slug ?? slugify(parsed.value.title) };
    if (!service.slug || service.slug === 'share') return invalid(c, [{ field: 'slug', message: 'give an address for this service (letters, digits, dashes)' }]);
    return owner(c, async () => c.json(await db.rpc('app_save_service_limits', {
      p_user_id: user(c), p_provider_id: pid(c), p_service_id: null, p_service: service,
    }), 201, NO_STORE));
  });

  app.put('/api/app/providers/:providerId/services/order', async (c) => {
    const parsed = await readJson(c, reorderSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => c.json(await db.rpc('app_reorder_services', {
      p_user_id: user(c), p_provider_id: pid(c), p_service_ids: parsed.value.serviceIds,
    }), 200, NO_STORE));
  });

  app.patch('/api/app/providers/:providerId/services/:serviceId', async (c) => {
    const serviceId = c.req.param('serviceId');
    if (!uuid.test(serviceId)) return notFound(c, 'Service');
    const parsed = await readJson(c, servicePatchSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => c.json(await db.rpc('app_save_service_limits', {
      p_user_id: user(c), p_provider_id: pid(c), p_service_id: serviceId, p_service: parsed.value,
    }), 200, NO_STORE));
  });

  app.delete('/api/app/providers/:providerId/services/:serviceId', async (c) => {
    const serviceId = c.req.param('serviceId');
    if (!uuid.test(serviceId)) return notFound(c, 'Service');
    const parsed = await readJson(c, emptySchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => c.json(await db.rpc('app_delete_service', {
      p_user_id: user(c), p_provider_id: pid(c), p_service_id: serviceId,
    }), 200, NO_STORE));
  });

  bookingRoutes(app, deps);
  serviceReminderRoutes(app, deps);
  serviceSeriesRoutes(app, deps);
  clientRoutes(app, deps);
  packageRoutes(app, deps); // packages, cash and bank-transfer sales, client wallets
  // Notifications (server/notify/): the outbox (what was sent, kept without SMTP, or failed) and the day's agenda.
  app.get('/api/app/providers/:providerId/outbox', (c) => owner(c, async () =>
    c.json(await db.rpc('app_list_outbox', { p_user_id: user(c), p_provider_id: pid(c), p_limit: 100 }), 200, NO_STORE)));
  app.get('/api/app/providers/:providerId/agenda', (c) => owner(c, async () => {
    const date = c.req.query('date');
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) return invalid(c, [{ field: 'date', message: 'must be a date such as 2026-12-01' }]);
    if (date !== undefined && !isRealDate(date)) return invalid(c, [{ field: 'date', message: 'is not a calendar date' }]);
    const day = date ?? tomorrowIn((await db.rpc('app_get_provider', { p_user_id: user(c), p_provider_id: pid(c) })).timezone, now());
    return c.json(await loadAgenda(db, user(c), pid(c), day, config.publicUrl), 200, NO_STORE);
  }));

  previewRoutes(app, deps);
  calendarRoutes(app, { ...deps, calendarPrivateHosts: config.calendarPrivateHosts ?? false, signedIn });
  paymentRoutes(app, { ...deps, serverStripe: config.stripe ?? null });
  return app;
}
