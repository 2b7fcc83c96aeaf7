import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../server/app.ts';
import { readConfig, type Config } from '../../server/config.ts';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import { openPostgresDb } from '../../server/db/postgres.ts';
import type { Db } from '../../server/db/port.ts';
import { seedDemo } from '../../server/providers/demo.ts';
import { stripeClient, type StripeSetup } from '../../server/payments/stripe.ts';
import { startLocalStripe } from '../../server/payments/local-stripe.ts';
import { freePort } from './postgres.ts';
import { jobHandlers } from '../../server/jobs/handlers.ts';
import { startWorker, type Worker, type WorkerOptions } from '../../server/jobs/worker.ts';

export interface TestServer {
  url: string;
  db: Db;
  config: Config;
  /** The local Stripe stand-in paid services check out with (unless `localPayments: false`). */
  stripe: Awaited<ReturnType<typeof startLocalStripe>> | null;
  /** The job worker, as `npm start` runs one (null with `jobs: false`). */
  worker: Worker | null;
  close(): Promise<void>;
}

/**
 * The real app on 127.0.0.1 and a free port, on a fresh in-memory PGlite database (or the
 * PostgreSQL at `databaseUrl`), with the demo provider seeded.
 */
export async function startTestServer(options: {
  databaseUrl?: string;
  db?: Db;
  seed?: boolean;
  env?: Record<string, string>;
  now?: () => Date;
  payments?: StripeSetup | null;
  /** Like `npm start` without Stripe keys: a local test-mode checkout that calls our webhook (default true). */
  localPayments?: boolean;
  /** The job worker's options (default: Slotline's handlers, polling every 100 ms, 50 ms first backoff); false: none. */
  jobs?: false | Partial<WorkerOptions>;
} = {}): Promise<TestServer> {
  const port = await freePort();
  const config = readConfig({
    PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0', ...options.env,
  });
  const db = options.db ?? (options.databaseUrl ? await openPostgresDb({ url: options.databaseUrl }) : await openEmbeddedDb());
  if (options.seed !== false) await seedDemo(db);
  let payments = options.payments ?? null;
  let stripe: TestServer['stripe'] = null;
  if (!payments && options.localPayments !== false) {
    const webhookSecret = 'whsec_test_local';
    stripe = await startLocalStripe({ webhookSecret, webhookUrl: `http://127.0.0.1:${port}/api/stripe/webhook` });
    payments = { stripe: stripeClient('sk_test_local', stripe.url), webhookSecret };
  }
  const worker = options.jobs === false ? null : startWorker({
    db, handlers: jobHandlers({ payments, stripeApiBase: config.stripeApiBase, calendars: config.calendars, now: options.now }), pollMs: 100, backoffMs: 50, log: () => {}, ...options.jobs,
  });
  const app = createApp({ db, config, now: options.now, payments, log: () => {}, jobs: worker });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    config,
    stripe,
    worker,
    async close() {
      await worker?.stop(2_000);
      await stripe?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      if (!options.db) await db.close();
    },
  };
}
