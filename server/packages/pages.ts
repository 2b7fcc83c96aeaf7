import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { creditDate } from '../../contract/credit-line.ts';
import { dirOf, pickLang, type Lang } from '../../contract/i18n/index.ts';
import type { PublicPackages, WalletJson } from '../../contract/packages.ts';
import { isSlug, looksLikeToken } from '../../contract/rules.ts';
import { htmlText } from '../pages/escape.ts';
import { NotBuiltError, pageCsp } from '../pages/routes.ts';
import { packageCopy } from './copy.ts';

const root = (p: string) => fileURLToPath(new URL('../../' + p, import.meta.url));

/**
 * The visitor's package page `GET /p/:slug` (packages on sale, one form each that posts to the checkout endpoint and
 * lands on Stripe Checkout) and wallet page `GET /w/:token` (balance, expiry, packages and history, with "Book a
 * session" links to the booking page carrying `?wallet=`). Rendered here as plain HTML in the booking page's shell and
 * stylesheet: no page script at all, so the visitor pages' JS budget is untouched. A wrong wallet link gets the same
 * 404 as a malformed one; wallet pages are never cached, indexed, framed or sent as a Referer.
 */
export function packagePageRoutes(options: { fetchApi: (path: string) => Promise<Response>; distDir?: string; now?: () => Date }) {
  const distDir = resolve(options.distDir ?? root('dist/pages'));
  const app = new Hono();

  async function shell(c: Context, lang: Lang, title: string, body: string, status: 200 | 404 = 200): Promise<Response> {
    let template: string;
    try {
      template = await readFile(resolve(distDir, 'index.html'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return c.text(new NotBuiltError(distDir).message, 503, { 'retry-after': '30', 'cache-control': 'no-store' });
      }
      throw error;
    }
    const html = template
      .replace(/<script type="module"[^>]*><\/script>/, '')
      .replace(/<link rel="modulepreload"[^>]*>/g, '')
      .replace(/<meta name="referrer"[^>]*>/, '<meta name="referrer" content="no-referrer" />')
      .replace(/<html[^>]*>/, `<html lang="${lang}" dir="${dirOf(lang)}">`)
      .replace(/<title>[^<]*<\/title>/, `<title>${htmlText(title)}</title>`)
      .replace('<div id="app"></div>', `<div class="shell"><div class="card"><main class="main">${body}</main></div></div>`);
    c.header('content-security-policy', pageCsp("'none'"));
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    c.header('vary', 'accept-language');
    return c.html(html, status);
  }

  const langOf = (c: Context): Lang => pickLang(c.req.query('lang'),
    (c.req.header('accept-language') ?? '').split(',').map((p) => p.split(';')[0].trim()).filter(Boolean));
  const money = (cents: number, currency: string, lang: Lang) =>
    new Intl.NumberFormat(lang === 'ar' ? 'ar-u-nu-arab' : 'en', { style: 'currency', currency }).format(cents / 100);

  app.use('/p/*', compress());
  app.get('/p/:slug', async (c) => {
    const lang = langOf(c);
    const t = packageCopy(lang);
    const slug = c.req.param('slug');
    const res = isSlug(slug) ? await options.fetchApi(`/api/providers/${slug}/packages`) : null;
    if (!res?.ok) return shell(c, lang, 'Slotline', `<section class="step missing"><h1 class="step-title">${htmlText(t('noPackages'))}</h1></section>`, 404);
    const data = (await res.json()) as PublicPackages;
    const e = htmlText;
    const items = data.packages.map((p) => `<li class="panel">
<h2 class="service-title"><bdi>${e(p.title)}</bdi></h2>
<p class="muted">${e(t('packageMeta', { sessions: p.sessions, service: p.service.title, days: p.validityDays }))} · ${e(money(p.priceCents, p.currency, lang))}</p>
<form class="form" method="post" action="/api/providers/${e(data.provider.slug)}/packages/${e(p.id)}/checkout">
<div class="field"><label for="name-${e(p.id)}">${e(t('name'))}</label><input id="name-${e(p.id)}" name="name" autocomplete="name" maxlength="200" required></div>
<div class="field"><label for="email-${e(p.id)}">${e(t('email'))}</label><input id="email-${e(p.id)}" name="email" type="email" autocomplete="email" maxlength="254" dir="ltr" aria-describedby="hint-${e(p.id)}"></div>
<div class="field"><label for="phone-${e(p.id)}">${e(t('phone'))}</label><input id="phone-${e(p.id)}" name="phone" type="tel" autocomplete="tel" maxlength="26" dir="ltr" aria-describedby="hint-${e(p.id)}"></div>
<p class="hint" id="hint-${e(p.id)}">${e(t('contactHint'))}</p>
<button class="primary" type="submit">${e(t('buy'))}</button>
</form></li>`).join('\n');
    const banner = c.req.query('payment') === 'cancelled' ? `<p class="banner banner-info" role="status">${e(t('cancelledBanner'))}</p>`
      : c.req.query('error') === 'contact' ? `<p class="banner banner-error" role="alert">${e(t('contactError'))}</p>` : '';
    const title = t('packagesTitle', { name: data.provider.name });
    return shell(c, lang, title, `<section class="step"><h1 class="step-title">${e(title)}</h1>${banner}
${items ? `<ul class="services">${items}</ul>` : `<p class="muted empty">${e(t('noPackages'))}</p>`}</section>`);
  });

  app.use('/w/*', compress());
  app.get('/w/:token', async (c) => {
    const lang = langOf(c);
    const t = packageCopy(lang);
    const token = c.req.param('token');
    const res = looksLikeToken(token) ? await options.fetchApi(`/api/wallet/${token}`) : null;
    c.header('x-robots-tag', 'noindex, nofollow');
    if (!res?.ok) {
      return shell(c, lang, t('walletNotFound'), `<section class="step missing"><h1 class="step-title">${htmlText(t('walletNotFound'))}</h1><p class="muted">${htmlText(t('walletNotFoundHint'))}</p></section>`, 404);
    }
    const wallet = (await res.json()) as WalletJson;
    return shell(c, lang, t('walletTitle', { name: wallet.provider.name }), walletBody(wallet, token, lang, c.req.query('payment') === 'success'));
  });
  return app;
}

/** The wallet as HTML: what can be booked now, the packages bought, the credits spent and given back. */
export function walletBody(w: WalletJson, token: string, lang: Lang, paid: boolean): string {
  const t = packageCopy(lang);
  const e = htmlText;
  const tz = w.provider.timezone;
  const date = (at: string) => creditDate(at, lang, tz);
  const when = (at: string) => new Intl.DateTimeFormat(lang === 'ar' ? 'ar-u-nu-arab' : 'en-GB', {
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: tz,
  }).format(new Date(at));
  const balance = w.balance.map((b) => `<li class="panel"><p>${e(t('leftLine', { left: b.left, service: b.service.title, date: date(b.nextExpiry) }))}</p>
<p><a class="primary" href="/c/${e(w.provider.slug)}/${e(b.service.slug)}?wallet=${e(token)}">${e(t('book'))}</a></p></li>`).join('');
  const grants = w.grants.map((g) => `<li><strong><bdi>${e(g.title)}</bdi></strong> — <span class="muted">${e(
    g.status === 'pending' ? t('grantPending')
      : g.expired ? t('grantExpired', { date: date(g.expiresAt!) })
        : t('grantLine', { used: g.used, sessions: g.sessions, date: date(g.expiresAt!) }))}</span></li>`).join('');
  const history = w.history.map((h) => `<li>${e(when(h.start))} · <bdi>${e(h.serviceTitle)}</bdi>${h.returnedAt ? ` · <span class="muted">${e(t('returned'))}</span>` : ''}</li>`).join('');
  return `<section class="step"><h1 class="step-title">${e(t('walletTitle', { name: w.provider.name }))}</h1>
${paid ? `<p class="banner banner-ok" role="status">${e(t('paidBanner'))}</p>` : ''}
<h2>${e(t('balance'))}</h2>${balance ? `<ul class="services">${balance}</ul>` : `<p class="muted empty">${e(t('noBalance'))}</p>`}
<h2>${e(t('grants'))}</h2>${grants ? `<ul>${grants}</ul>` : ''}
<p><a href="/p/${e(w.provider.slug)}">${e(t('morePackages'))}</a></p>
<h2>${e(t('history'))}</h2>${history ? `<ul>${history}</ul>` : `<p class="muted">${e(t('noHistory'))}</p>`}
<p class="hint">${e(t('keepLink'))}</p></section>`;
}
