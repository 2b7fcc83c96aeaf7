import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { freePort } from './postgres.ts';

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

/**
 * A local stand-in for the parts of Stripe's API Slotline uses — Checkout Sessions (create,
 * retrieve, expire) and Refunds (create) — with Stripe's idempotency-key behaviour and error
 * shape, for the official `stripe` client (`STRIPE_API_BASE`). Events are built from its
 * sessions and signed with Stripe's own `webhooks.generateTestHeaderString`.
 */
export async function startFakeStripe(options: { webhookSecret: string }) {
  const sessions = new Map<string, Session>();
  const refunds: Record<string, any>[] = [];
  const idempotent = new Map<string, { status: number; body: unknown }>();
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
    const error = (status: number, message: string) =>
      send(status, { error: { type: 'invalid_request_error', message } });
    if (!String(req.headers.authorization ?? '').startsWith('Bearer sk_')) return error(401, 'Invalid API Key provided');
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
        currency: item.price_data.currency, customer_email: body.customer_email ?? null,
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
    if (req.method === 'POST' && url.pathname === '/v1/refunds') {
      const pi = body.payment_intent;
      const session = [...sessions.values()].find((s) => s.payment_intent === pi);
      if (!session) return error(404, `No such payment_intent: '${pi}'`);
      if (refunds.some((r) => r.payment_intent === pi)) return error(400, `Charge for ${pi} has already been refunded.`);
      const refund = { id: id('re'), object: 'refund', payment_intent: pi, amount: session.amount_total, status: 'succeeded', metadata: body.metadata ?? {} };
      refunds.push(refund);
      return reply(200, refund);
    }
    return error(404, `Unrecognized request URL (${req.method}: ${url.pathname})`);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    sessions,
    refunds,
    /** The visitor pays: the session completes with a payment intent. */
    pay(sessionId: string, paymentStatus: 'paid' | 'unpaid' = 'paid') {
      const s = sessions.get(sessionId)!;
      s.status = 'complete';
      s.payment_status = paymentStatus;
      s.payment_intent = id('pi');
      return s;
    },
    /** A Stripe event for a session, with its signed header (`Stripe-Signature`). */
    event(type: string, session: Session, opts: { timestamp?: number; secret?: string } = {}) {
      const payload = JSON.stringify({
        id: id('evt'), object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000),
        data: { object: { ...session } }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null },
      });
      const header = signer.webhooks.generateTestHeaderString({
        payload, secret: opts.secret ?? options.webhookSecret, timestamp: opts.timestamp,
      });
      return { payload, header };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
