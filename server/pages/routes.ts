import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirOf, pickLang, translator, type Lang } from '../../contract/i18n/index.ts';
import type { CompactSlotsResponse, InitialData, ManageView, Provider } from '../../contract/api.ts';
import { validOrigin } from '../../contract/embed.ts';
import { isSlug, looksLikeToken } from '../../contract/rules.ts';
import { htmlText, jsonForScript } from './escape.ts';
import { seriesPageHtml } from './series-page.ts';
import { seriesPageCopy } from '../../contract/i18n/series-page.ts';
import type { SeriesView } from '../../contract/api.ts';
import { isTimeZone } from '../http/validate.ts';
import { DAY } from '../time/units.ts';
import { builtAsset } from '../http/assets.ts';

export interface PageRouteOptions {
  /** Calls the public API in-process, e.g. `(path) => app.request(path)`. */
  fetchApi: (path: string, init?: RequestInit) => Promise<Response>;
  /** Folder holding the built page (default `dist/pages`). */
  distDir?: string;
  now?: () => Date;
}

const root = (p: string) => fileURLToPath(new URL('../../' + p, import.meta.url));

/** The document's own referrer policy, which would otherwise override the header for links on the page. */
const noReferrer = (html: string) => html.replace(/<meta name="referrer"[^>]*>/, '<meta name="referrer" content="no-referrer" />');
/** Slots inlined into the first response: from a day ago to 33 days ahead covers the current month in any zone. */
const INLINE_BACK_MS = DAY;
const INLINE_AHEAD_MS = 33 * DAY;

/**
 * `frame-ancestors` for a provider: anywhere by default, or only its `settings.embed.allowedOrigins`
 * (https://www.w3.org/TR/CSP3/#directive-frame-ancestors). Entries that are not plain http(s) origins are dropped.
 * @example frameAncestors(['https://kim.example']) // "'self' https://kim.example"
 */
export function frameAncestors(allowed: readonly string[] | null | undefined): string {
  if (!allowed?.length) return '*';
  const origins = allowed.flatMap((o) => validOrigin(o) ?? []);
  return ["'self'", ...origins].join(' ');
}

