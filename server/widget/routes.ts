import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WidgetRouteOptions {
  /** Folder holding the built `widget.js` (default `dist/widget`). */
  distDir?: string;
  /** Folder of the example host pages (default `examples`). */
  examplesDir?: string;
  /** Origin of the booking server that example pages load the widget from (default: the request's own origin).
   * Set it to serve the examples from another origin, as a provider's real site would be. */
  bookingOrigin?: string;
}

const root = (p: string) => fileURLToPath(new URL('../../' + p, import.meta.url));

/** Placeholder in example files replaced by the booking server's origin. */
export const ORIGIN_PLACEHOLDER = '{{SLOTLINE_ORIGIN}}';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};
const TEXT = new Set(['.html', '.css', '.js', '.json', '.svg', '.txt']);

/**
 * Serves the script-tag loader at `GET /widget.js` and the example provider sites at `GET /examples/…`.
 * The loader is read from `dist/widget/widget.js` (made by `npm run build`, which `npm start` runs first when
 * `dist/` is missing); without it, `/widget.js` answers 503 saying so. Nothing here imports widget source or Vite.
 *
 * @example app.route('/', widgetRoutes());
 *   // separate "provider site" on another port, loading the widget from the booking server:
 *   serve({ fetch: widgetRoutes({ bookingOrigin: 'http://127.0.0.1:8787' }).fetch, port: 8788 });
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2 (Cache-Control), https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3 (ETag)
 */
export function widgetRoutes(options: WidgetRouteOptions = {}): Hono {
  const distDir = resolve(options.distDir ?? root('dist/widget'));
  const examplesDir = resolve(options.examplesDir ?? root('examples'));
  const app = new Hono();

  /** The built loader, or null when `npm run build` never ran (the server never builds or imports widget source). */
  async function loader(): Promise<string | null> {
    try {
      return await readFile(resolve(distDir, 'widget.js'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      return null;
    }
  }

  app.get('/widget.js', async (c) => {
    const code = await loader();
    if (code === null) {
      return c.text(`widget.js is not built (no ${distDir}/widget.js). Run \`npm run build\`.`, 503, {
        'Retry-After': '30',
        'Cache-Control': 'no-store',
      });
    }
    const etag = '"' + createHash('sha256').update(code).digest('base64url').slice(0, 22) + '"';
    // The URL is not versioned (providers paste it once), so caches keep it briefly and revalidate by ETag.
    const headers = {
      'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(code, 200, { ...headers, 'Content-Type': 'application/javascript; charset=utf-8' });
  });

  app.get('/examples', (c) => c.redirect('/examples/', 301));
  app.get('/examples/*', async (c) => {
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path.slice('/examples/'.length));
    } catch {
      return c.notFound();
    }
    let file = resolve(examplesDir, rel);
    if (file !== examplesDir && !file.startsWith(examplesDir + sep)) return c.notFound();
    const info = await stat(file).catch(() => null);
    if (info?.isDirectory()) file = resolve(file, 'index.html');
    else if (!info) return c.notFound();
    const body = await readFile(file).catch(() => null);
    if (!body) return c.notFound();
    const ext = extname(file).toLowerCase();
    const headers = { 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
    if (!TEXT.has(ext)) return c.body(body, 200, headers);
    const origin = options.bookingOrigin?.replace(/\/+$/, '') ?? new URL(c.req.url).origin;
    return c.body(body.toString('utf8').replaceAll(ORIGIN_PLACEHOLDER, origin), 200, {
      ...headers,
      'Content-Security-Policy': examplePolicy(origin),
    });
  });

  return app;
}

/**
 * The CSP of the example pages, which is also what a provider's own site needs to allow for the widget: the
 * script and the frames from the booking origin. No inline scripts: the examples keep their code in files.
 *
 * @example examplePolicy('https://book.example') // "default-src 'self'; script-src 'self' https://book.example; …"
 * @see https://www.w3.org/TR/CSP3/
 */
export function examplePolicy(origin: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${origin}`,
    "style-src 'self' 'unsafe-inline'",
    `frame-src ${origin}`,
    `connect-src 'self' ${origin}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}
