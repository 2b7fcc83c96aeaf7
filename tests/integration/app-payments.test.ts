import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentConnectedSchema, paymentDisconnectedSchema, paymentKeyCheckSchema, paymentStatusSchema } from '../../contract/app-api.ts';
import { startLocalStripe } from '../../server/payments/local-stripe.ts';
import { stripeClient } from '../../server/payments/stripe.ts';
import { sweepHolds } from '../../server/payments/sweep.ts';
import { assertSecretsReadable } from '../../server/secrets/check.ts';
import { AppClient, signInOwner, signInWithCode, startAppServer, type AppServer } from '../support/app-client.ts';
import { daysAfter, mondayAfterTwoWeeks } from '../support/clock.ts';
import { until } from '../support/until.ts';

/**
 * A provider connects their own Stripe account from the app (issue 12): the key is tried against Stripe (the local
 * fake through the official client, STRIPE_API_BASE), stored encrypted, and from then on checkout, the webhook (a
 * per-provider endpoint signed with the provider's secret), refunds and disconnecting use it. The server's own
 * account (here the app harness's local Stripe) stays for everyone who has not connected one. PGlite.
 */
const NOW = mondayAfterTwoWeeks();
const { at } = daysAfter(NOW);
const KEY = 'sk_test_laylaOwnKey1234567890';
const WHSEC = 'whsec_laylaSigningSecret123456';
const BEE_WHSEC = 'whsec_beeSigningSecret12345678';

let server: AppServer;
let providerStripe: Awaited<ReturnType<typeof startLocalStripe>>;
let owner: AppClient;
let base: string;
let pid: string;

beforeAll(async () => {
  // The provider's own Stripe account: accepts only the provider's key (a wrong key is refused as Stripe would).
  providerStripe = await startLocalStripe({ webhookSecret: WHSEC, acceptKeys: [KEY], accountName: 'Layla Fitness' });
  server = await startAppServer({
    start: NOW,
    env: {
      SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0', SIGNUP: 'open',
      SECRETS_KEY: randomBytes(32).toString('base64'), STRIPE_API_BASE: providerStripe.url,
    },
  });
  ({ owner, base } = await signInOwner(server));
  pid = base.split('/').pop()!;
});
afterAll(async () => {
  await server?.close();
  await providerStripe?.close();
});

