import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { PROBLEM_BASE } from './http/problem.ts';
import { DEFAULT_CSP } from './http/security.ts';
import { readConfig } from './config.ts';
import { openDb } from './db/index.ts';
import { seedDemo } from './providers/demo.ts';
import { assertSecretsReadable } from './secrets/check.ts';
import { startHoldSweep } from './payments/sweep.ts';
import { stripeClient, stripeSetup, type StripeSetup } from './payments/stripe.ts';
import { startLocalStripe } from './payments/local-stripe.ts';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jobHandlers } from './jobs/handlers.ts';
import { notifyOptions } from './notify/setup.ts';
import { startWorker, type JobHandler } from './jobs/worker.ts';

/**
 * `npm start`: reads the configuration once (`readConfig()`, the server's only look at the environment), opens the
 * database it selects (embedded PGlite by default), applies migrations, seeds the demo provider, serves, and shuts
 * down cleanly on Ctrl-C.
 */
async function main() {
  const config = readConfig(process.env);
  const { db, description } = await openDb(config.database, { role: 'server' });
  console.log(`[slotline] database: ${description}`);
  // A stored calendar or payment secret with a missing or wrong SECRETS_KEY stops start-up here.
  await assertSecretsReadable(db, config.calendars.secretsKey);
  if (config.seedDemo && (await seedDemo(db))) console.log('[slotline] seeded the demo provider "demo"');

  let payments: StripeSetup | null = stripeSetup(config.stripe);
  let localStripe: Awaited<ReturnType<typeof startLocalStripe>> | null = null;
  if (!payments && config.demoPayments) {
    // No Stripe keys: a local test-mode checkout (no real money) so paid services work in the demo.
    const webhookSecret = `whsec_local_${randomBytes(16).toString('hex')}`;
    localStripe = await startLocalStripe({ webhookSecret, webhookUrl: `http://127.0.0.1:${config.port}/api/stripe/webhook` });
    payments = { stripe: stripeClient('sk_test_local', localStripe.url), webhookSecret };
  }
  console.log(`[slotline] payments: ${localStripe ? `local test checkout at ${localStripe.url} (no real money; set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET for Stripe)` : payments ? 'Stripe' : 'off (paid services answer 503)'}`);
  const stopSweep = startHoldSweep(db, payments?.stripe ?? null, 60_000, console.error, { secretsKey: config.calendars.secretsKey, apiBase: config.stripeApiBase });
  // Extra job kinds from a module (JOBS_HANDLERS_MODULE): its default export maps kind → handler.
  const extraHandlers: Record<string, JobHandler> = config.jobs.handlersModule
    ? (await import(pathToFileURL(resolve(config.jobs.handlersModule)).href)).default
    : {};
  const worker = config.jobs.concurrency > 0
    ? startWorker({ db, handlers: { ...jobHandlers({ payments, stripeApiBase: config.stripeApiBase, calendars: config.calendars, notify: notifyOptions(config) }), ...extraHandlers }, ...config.jobs })
    : null;
  const app = createApp({ db, config, payments, jobs: worker });
  let inFlight = 0;
  let closing = false;
  const server = serve({
    fetch: async (request, env) => {
      if (closing) {
        return new Response(JSON.stringify({ type: `${PROBLEM_BASE}shutting-down`, title: 'Server is shutting down', status: 503 }), {
          status: 503,
          headers: {
            'content-type': 'application/problem+json', connection: 'close', 'retry-after': '2',
            'x-content-type-options': 'nosniff', 'referrer-policy': 'strict-origin-when-cross-origin',
            'content-security-policy': DEFAULT_CSP,
          },
        });
      }
      inFlight++;
      try {
        return await app.fetch(request, env);
      } finally {
        inFlight--;
      }
    },
    port: config.port,
    hostname: config.host,
  }, () => {
    const base = config.publicUrl;
    console.log(`[slotline] listening on http://${config.host}:${config.port}`);
    console.log('');
    console.log(`  Booking page     ${base}/c/demo`);
    console.log(`  Widget examples  ${base}/examples/`);
    console.log(`  Provider app     ${base}/app  (${config.smtpUrl ? 'sign-in links go out by email' : 'sign-in links are printed here'})`);
    console.log(`  Slots API        ${base}/api/providers/demo/slots?service=intro`);
    console.log(`  Health           ${base}/healthz`);
    console.log('');
  });

  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`[slotline] ${signal}: finishing ${inFlight} request(s), then closing the database`);
    const deadline = Date.now() + 10_000;
    stopSweep();
    server.close();
    // The worker stops claiming and lets running jobs finish; one still running at the deadline runs again later.
    const stopWorker = worker?.stop(Math.max(0, deadline - Date.now() - 1_000));
    while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await stopWorker;
    await localStripe?.close();
    await db.close();
    console.log('[slotline] stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error(`[slotline] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
