import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtAsset } from '../http/assets.ts';

export interface AppPageOptions {
  /** Folder holding the built app (default `dist/app`, made by `vite build --config vite.app.config.ts`). */
  distDir?: string;
}


/**
 * The provider app's page: scripts, styles and data from our origin only, no inline script, never framed
 * (a page that cancels bookings must not be clickjacked), `img-src data:` for inline icons and `https:` for the
 * provider's own profile photo (an address they typed; images run no script).
 * https://www.w3.org/TR/CSP3/
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /app` and `GET /app/*`: the built app's `index.html` (the app routes in the browser), private — `no-store`,
 * `noindex`, no Referer — and its hashed files under `/app/assets/`. Mounted after `authRoutes`, whose
 * `/app/sign-in/callback` answers first.
 *
 * @example app.route('/', appPageRoutes());
 */
export function appPageRoutes(options: AppPageOptions = {}): Hono {
  const distDir = resolve(options.distDir ?? fileURLToPath(new URL('../../dist/app', import.meta.url)));
  const app = new Hono();

  app.use('/app/assets/*', compress());
  app.get('/app/assets/:file', builtAsset(distDir));

  const page = async (c: Context) => {
    c.header('content-security-policy', APP_CSP);
    c.header('cache-control', 'no-store');
    c.header('x-robots-tag', 'noindex, nofollow');
    c.header('referrer-policy', 'no-referrer');
    try {
      // Read on every request (1 KB), so a rebuild never leaves the page pointing at deleted assets.
      return c.html(await readFile(resolve(distDir, 'index.html'), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return c.text(`The provider app is not built (no ${distDir}/index.html). Run \`npm run build\` and reload.`, 503, { 'retry-after': '30' });
    }
  };
  app.use('/app', compress());
  app.use('/app/*', compress());
  app.get('/app', page);
  app.get('/app/*', page);
  return app;
}