/** A visitor books the demo's paid "session" at `start`: the booking and its checkout. */
async function book(start: string, email = 'payer@example.com') {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'demo', service: 'session', start, name: 'Payer', email }),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  expect(body.next.type).toBe('payment');
  return {
    bookingId: body.booking.id as string, manageUrl: body.manageUrl as string,
    checkoutUrl: body.next.url as string, sessionId: (body.next.url as string).split('/pay/')[1],
  };
}
const hook = (path: string, event: { payload: string; header: string }) => fetch(`${server.url}${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, body: event.payload,
});
const bookingOf = (id: string) => owner.json('GET', `${base}/bookings/${id}`, undefined, 200);
const status = async () => paymentStatusSchema.parse(await owner.json('GET', `${base}/payments`, undefined, 200));
/** Nothing the app is answered may carry a secret. */
const noSecrets = (text: string) => {
  expect(text).not.toContain(KEY);
  expect(text).not.toContain(WHSEC);
  expect(text).not.toMatch(/sk_(test|live)_\w|rk_\w|whsec_\w|ciphertext/);
};

describe('connecting a provider\'s own Stripe account', () => {
  let paid: Awaited<ReturnType<typeof book>>;

  it('before: the server\'s account (here its local test checkout) takes the payments; the webhook address is the provider\'s', async () => {
    const s = await status();
    expect(s).toMatchObject({ connected: false, source: 'server', mode: 'test', testCheckout: true });
    expect(s.webhookUrl).toBe(`${server.config.publicUrl}/api/stripe/webhook/${pid}`);
    expect(s.webhookEvents).toEqual(expect.arrayContaining(['checkout.session.completed', 'checkout.session.expired']));
  });

  it('the key test answers in plain words: a wrong key, the publishable key, and a good key with its account and mode', async () => {
    const wrong = paymentKeyCheckSchema.parse(await owner.json('POST', `${base}/payments/test`, { secretKey: 'sk_test_notTheRightKey123456' }, 200));
    expect(wrong).toEqual({ ok: false, field: 'secretKey', message: expect.stringMatching(/Stripe refused this key/) });
    const publishable = await owner.json('POST', `${base}/payments/test`, { secretKey: 'pk_test_abcdefghijklmnop' }, 200);
    expect(publishable).toMatchObject({ ok: false, field: 'secretKey', message: expect.stringMatching(/publishable key/) });
    const good = paymentKeyCheckSchema.parse(await owner.json('POST', `${base}/payments/test`, { secretKey: KEY }, 200));
    expect(good).toEqual({ ok: true, mode: 'test', accountName: 'Layla Fitness', message: expect.stringMatching(/Layla Fitness.*test mode/) });
    // Tested with the official client against STRIPE_API_BASE, with the pasted key; nothing stored.
    expect(providerStripe.keysSeen).toContainEqual({ method: 'GET', path: '/v1/account', key: KEY });
    expect(await server.db.rpc('payment_account_for_provider', { p_provider_id: pid })).toBeNull();
  });

  it('saving a bad key or signing secret is a 400 naming the field, and stores nothing', async () => {
    const badKey = await owner.request('POST', `${base}/payments`, { secretKey: 'sk_test_notTheRightKey123456', webhookSecret: WHSEC });
    expect(badKey.status).toBe(400);
    const problem = await badKey.json();
    expect(problem.errors).toEqual([{ field: 'secretKey', message: expect.stringMatching(/Stripe refused this key/) }]);
    const badSecret = await owner.request('POST', `${base}/payments`, { secretKey: KEY, webhookSecret: 'sk_test_swapped12345' });
    expect(badSecret.status).toBe(400);
    expect((await badSecret.json()).errors.map((e: { field: string }) => e.field)).toEqual(['webhookSecret']);
    expect(await server.db.rpc('payment_account_for_provider', { p_provider_id: pid })).toBeNull();
    expect((await status()).connected).toBe(false);
  });

  it('saving a good key stores both secrets encrypted and never answers them', async () => {
    const res = await owner.request('POST', `${base}/payments`, { secretKey: KEY, webhookSecret: WHSEC });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    noSecrets(text);
    expect(paymentConnectedSchema.parse(JSON.parse(text))).toMatchObject({ connected: true, source: 'provider', mode: 'test', accountName: 'Layla Fitness', testCheckout: false });
    const stored = await server.db.rpc('payment_account_for_provider', { p_provider_id: pid });
    expect(stored?.secret).toEqual({ ciphertext: expect.any(String), iv: expect.any(String), tag: expect.any(String) });
    expect(JSON.stringify(stored)).not.toContain(KEY.slice(8));
    noSecrets(JSON.stringify(await owner.json('GET', `${base}/payments`, undefined, 200)));
    // Start-up proves SECRETS_KEY against the stored Stripe keys too: the right key reads them, another is refused.
    const check = await assertSecretsReadable(server.db, server.config.calendars.secretsKey, () => {});
    expect(check).toEqual({ checked: 1, unreadable: [] });
    await expect(assertSecretsReadable(server.db, randomBytes(32), () => {})).rejects.toThrow(/not the key they were saved with/);
  });

  it('a paid booking checks out with the provider\'s key at the provider\'s Stripe, not the server\'s', async () => {
    const serverSessions = server.stripe.sessions.size;
    paid = await book(at(1, '05:00'));
    expect(paid.checkoutUrl.startsWith(providerStripe.url)).toBe(true);
    expect(providerStripe.sessions.has(paid.sessionId)).toBe(true);
    expect(providerStripe.keysSeen).toContainEqual({ method: 'POST', path: '/v1/checkout/sessions', key: KEY });
    expect(server.stripe.sessions.size).toBe(serverSessions);
  });

  it('the per-provider webhook refuses a wrong signature, and the server\'s webhook does not take the provider\'s events', async () => {
    const session = providerStripe.pay(paid.sessionId);
    const forged = providerStripe.event('checkout.session.completed', session, { secret: 'whsec_notTheProvidersSecret1' });
    const wrong = await hook(`/api/stripe/webhook/${pid}`, forged);
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).type).toMatch(/bad-signature$/);
    expect((await hook('/api/stripe/webhook', providerStripe.event('checkout.session.completed', session))).status).toBe(400);
    expect((await bookingOf(paid.bookingId)).status).toBe('pending');
    expect((await status()).lastWebhookAt).toBeNull();
  });

  it('an event signed with the provider\'s secret (Stripe\'s own test helper) on their endpoint confirms the booking', async () => {
    const event = providerStripe.event('checkout.session.completed', providerStripe.sessions.get(paid.sessionId)!);
    const res = await hook(`/api/stripe/webhook/${pid}`, event);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'confirmed' });
    expect(await bookingOf(paid.bookingId)).toMatchObject({ status: 'confirmed', payment: { status: 'paid' } });
    expect((await status()).lastWebhookAt).toEqual(expect.any(String));
  });

  it('another provider\'s signing secret cannot speak for this provider\'s bookings', async () => {
    const bee = new AppClient(server);
    expect((await signInWithCode(bee, server.logs, 'bee@example.com')).status).toBe(200);
    const made = await bee.json('POST', '/api/app/providers', {
      name: 'Bee Tutoring', slug: 'bee', timezone: 'Asia/Riyadh', hoursPreset: 'sun-thu-9-5', service: { title: 'Lesson', durationMinutes: 60, priceCents: 5000, currency: 'SAR' },
    }, 201);
    const beeId = made.provider.id as string;
    await bee.json('POST', `/api/app/providers/${beeId}/payments`, { secretKey: KEY, webhookSecret: BEE_WHSEC }, 201);

    // Bee is refused every payment route of Layla's provider (404, as for any other provider's rows).
    for (const [method, body] of [['GET'], ['POST', { secretKey: KEY, webhookSecret: BEE_WHSEC }], ['DELETE', {}]] as const) {
      const res = await bee.request(method, `${base}/payments`, body);
      expect(res.status, method).toBe(404);
    }
    expect((await bee.request('POST', `${base}/payments/test`, { secretKey: KEY })).status).toBe(404);

    // An event for Layla's hold, signed with Bee's secret on Bee's endpoint: verified, but not Bee's booking.
    const hold = await book(at(1, '07:00'), 'second@example.com');
    const session = providerStripe.pay(hold.sessionId);
    const res = await hook(`/api/stripe/webhook/${beeId}`, providerStripe.event('checkout.session.completed', session, { secret: BEE_WHSEC }));
    expect(await res.json()).toEqual({ received: true, handled: false });
    expect((await bookingOf(hold.bookingId)).status).toBe('pending');

    // Disconnecting while that visitor is paying is refused, in plain words; the abandoned checkout then frees it.
    const refused = await owner.request('DELETE', `${base}/payments`, {});
    expect(refused.status).toBe(409);
    const problem = await refused.json();
    expect(problem.type).toMatch(/payments-in-flight$/);
    expect(problem.title).toMatch(/paying/);
    const expired = await hook(`/api/stripe/webhook/${pid}`, providerStripe.event('checkout.session.expired', { ...session, status: 'expired' }));
    expect(await expired.json()).toMatchObject({ outcome: 'released' });
  });

  it('cancelling with a refund: the refund job refunds at the provider\'s Stripe with the provider\'s key', async () => {
    const res = await owner.json('POST', `${base}/bookings/${paid.bookingId}/cancel`, { reason: 'Ill', refund: true }, 200);
    expect(res.status).toBe('cancelled');
    await until(async () => (await bookingOf(paid.bookingId)).payment?.status === 'refunded', 'the refund to be recorded');
    const pi = providerStripe.sessions.get(paid.sessionId)!.payment_intent;
    expect(providerStripe.refunds.map((r) => r.payment_intent)).toEqual([pi]);
    expect(providerStripe.keysSeen).toContainEqual({ method: 'POST', path: '/v1/refunds', key: KEY });
    expect(server.stripe.refunds).toEqual([]);
  });

  it('the hold sweep closes a let-go hold\'s checkout at the provider\'s Stripe, with the provider\'s key', async () => {
    const hold = await book(at(2, '07:00'), 'fourth@example.com');
    const cancel = await fetch(`${server.url}/api/bookings/${hold.manageUrl.split('/b/')[1]}/cancel`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'changed my mind' }),
    });
    expect(cancel.status).toBe(200);
    expect(providerStripe.sessions.get(hold.sessionId)!.status).toBe('open');
    const result = await sweepHolds(server.db, stripeClient('sk_test_local', server.stripe.url), {
      secretsKey: server.config.calendars.secretsKey, apiBase: server.config.stripeApiBase,
    });
    expect(result.sessionsClosed).toBeGreaterThanOrEqual(1);
    expect(providerStripe.sessions.get(hold.sessionId)!.status).toBe('expired');
    expect(providerStripe.keysSeen).toContainEqual({ method: 'POST', path: `/v1/checkout/sessions/${hold.sessionId}/expire`, key: KEY });
  });

  it('disconnecting removes the keys; paid services go back to the server\'s account', async () => {
    const res = await owner.request('DELETE', `${base}/payments`, {});
    const text = await res.text();
    expect(res.status, text).toBe(200);
    noSecrets(text);
    expect(paymentDisconnectedSchema.parse(JSON.parse(text))).toMatchObject({ removed: 1, connected: false, source: 'server' });
    expect(await server.db.rpc('payment_account_for_provider', { p_provider_id: pid })).toBeNull();
    expect((await hook(`/api/stripe/webhook/${pid}`, providerStripe.event('checkout.session.completed', providerStripe.sessions.get(paid.sessionId)!))).status).toBe(404);
    const after = await book(at(2, '05:00'), 'third@example.com');
    expect(after.checkoutUrl.startsWith(server.stripe.url)).toBe(true);
  });

  it('writes follow the app\'s rules: JSON with the app\'s Origin, no unknown fields', async () => {
    const foreign = await owner.request('POST', `${base}/payments`, { secretKey: KEY, webhookSecret: WHSEC }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const extra = await owner.request('POST', `${base}/payments/test`, { secretKey: KEY, publishableKey: 'pk_test_x' });
    expect(extra.status).toBe(400);
    expect((await status()).connected).toBe(false);
  });
});
