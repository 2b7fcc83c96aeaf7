import { createServer, type IncomingMessage, type Server } from 'node:http';
import { htmlText } from '../pages/escape.ts';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

type Session = Record<string, any>;

/** Parses Stripe's form encoding (`a[b][0][c]=1`) into nested objects. */
function parseForm(body: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const keys = rawKey.replace(/\]/g, '').split('[');
    let node = out;
    keys.forEach((key, i) => {
      if (i === keys.length - 1) node[key] = value;
      else node = node[key] ??= {};
    });
  }
  return out;
}

const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;

const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${title}</title>
<style>body{font:16px system-ui,sans-serif;background:#f6f7f9;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border-radius:12px;padding:2rem;max-width:26rem;box-shadow:0 2px 12px #0001}
button{font:inherit;padding:.7rem 1.2rem;border-radius:8px;border:0;cursor:pointer;margin-right:.5rem}
.pay{background:#635bff;color:#fff}.cancel{background:#e5e7eb}.note{color:#555;font-size:.9rem}</style></head>
<body><main>${body}</main></body></html>`;


/**
 * A local stand-in for the parts of Stripe's API Slotline uses — Checkout Sessions (create,
 * retrieve, expire), Refunds (create, list), the key's account and balance (the app's key test) — with Stripe's idempotency-key behaviour and error
 * shape, for the official `stripe` client (`STRIPE_API_BASE`). Events are built from its
 * sessions and signed with Stripe's own `webhooks.generateTestHeaderString`.
 *
 * Tests drive it directly; `npm start` without Stripe keys runs it as a test-mode checkout
 * (`/pay/<session>` with Pay and Cancel buttons, no real money) so the demo's paid service
 * works end to end. With `webhookUrl`, paying delivers the signed event there.
 */
export async function startLocalStripe(options: {
  webhookSecret: string; webhookUrl?: string; port?: number;
  /** Only these API keys are accepted (others answer 401, as Stripe does for a wrong key); default: any sk_/rk_ key. */
  acceptKeys?: string[];
  /** The account `GET /v1/account` describes (the provider app's key test shows its name). */
  accountName?: string;
}) {
  const sessions = new Map<string, Session>();
  const refunds: Record<string, any>[] = [];
  const idempotent = new Map<string, { status: number; body: unknown }>();
  /** Which API key each request came with (`POST /v1/checkout/sessions` → 'sk_test_…'), for tests to check. */
  const keysSeen: { method: string; path: string; key: string }[] = [];
  const accountId = id('acct');
  /** Test controls: `failRefunds` refund calls answer 500 before refunds work again. */
  const control = { failRefunds: 0 };
  const signer = new Stripe('sk_test_fake');
  let base = '';

  async function read(req: IncomingMessage) {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    return parseForm(raw);
  }

  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, message: string, code?: string) =>
      send(status, { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}) } });
    if (!req.url?.startsWith('/pay/')) {
      const apiKey = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!/^(sk|rk)_/.test(apiKey) || (options.acceptKeys && !options.acceptKeys.includes(apiKey))) {
        return error(401, 'Invalid API Key provided');
      }
      keysSeen.push({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], key: apiKey });
    }
    const key = req.headers['idempotency-key'] as string | undefined;
    const cacheKey = key ? `${req.method} ${req.url} ${key}` : '';
    if (cacheKey && idempotent.has(cacheKey)) {
      const hit = idempotent.get(cacheKey)!;
      return send(hit.status, hit.body);
    }
    const reply = (status: number, body: unknown) => {
      if (cacheKey) idempotent.set(cacheKey, { status, body });
      send(status, body);
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const body = req.method === 'POST' ? await read(req) : {};
    const checkout = /^\/pay\/(cs_test_[0-9a-f]+)(?:\/(confirm|cancel))?$/.exec(url.pathname);
    if (checkout) return checkoutPage(checkout[1], checkout[2], req.method ?? 'GET', res);

    if (req.method === 'GET' && url.pathname === '/v1/account') {
      return send(200, {
        id: accountId, object: 'account', email: 'owner@example.com', charges_enabled: true,
        business_profile: { name: options.accountName ?? null }, settings: { dashboard: { display_name: options.accountName ?? null } },
      });
    }
    if (req.method === 'GET' && url.pathname === '/v1/balance') {
      return send(200, { object: 'balance', available: [], pending: [], livemode: false });
    }
    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const item = body.line_items?.['0'];
      if (!item?.price_data?.unit_amount || !body.success_url) return error(400, 'Missing required param');
      const expiresAt = Number(body.expires_at);
      const now = Math.floor(Date.now() / 1000);
      if (expiresAt && (expiresAt < now + 1800 || expiresAt > now + 86400)) {
        return error(400, 'The `expires_at` timestamp must be between 30 minutes and 24 hours from now');
      }
      const sid = id('cs');
      const session: Session = {
        id: sid, object: 'checkout.session', mode: body.mode, status: 'open', payment_status: 'unpaid',
        url: `${base}/pay/${sid}`, client_reference_id: body.client_reference_id ?? null,
        metadata: body.metadata ?? {}, amount_total: Number(item.quantity ?? 1) * Number(item.price_data.unit_amount),
        currency: item.price_data.currency, line_items_name: item.price_data.product_data?.name, customer_email: body.customer_email ?? null,
        expires_at: expiresAt || now + 86400, payment_intent: null,
        success_url: body.success_url, cancel_url: body.cancel_url,
      };
      sessions.set(sid, session);
      return reply(200, session);
    }
    const expire = /^\/v1\/checkout\/sessions\/([\w]+)\/expire$/.exec(url.pathname);
    if (req.method === 'POST' && expire) {
      const session = sessions.get(expire[1]);
      if (!session) return error(404, 'No such checkout.session');
      if (session.status !== 'open') return error(400, `Only Checkout Sessions with a status in ["open"] can be expired`);
      session.status = 'expired';
      return reply(200, session);
    }
    const get = /^\/v1\/checkout\/sessions\/([\w]+)$/.exec(url.pathname);
    if (req.method === 'GET' && get) {
      const session = sessions.get(get[1]);
      return session ? send(200, session) : error(404, 'No such checkout.session');
    }
    if (req.method === 'POST' && url.pathname === '/v1/refunds' && control.failRefunds > 0) {
      // An outage the client must not retry on its own (Stripe-Should-Retry: false): the caller's retry is tested.
      control.failRefunds--;
      res.writeHead(500, { 'content-type': 'application/json', 'stripe-should-retry': 'false', 'request-id': id('req') });
      return res.end(JSON.stringify({ error: { type: 'api_error', message: 'Something went wrong on Stripe\'s end.' } }));
    }
    if (req.method === 'GET' && url.pathname === '/v1/refunds') {
      const pi = url.searchParams.get('payment_intent');
      return send(200, { object: 'list', data: refunds.filter((r) => !pi || r.payment_intent === pi), has_more: false, url: '/v1/refunds' });
    }
    if (req.method === 'POST' && url.pathname === '/v1/refunds') {
      const pi = body.payment_intent;
      const session = [...sessions.values()].find((s) => s.payment_intent === pi);
      if (!session) return error(404, `No such payment_intent: '${pi}'`);
      if (refunds.some((r) => r.payment_intent === pi)) return error(400, `Charge for ${pi} has already been refunded.`, 'charge_already_refunded');
      const refund = { id: id('re'), object: 'refund', payment_intent: pi, amount: session.amount_total, status: 'succeeded', metadata: body.metadata ?? {} };
      refunds.push(refund);
      return reply(200, refund);
    }
    return error(404, `Unrecognized request URL (${req.method}: ${url.pathname})`);
  });
  /** The hosted checkout page a visitor is sent to: Pay delivers the signed webhook, Cancel returns. */
  async function checkoutPage(sid: string, action: string | undefined, method: string, res: import('node:http').ServerResponse) {
    const session = sessions.get(sid);
    const html = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(text);
    };
    if (!session) return html(404, page('Not found', '<h1>Checkout not found</h1>'));
    if (method === 'POST' && action === 'cancel') {
      res.writeHead(303, { location: session.cancel_url });
      return res.end();
    }
    if (method === 'POST' && action === 'confirm' && session.status === 'open') {
      pay(sid);
      if (options.webhookUrl) {
        const event = makeEvent('checkout.session.completed', session);
        await fetch(options.webhookUrl, {
          method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, body: event.payload,
        }).catch(() => undefined);
      }
      res.writeHead(303, { location: session.success_url });
      return res.end();
    }
    if (session.status !== 'open') return html(410, page('Checkout closed', `<h1>This checkout is ${htmlText(session.status)}</h1>`));
    const amount = new Intl.NumberFormat('en', { style: 'currency', currency: session.currency.toUpperCase() }).format(session.amount_total / 100);
    return html(200, page('Test checkout', `<h1>Test checkout</h1><p>Pay <strong>${htmlText(amount)}</strong>
      for ${htmlText(String(session.line_items_name ?? 'your booking'))}.</p>
      <p class="note">Local test mode: no card, no real money. Set STRIPE_SECRET_KEY to take real payments.</p>
      <form method="post" action="/pay/${sid}/confirm"><button class="pay">Pay ${htmlText(amount)}</button></form>
      <form method="post" action="/pay/${sid}/cancel"><button class="cancel">Cancel</button></form>`));
  }

  function pay(sessionId: string, paymentStatus: 'paid' | 'unpaid' = 'paid') {
    const s = sessions.get(sessionId)!;
    s.status = 'complete';
    s.payment_status = paymentStatus;
    s.payment_intent = id('pi');
    return s;
  }

  function makeEvent(type: string, session: Session, opts: { timestamp?: number; secret?: string } = {}) {
    const payload = JSON.stringify({
      id: id('evt'), object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000),
      data: { object: { ...session } }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null },
    });
    const header = signer.webhooks.generateTestHeaderString({
      payload, secret: opts.secret ?? options.webhookSecret, timestamp: opts.timestamp,
    });
    return { payload, header };
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url: base,
    sessions,
    refunds,
    keysSeen,
    control,
    /** Forgets idempotency keys, as Stripe does after 24 hours. */
    forgetIdempotencyKeys: () => idempotent.clear(),
    /** The visitor pays: the session completes with a payment intent. */
    pay,
    /** A Stripe event for a session, with its signed header (`Stripe-Signature`). */
    event: makeEvent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