/** The page's Content-Security-Policy: scripts and styles from our origin only, no inline script. */
export function pageCsp(ancestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

function requestLang(c: Context): Lang {
  const accept = (c.req.header('accept-language') ?? '')
    .split(',')
    .map((part) => part.split(';')[0].trim())
    .filter(Boolean);
  return pickLang(c.req.query('lang'), accept);
}

/**
 * The booking page: `GET /c/:slug` and `GET /c/:slug/:service`, plus its built assets under `/assets/`.
 * The first response carries the provider and the first weeks of free times as a JSON block the page reads,
 * so the first paint shows a calendar without another round trip.
 *
 * @example app.route('/', pageRoutes({ fetchApi: (path) => app.request(path) }));
 */
export function pageRoutes(options: PageRouteOptions): Hono {
  const distDir = resolve(options.distDir ?? root('dist/pages'));
  const now = options.now ?? (() => new Date());
  const app = new Hono();

  /**
   * The built `index.html`, read on every request (a 1 KB file) so a rebuild never leaves the page pointing
   * at deleted assets. The server only serves what `npm run build` made: it never imports Vite or page source.
   */
  async function readTemplate(): Promise<string> {
    try {
      return await readFile(resolve(distDir, 'index.html'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotBuiltError(distDir);
      throw error;
    }
  }

  async function apiJson<T>(path: string): Promise<{ status: number; body: T | null }> {
    const res = await options.fetchApi(path);
    const body = res.ok ? ((await res.json()) as T) : null;
    return { status: res.status, body };
  }

  function withHeaders(c: Context, ancestors: string) {
    c.header('content-security-policy', pageCsp(ancestors));
    c.header('cache-control', 'no-cache');
    c.header('vary', 'accept-language');
  }

  /** A secret or a tool page: never cached, never indexed, never leaked through a Referer. */
  function privateHeaders(c: Context) {
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-robots-tag', 'noindex, nofollow');
  }

  /**
   * A page without the app: no such booking page (404), no such booking (404), or the database is down
   * (503 with Retry-After: `unavailable` for a manage link, `pageUnavailable` for a booking page).
   */
  async function notFoundPage(c: Context, lang: Lang, kind: 'page' | 'booking' | 'unavailable' | 'pageUnavailable' = 'page') {
    const t = translator(lang);
    const [title, hint] =
      kind === 'booking'
        ? (['manageNotFound', 'manageNotFoundHint'] as const)
        : kind === 'unavailable'
          ? (['manageUnavailable', 'manageNotFoundHint'] as const)
          : kind === 'pageUnavailable'
            ? (['pageUnavailable', 'pageUnavailableHint'] as const)
            : (['notFound', 'notFoundHint'] as const);
    const isPrivate = kind === 'booking' || kind === 'unavailable';
    const down = kind === 'unavailable' || kind === 'pageUnavailable';
    const html = (await readTemplate())
      .replace(/<script type="module"[^>]*><\/script>/, '')
      .replace(/<html[^>]*>/, `<html lang="${lang}" dir="${dirOf(lang)}">`)
      .replace(/<title>[^<]*<\/title>/, `<title>${htmlText(t(title))}</title>`)
      .replace(
        '<div id="app"></div>',
        `<div class="shell"><div class="card"><main class="main"><section class="step missing">` +
          `<h1 class="step-title">${htmlText(t(title))}</h1><p class="muted">${htmlText(t(hint))}</p>` +
          `</section></main></div></div>`,
      );
    withHeaders(c, isPrivate ? "'none'" : '*');
    if (isPrivate) privateHeaders(c);
    if (down) {
      c.header('retry-after', '5');
      c.header('cache-control', 'no-store');
    }
    return c.html(isPrivate ? noReferrer(html) : html, down ? 503 : 404);
  }

  async function page(c: Context, share = false) {
    const slug = c.req.param('slug') ?? '';
    const serviceParam = share ? c.req.query('service') : c.req.param('service');
    const lang = requestLang(c);
    if (!isSlug(slug)) return notFoundPage(c, lang);

    const provider = await apiJson<Provider>(`/api/providers/${slug}`);
    if (provider.status === 404) return notFoundPage(c, lang);
    // The database is down (503) or failing: "try again", never "this page does not exist".
    if (!provider.body) return notFoundPage(c, lang, 'pageUnavailable');
    const p = provider.body;

    let slots: InitialData['slots'] = null;
    const service =
      p?.services.find((s) => s.slug === serviceParam) ?? (p?.services.length === 1 || share ? p?.services[0] : null);
    if (p && service) {
      const at = now().getTime();
      const from = new Date(at - INLINE_BACK_MS).toISOString();
      const to = new Date(at + INLINE_AHEAD_MS).toISOString();
      const asked = c.req.query('tz');
      const tz = asked && isTimeZone(asked) ? asked : p.timezone;
      const q = new URLSearchParams({ service: service.slug, from, to, tz });
      const res = await apiJson<CompactSlotsResponse>(`/api/v2/providers/${slug}/slots?${q}`);
      if (res.body) slots = { service: service.slug, from, to, answer: res.body };
    }

    const t = translator(lang);
    const data = jsonForScript({ provider: p, slots } satisfies InitialData);
    const html = (await readTemplate())
      .replace(/<html[^>]*>/, `<html lang="${lang}" dir="${dirOf(lang)}">`)
      .replace(
        /<title>[^<]*<\/title>/,
        `<title>${htmlText(p ? t(share ? 'sharePageTitle' : 'pageTitle', { name: p.name }) : 'Slotline')}</title>`,
      )
      .replace('</body>', `<script type="application/json" id="slotline-data">${data}</script>\n</body>`);
    withHeaders(c, frameAncestors(p?.embedAllowedOrigins));
    // The share tool is the provider's, not a page for search engines.
    if (share) c.header('x-robots-tag', 'noindex, nofollow');
    return c.html(html);
  }

  /**
   * The manage page `GET /b/:token`: the booking (as `GET /api/bookings/:token` answers it) and its provider
   * inlined. An unknown, expired or malformed token gets the same 404 page, so a guess learns nothing.
   */
  async function managePage(c: Context) {
    const token = c.req.param('token') ?? '';
    const lang = requestLang(c);
    if (!looksLikeToken(token)) return notFoundPage(c, lang, 'booking');
    const view = await apiJson<ManageView>(`/api/bookings/${token}`);
    // Only a real 404 says "no such link"; a failing database is a moment to retry, not a dead link.
    if (!view.body) return notFoundPage(c, lang, view.status === 404 ? 'booking' : 'unavailable');
    const provider = await apiJson<Provider>(`/api/providers/${encodeURIComponent(view.body.booking.provider)}`);
    const t = translator(lang);
    const data = jsonForScript({ provider: provider.body, slots: null, manage: view.body } satisfies InitialData);
    const html = noReferrer(await readTemplate())
      .replace(/<html[^>]*>/, `<html lang="${lang}" dir="${dirOf(lang)}">`)
      .replace(/<title>[^<]*<\/title>/, `<title>${htmlText(t('managePageTitle', { name: view.body.booking.providerName }))}</title>`)
      .replace('</body>', `<script type="application/json" id="slotline-data">${data}</script>\n</body>`);
    // A page that cancels bookings is never framed (clickjacking).
    withHeaders(c, "'none'");
    privateHeaders(c);
    return c.html(html);
  }

  /** A checkout that was never built answers 503 saying what to do, rather than a 500. */
  const built = (handler: (c: Context) => Promise<Response>) => async (c: Context) => {
    try {
      return await handler(c);
    } catch (error) {
      if (!(error instanceof NotBuiltError)) throw error;
      return c.text(error.message, 503, { 'retry-after': '30', 'cache-control': 'no-store' });
    }
  };
  app.use('/assets/*', compress());
  app.get('/assets/:file', builtAsset(distDir));
  app.use('/c/*', compress());
  app.get('/c/:slug', built((c) => page(c)));
  // `share` is a reserved service slug: the provider's share page. One route (not a static
  // `/c/:slug/share` beside it) keeps Hono on its fast RegExpRouter.
  app.get('/c/:slug/:service', built((c) => page(c, c.req.param('service') === 'share')));
  app.use('/b/*', compress());
  app.get('/b/:token', built(managePage));

  /** A weekly series' manage page `/s/:token` (server/pages/series-page.ts): plain HTML, no page script. */
  async function seriesPage(c: Context, notice: string | null = null) {
    const token = c.req.param('token') ?? '';
    const lang = requestLang(c);
    if (!looksLikeToken(token)) return notFoundPage(c, lang, 'booking');
    const view = await apiJson<SeriesView>(`/api/series/${token}`);
    if (!view.body) return notFoundPage(c, lang, view.status === 404 ? 'booking' : 'unavailable');
    const html = noReferrer(await readTemplate())
      .replace(/<script type="module"[^>]*><\/script>/, '')
      .replace(/<html[^>]*>/, `<html lang="${lang}" dir="${dirOf(lang)}">`)
      .replace(/<title>[^<]*<\/title>/, `<title>${htmlText(seriesPageCopy[lang].title.replace('{name}', view.body.series.providerName))}</title>`)
      .replace('<div id="app"></div>', seriesPageHtml(view.body, token, lang, notice));
    withHeaders(c, "'none'");
    privateHeaders(c);
    return c.html(html);
  }
  app.get('/s/:token', built((c) => seriesPage(c)));
  // The page's forms: cancel one date or it and every later one, then show the series again (POST-redirect-GET).
  app.post('/s/:token', built(async (c) => {
    const token = c.req.param('token') ?? '';
    const form = await c.req.parseBody();
    const res = await options.fetchApi(`/api/series/${encodeURIComponent(token)}/cancel`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ index: Number(form.index), andLater: form.later === '1' }),
    });
    if (res.ok) return c.redirect(`/s/${encodeURIComponent(token)}`, 303);
    return seriesPage(c, res.status === 409 ? seriesPageCopy[requestLang(c)].gone : null);
  }));
  return app;
}

/** `dist/pages/index.html` is missing: the pages were never built (`npm run build`, which `npm start` runs first). */
export class NotBuiltError extends Error {
  constructor(distDir: string) {
    super(`The booking pages are not built (no ${distDir}/index.html). Run \`npm run build\` and reload.`);
    this.name = 'NotBuiltError';
  }
}
