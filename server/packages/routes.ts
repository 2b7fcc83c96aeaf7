import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { packageCheckoutSchema } from '../../contract/packages.ts';
import { looksLikeToken } from '../../contract/rules.ts';
import type { Db } from '../db/port.ts';
import { invalid, notFound, problem } from '../http/problem.ts';
import { fieldErrors, readJson } from '../http/validate.ts';
import type { PaymentAccountsOptions } from '../payments/accounts.ts';
import { hashToken } from '../bookings/tokens.ts';
import { htmlText } from '../pages/escape.ts';
import { uuid } from '../app-api/schemas.ts';
import { startPackagePurchase } from './purchase.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * The public packages API: `GET /api/providers/:slug/packages`, `POST /api/providers/:slug/packages/:id/checkout`
 * (JSON → `{ url, walletUrl }`; the package page's form → 303 to Stripe Checkout) and `GET /api/wallet/:token`
 * (unknown, malformed and wrong links: the same 404).
 */
export function packageRoutes({ db, accounts, publicUrl, now = () => new Date(), log }: {
  db: Db;
  /** Whose Stripe takes a package sale: the provider's own when connected, else the server's. */
  accounts: PaymentAccountsOptions;
  publicUrl: string;
  now?: () => Date;
  log?: (line: string) => void;
}) {
  const app = new Hono();
  const limit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => problem(c, 413, 'body-too-large', 'The body is over 16 KB') });

  app.get('/api/providers/:slug/packages', async (c) => {
    const body = await db.rpc('get_public_packages', { p_slug: c.req.param('slug') });
    if (!body) return notFound(c, 'Provider');
    return c.json(body, 200, { 'cache-control': 'public, max-age=30' });
  });

  app.post('/api/providers/:slug/packages/:id/checkout', limit, async (c) => {
    const form = /^application\/x-www-form-urlencoded\b/i.test(c.req.header('content-type') ?? '');
    const parsed = form ? readForm(c, await c.req.parseBody()) : await readJson(c, packageCheckoutSchema);
    // The package page's form comes back to the page, which says what to fix (no page script to read a problem).
    if (!parsed.ok && form) return c.redirect(`/p/${encodeURIComponent(c.req.param('slug'))}?error=contact`, 303);
    if (!parsed.ok) return parsed.response;
    const id = c.req.param('id');
    if (!uuid.test(id)) return notFound(c, 'Package');
    const outcome = await startPackagePurchase({ db, accounts, publicUrl, log }, { slug: c.req.param('slug'), packageId: id, ...parsed.value });
    if (outcome.kind === 'not-found') return notFound(c, 'Package');
    if (outcome.kind === 'payments-unavailable') {
      return problem(c, 503, 'payments-unavailable', 'Online payment is not available', {
        detail: 'This provider cannot take payments online right now. Ask them about paying in cash or by transfer.',
      }, { 'retry-after': '30' });
    }
    // Not a redirect: a page's CSP `form-action 'self'` also covers where its form's answer redirects to, and Checkout
    // lives on Stripe's origin. A plain page that moves on by itself (and offers the link) is a new navigation.
    if (form) return toCheckout(c, outcome.url);
    return c.json({ url: outcome.url, walletUrl: outcome.walletUrl }, 201, NO_STORE);
  });

  app.get('/api/wallet/:token', async (c) => {
    const token = c.req.param('token');
    const wallet = looksLikeToken(token) ? await db.rpc('get_wallet', { p_token_hash: hashToken(token), p_now: now() }) : null;
    if (!wallet) return notFound(c, 'Wallet');
    return c.json(wallet, 200, { ...NO_STORE, 'referrer-policy': 'no-referrer' });
  });
  return app;
}

function toCheckout(c: Context, url: string): Response {
  const href = htmlText(url);
  return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0;url=${href}"><meta name="referrer" content="no-referrer"><title>Payment</title></head>
<body><main><p><a href="${href}">Continue to payment</a></p></main></body></html>`, 200, {
    ...NO_STORE, 'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  });
}

/** The package page's form, checked with the same schema as JSON. */
function readForm(c: Context, body: Record<string, unknown>) {
  const parsed = packageCheckoutSchema.safeParse({
    name: typeof body.name === 'string' ? body.name : undefined,
    email: typeof body.email === 'string' ? body.email : undefined,
    phone: typeof body.phone === 'string' ? body.phone : undefined,
  });
  return parsed.success
    ? { ok: true as const, value: parsed.data }
    : { ok: false as const, response: invalid(c, fieldErrors(parsed.error)) };
}
