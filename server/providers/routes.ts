import { Hono } from 'hono';
import type { Db } from '../db/port.ts';
import { notFound } from '../http/problem.ts';
import { loadProvider, publicProviderJson } from './public.ts';

/**
 * `GET /api/providers/:slug` — a public provider and its services; public fields only.
 */
export function providerRoutes({ db }: { db: Db }) {
  const app = new Hono();
  app.get('/api/providers/:slug', async (c) => {
    const provider = await loadProvider(db, c.req.param('slug'));
    if (!provider) return notFound(c, 'Provider');
    c.header('cache-control', 'public, max-age=30');
    // Weekly series the services allow (their own columns, read beside get_public_provider).
    return c.json(publicProviderJson(provider, await db.rpc('get_series_options', { p_provider_id: provider.id })));
  });
  return app;
}
