import { serve, type ServerType } from '@hono/node-server';
import { Hono, type ErrorHandler } from 'hono';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/port.ts';
import { rateLimit, type RateLimitOptions } from '../../server/http/rate-limit.ts';
import { freePort } from './postgres.ts';

export interface LimitedServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The real app (`createApp`) on 127.0.0.1 behind the `rateLimit` middleware, as `server/app.ts`
 * will mount it: the middleware runs first, then the unchanged app answers. The db is the caller's
 * (two of these on one db behave like two server instances).
 */
export async function startLimitedServer(options: { db: Db } & Omit<RateLimitOptions, 'db'>): Promise<LimitedServer> {
  const port = await freePort();
  // The app's own limiter (once mounted from the environment) is off, so only the one under test counts.
  const config = readConfig({ PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' });
  const app = createApp({ db: options.db, config, log: () => {} });
  const outer = new Hono();
  outer.use('*', rateLimit(options));
  outer.all('*', (c) => app.fetch(c.req.raw, c.env));
  // Errors thrown by the middleware (DbUnavailableError) get the app's own answer (503), as they will
  // once the middleware is mounted inside the app.
  outer.onError((error, c) => (app as unknown as { errorHandler: ErrorHandler }).errorHandler(error, c));
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: outer.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
