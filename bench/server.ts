/**
 * The bench's server process: the real app (`createApp`) behind one extra route,
 * `GET /bench/hello`, so the slots endpoint and a hello-world route are measured on the same
 * process, the same HTTP stack and the same port in the same run.
 *
 * Run by `bench/run.ts` as its own process (so the load generator does not share its event
 * loop): `DATABASE_URL=… PORT=… node --import tsx bench/server.ts`. Without `DATABASE_URL`
 * it uses the embedded database (PGlite, in memory), as `npm start` does. Prints
 * `listening http://127.0.0.1:<port>` once ready; SIGTERM closes the server and the database.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createApp } from '../server/app.ts';
import { readConfig } from '../server/config.ts';
import { openEmbeddedDb } from '../server/db/embedded.ts';
import { openPostgresDb } from '../server/db/postgres.ts';
import { seedDemo } from '../server/providers/demo.ts';

/**
 * The app under test plus the hello-world reference route.
 *
 * @example benchApp(createApp({ db, config })).request('/bench/hello') // 200 "Hello, world!"
 */
export function benchApp(app: Hono): Hono {
  const outer = new Hono();
  outer.get('/bench/hello', (c) => c.text('Hello, world!'));
  outer.route('/', app);
  return outer;
}

async function main() {
  // The bench books thousands of times from one address: rate limits would measure themselves.
  const config = readConfig({ ...process.env, HOST: '127.0.0.1', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' });
  const url = process.env.DATABASE_URL;
  const db = url ? await openPostgresDb({ url, max: 10 }) : await openEmbeddedDb();
  await seedDemo(db);
  const app = benchApp(createApp({ db, config, log: (m) => process.stderr.write(`${m}\n`) }));
  const server = serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
    process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => void db.close().finally(() => process.exit(0)));
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    // Never outlive the bench by more than a few seconds.
    setTimeout(() => process.exit(1), 5_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent died without telling us: stop too.
  process.on('disconnect', stop);
}

if (process.argv[1]?.endsWith('bench/server.ts')) {
  main().catch((error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
}
