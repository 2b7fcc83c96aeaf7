import { Hono } from 'hono';
import { appApiRoutes } from './app-api/routes.ts';
import { appPageRoutes } from './app-pages/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { smtpMailer } from './auth/mailer.ts';
import { bookingRoutes } from './bookings/routes.ts';
import { manageRoutes } from './bookings/manage-routes.ts';
import { seriesRoutes } from './series/routes.ts';
import { notifyRoutes } from './notify/routes.ts';
import type { Config } from './config.ts';
import { DbTimeoutError, DbUnavailableError, type Db } from './db/port.ts';
import { notFound, problem } from './http/problem.ts';
import { securityHeaders } from './http/security.ts';
import { redactedLogLine } from './http/redact.ts';
import { rateLimit } from './http/rate-limit.ts';
import { icsFeedRoutes } from './ics/feed-routes.ts';
import type { StripeSetup } from './payments/stripe.ts';
import { stripeWebhookRoutes } from './payments/webhook.ts';
import { pageRoutes } from './pages/routes.ts';
import { packageRoutes } from './packages/routes.ts';
import { packagePageRoutes } from './packages/pages.ts';
import { providerRoutes } from './providers/routes.ts';
import { ResponseCache } from './slots/cache.ts';
import { cachedSlots, slotRoutes, type CachedSlots } from './slots/routes.ts';
import { widgetRoutes } from './widget/routes.ts';
import { whatsappRoutes } from './whatsapp/routes.ts';

export interface AppOptions {
  db: Db;
  config: Config;
  /** Stripe for paid services (null: paid services answer 503). */
  payments?: StripeSetup | null;
  now?: () => Date;
  log?: (message: string) => void;
  /** This instance's job worker, woken when a request enqueued work so it starts at once (server/jobs/worker.ts). */
  jobs?: { wake(): void } | null;
}

/**
 * The whole HTTP surface of Slotline as one Hono app: public API, booking, pages, widget.
 * It never listens by itself (`main.ts` does), so tests call `app.request()` or serve it.
 */
export function createApp({ db, config, payments = null, now, log = console.error, jobs = null }: AppOptions) {
  const wake = () => jobs?.wake();
  const app = new Hono();
  // Public reads are cached for a few seconds; any write through this server clears them.
  const readCache = new ResponseCache<CachedSlots>(config.readCacheMs);
  // A cached slots answer is sent before any middleware (with the same security headers): the hottest path stays short.
  for (const path of ['/api/providers/:slug/slots', '/api/v2/providers/:slug/slots']) app.get(path, cachedSlots(readCache, config.trustProxy));
  app.use('*', securityHeaders({ trustProxy: config.trustProxy }));
  // Only writes are limited; reads never pay for the check.
  const limiter = rateLimit({ db, rules: config.rateLimits, trustProxy: config.trustProxy, log });
  app.post('/api/bookings/*', limiter); // also matches /api/bookings itself
  app.post('/api/providers/:slug/packages/*', limiter);
  // A slots answer still computing when a change arrives is not stored (ResponseCache's `generation`).
  const changed = () => readCache.clear();
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '/api/*', async (_c, next) => {
    await next();
    changed();
  });
  // So do writes anywhere else (another instance, a job, the hold sweep, SQL), where the database tells us
  // (PostgreSQL, PGlite: LISTEN/NOTIFY). Supabase cannot: there the cache's TTL bounds how stale an answer gets.
  db.listenForChanges?.(changed).catch((error: Error) => {
    log(`[slotline] not told of database changes (cached answers may be ${config.readCacheMs} ms stale): ${error.message}`);
  });
  app.get('/healthz', async (c) => {
    await db.rpc('get_public_provider', { p_slug: 'healthz' });
    return c.json({ ok: true, database: db.kind }, 200, { 'cache-control': 'no-store' });
  });

  app.route('/', providerRoutes({ db }));
  app.route('/', slotRoutes({ db, now, cache: readCache, calendars: config.calendars }));
  app.route('/', bookingRoutes({ db, config, payments, now, wake }));
  app.route('/', manageRoutes({ db, config, payments, now, wake }));
  app.route('/', seriesRoutes({ db, config, payments, now, wake }));
  app.route('/', notifyRoutes({ db }));
  app.route('/', stripeWebhookRoutes({
    db, stripe: payments?.stripe ?? null, webhookSecret: payments?.webhookSecret ?? null, wake, log, now,
    accounts: { secretsKey: config.calendars.secretsKey, apiBase: config.stripeApiBase },
  }));
  app.route('/', packageRoutes({
    db, publicUrl: config.publicUrl, now, log,
    accounts: { server: payments, secretsKey: config.calendars.secretsKey, apiBase: config.stripeApiBase },
  }));
  app.route('/', packagePageRoutes({ fetchApi: async (path) => app.request(path), now }));
  app.route('/', whatsappRoutes({ db, config, now }));
  app.route('/', icsFeedRoutes({ db, now }));
  app.route('/', authRoutes({ db, config, mailer: config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : null, now, log }));
  app.route('/', appApiRoutes({ db, config, payments, now, jobs }));
  app.route('/', appPageRoutes()); // the provider app's page at /app and /app/*, after the sign-in callback
  // Example pages link to PUBLIC_URL, never to whatever Host header a request brings.
  app.route('/', widgetRoutes({ bookingOrigin: config.publicUrl }));
  // The page inlines its first data by calling the public API in-process.
  app.route('/', pageRoutes({ fetchApi: async (path, init) => app.request(path, init), now }));
  app.get('/', (c) => c.redirect('/examples/'));

  app.notFound((c) => notFound(c, 'Page'));
  app.onError((error, c) => {
    if (error instanceof DbUnavailableError) {
      return problem(c, 503, 'unavailable', 'Slotline is briefly unavailable', {
        detail: error instanceof DbTimeoutError
          ? 'The database is busy and gave up waiting; nothing was changed. Please try again in a moment.'
          : 'The database cannot be reached. Please try again in a moment.',
      }, { 'retry-after': '5' });
    }
    // Manage and feed tokens in the path are secrets: never in a log line.
    const path = new URL(c.req.url).pathname;
    log(redactedLogLine(path, `[slotline] ${c.req.method} ${path} failed: ${error.stack ?? error.message}`));
    return problem(c, 500, 'internal', 'Something went wrong on our side');
  });
  return app;
}
