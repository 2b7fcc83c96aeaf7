import { createHash, randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditLine } from '../../contract/credit-line.ts';
import { manageViewSchema } from '../../contract/api.ts';
import { stripeClient } from '../../server/payments/stripe.ts';
import { DbError } from '../../server/db/port.ts';
import { hashToken } from '../../server/bookings/tokens.ts';
import { redactPath, redactedLogLine } from '../../server/http/redact.ts';
import type { Provider } from '../../server/providers/public.ts';
import { startFakeStripe } from '../support/fake-stripe.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeProvider } from '../support/fixtures.ts';
import { until } from '../support/until.ts';
import { jobHandlers } from '../../server/jobs/handlers.ts';

/**
 * Packages and credits (supabase/migrations/20261201000700_packages.sql, server/packages/) on PGlite through the real
 * server: a package bought through the local Stripe fake and granted by a signed webhook (once), a booking paid with a
 * credit, the credit line on the manage view, expiry, the credit given back on cancel inside the refund window only,
 * and the wallet link's secrecy. The race for the last credit runs on PostgreSQL 15 (packages-postgres.test.ts).
 */

const SECRET = 'whsec_packages';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let stripe: Awaited<ReturnType<typeof startFakeStripe>>;
let server: TestServer;
let pg: PGlite;
let provider: Provider;
let ownerId: string;
let tenPack: { id: string };
let hour = 0;
/** A fresh start on the hour, days ahead of the real clock (the database judges holds and windows by its own). */
const nextStart = () => new Date(Math.floor(Date.now() / HOUR) * HOUR + 3 * DAY + ++hour * HOUR).toISOString();

beforeAll(async () => {
  stripe = await startFakeStripe({ webhookSecret: SECRET });
  const payments = { stripe: stripeClient('sk_test_123', stripe.url), webhookSecret: SECRET };
  // The worker sends booking emails too (kept in the outbox without SMTP), so the confirmation can be read back.
  server = await startTestServer({
    payments, seed: false, jobs: { handlers: jobHandlers({ payments, notify: { mailer: null, publicUrl: 'http://127.0.0.1' } }) },
  });
  pg = (server.db as unknown as { pg: PGlite }).pg;
  provider = await makeProvider(server.db, {
    slug: 'coach',
    settings: { booking: { slotStepMinutes: 60, refundUntilHoursBefore: 24, cancelUntilHoursBefore: 1, minNoticeMinutes: 0, horizonDays: 60 } },
    services: [{ slug: 'pt', title: 'Personal training', durationMinutes: 60, priceCents: 25000, currency: 'AED' }],
  });
  ownerId = (await pg.query<{ owner_user_id: string }>('select owner_user_id from providers where id = $1', [provider.id])).rows[0].owner_user_id;
  tenPack = await savePackage({ title: '10 sessions', sessions: 10, priceCents: 200000, validityDays: 90 });
});
afterAll(async () => {
  await server?.close();
  await stripe?.close();
});

function savePackage(p: Record<string, unknown>) {
  return server.db.rpc('app_save_package', {
    p_user_id: ownerId, p_provider_id: provider.id, p_package_id: null,
    p_package: { serviceId: provider.services[0].id, currency: 'AED', ...p },
  });
}
const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});
const deliver = (event: { payload: string; header: string }) => fetch(`${server.url}/api/stripe/webhook`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, body: event.payload,
});
const wallet = async (token: string) => (await fetch(`${server.url}/api/wallet/${token}`)).json();
const tokenOf = (url: string) => url.split('/w/')[1];

/** Buys a package for `email` through Checkout and the signed webhook; returns the wallet token. */
async function buy(email: string, packageId = tenPack.id): Promise<string> {
  const res = await post(`/api/providers/coach/packages/${packageId}/checkout`, { name: 'Sam', email });
  expect(res.status).toBe(201);
  const { url, walletUrl } = await res.json();
  const session = stripe.sessions.get(url.split('/pay/')[1])!;
  expect((await (await deliver(stripe.event('checkout.session.completed', stripe.pay(session.id)))).json()).outcome).toBe('granted');
  return tokenOf(walletUrl);
}

function bookWithCredit(token: string, start: string, overrides: Record<string, unknown> = {}) {
  return server.db.rpc('book_with_credit', {
    p_wallet_token_hash: hashToken(token), p_service_id: provider.services[0].id, p_starts_at: start,
    p_customer_name: 'Sam', p_customer_email: 'sam@example.com', p_customer_phone: null, p_notes: '',
    p_customer_timezone: 'UTC', p_idempotency_key: null, p_manage_token_hash: hashToken(randomBytes(32).toString('base64url')),
    p_now: new Date(), ...overrides,
  });
}
const sqlCode = (promise: Promise<unknown>) => promise.then(() => 'ok', (e) => (e instanceof DbError ? `${e.code} ${e.message}` : String(e)));

describe('buying a package through Stripe Checkout', () => {
  it('lists the packages on sale, hidden ones left out', async () => {
    const hidden = await savePackage({ title: 'Old offer', sessions: 5, priceCents: 100, validityDays: 30, hidden: true });
    const body = await (await fetch(`${server.url}/api/providers/coach/packages`)).json();
    expect(body.provider).toMatchObject({ slug: 'coach', name: 'Provider coach' });
    expect(body.packages.map((p: { id: string }) => p.id)).toContain(tenPack.id);
    expect(body.packages.map((p: { id: string }) => p.id)).not.toContain(hidden.id);
    expect(body.packages.find((p: { id: string }) => p.id === tenPack.id)).toMatchObject({
      sessions: 10, priceCents: 200000, currency: 'AED', validityDays: 90, service: { slug: 'pt' },
    });
    expect((await post(`/api/providers/coach/packages/${hidden.id}/checkout`, { email: 'x@example.com' })).status).toBe(404);
    expect((await fetch(`${server.url}/api/providers/nobody/packages`)).status).toBe(404);
  });

  it('a pending sale grants nothing until the signed webhook; a replayed event does not grant twice', async () => {
    const res = await post(`/api/providers/coach/packages/${tenPack.id}/checkout`, { name: 'Ana', email: 'Ana@Example.com' });
    expect(res.status).toBe(201);
    const { url, walletUrl } = await res.json();
    const session = stripe.sessions.get(url.split('/pay/')[1])!;
    expect(session.metadata.credit_grant_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(session.amount_total).toBe(200000);
    expect(session.success_url).toBe(`${walletUrl}?payment=success`);

    const before = await wallet(tokenOf(walletUrl));
    expect(before.balance).toEqual([]);
    expect(before.grants[0]).toMatchObject({ status: 'pending', sessions: 10 });

    const event = stripe.event('checkout.session.completed', stripe.pay(session.id));
    expect((await (await deliver(event)).json()).outcome).toBe('granted');
    expect((await (await deliver(event)).json()).outcome).toBe('duplicate');
    // Another event for the same session (Stripe may send async success too) finds the sale granted already.
    const again = stripe.event('checkout.session.async_payment_succeeded', session);
    expect((await (await deliver(again)).json()).outcome).toBe('ignored');

    const after = await wallet(tokenOf(walletUrl));
    expect(after.email).toBe('ana@example.com');
    expect(after.grants).toHaveLength(1);
    expect(after.grants[0]).toMatchObject({ status: 'granted', used: 0, left: 10, source: 'stripe', paymentRef: session.payment_intent });
    expect(after.balance).toEqual([expect.objectContaining({ left: 10, service: { slug: 'pt', title: 'Personal training' } })]);
    const { rows } = await pg.query<{ n: number }>("select count(*)::int as n from credit_grants where status = 'granted' and wallet_id = $1", [after.id]);
    expect(rows[0].n).toBe(1);
  });

  it('a second purchase by the same client (any case) lands in the same wallet link', async () => {
    const first = await buy('repeat@example.com');
    const second = await buy('REPEAT@example.com');
    expect(second).toBe(first);
    expect((await wallet(first)).balance[0].left).toBe(20);
  });

  it('an abandoned checkout drops the pending sale', async () => {
    const { url, walletUrl } = await (await post(`/api/providers/coach/packages/${tenPack.id}/checkout`, { email: 'gone@example.com' })).json();
    const session = stripe.sessions.get(url.split('/pay/')[1])!;
    expect((await (await deliver(stripe.event('checkout.session.expired', { ...session, status: 'expired' }))).json()).outcome).toBe('cancelled');
    expect((await wallet(tokenOf(walletUrl))).grants).toEqual([]);
  });

  it('answers 503 without Stripe and 400 naming the field without a contact', async () => {
    const res = await post(`/api/providers/coach/packages/${tenPack.id}/checkout`, { name: 'No contact' });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].field).toBe('email');
    // The package page's form gets its page back, saying what to fix.
    const form = await fetch(`${server.url}/api/providers/coach/packages/${tenPack.id}/checkout`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=No+contact&email=&phone=', redirect: 'manual',
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/p/coach?error=contact');
    const bare = await startTestServer({ payments: null, localPayments: false, seed: false, db: server.db, jobs: false });
    try {
      const r = await fetch(`${bare.url}/api/providers/coach/packages/${tenPack.id}/checkout`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com' }),
      });
      expect(r.status).toBe(503);
    } finally {
      await bare.close();
    }
  });
});

describe('booking with a credit', () => {
  it('the booking POST with walletToken books at once without payment and spends one credit; the manage view says where the client stands', async () => {
    const token = await buy('booker@example.com');
    const res = await post('/api/bookings', { provider: 'coach', service: 'pt', start: nextStart(), name: 'Booker', email: 'booker@example.com', walletToken: token });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.booking.status).toBe('confirmed');
    expect(body.next).toEqual({ type: 'confirmed' });
    const view = await (await fetch(body.manageUrl.replace('/b/', '/api/bookings/'))).json();
    expect(view.credit).toMatchObject({ number: 1, sessions: 10, left: 9, returned: false });
    expect(manageViewSchema.safeParse(view).success).toBe(true); // the contract's answer, credit included
    expect(view.booking.payment).toBeNull();
    expect(creditLine(view.credit, 'en', 'UTC')).toMatch(/^Session 1 of 10 · 9 left, valid until \d{1,2} [A-Z][a-z]+$/);
    expect(creditLine(view.credit, 'ar', 'UTC')).toMatch(/^الجلسة ١ من ١٠ · متبقٍ ٩، صالحة حتى/);

    const w = await wallet(token);
    expect(w.balance[0].left).toBe(9);
    expect(w.history).toEqual([expect.objectContaining({ bookingId: body.booking.id, returnedAt: null })]);
    // The confirmation email says it too (kept in the outbox: no SMTP in tests).
    const confirmation = async () => (await pg.query<{ body_text: string | null; status: string }>(
      "select body_text, status from outbox where booking_id = $1 and kind = 'visitor.confirmation'", [body.booking.id])).rows[0];
    await until(async () => Boolean((await confirmation())?.body_text), 'the confirmation email');
    expect((await confirmation()).body_text).toMatch(/Session 1 of 10 · 9 left, valid until/);
  });

  it('answers 409 no-credit when every credit is spent, 404 for a wrong wallet link, and the slot stays free', async () => {
    const one = await savePackage({ title: 'Single', sessions: 1, priceCents: 30000, validityDays: 30 });
    const token = await buy('single@example.com', one.id);
    const first = await post('/api/bookings', { provider: 'coach', service: 'pt', start: nextStart(), email: 'single@example.com', walletToken: token });
    expect(first.status).toBe(201);
    const start = nextStart();
    const second = await post('/api/bookings', { provider: 'coach', service: 'pt', start, email: 'single@example.com', walletToken: token });
    expect(second.status).toBe(409);
    expect((await second.json()).type).toMatch(/no-credit$/);
    const wrong = await post('/api/bookings', { provider: 'coach', service: 'pt', start, email: 'single@example.com', walletToken: randomBytes(32).toString('base64url') });
    expect(wrong.status).toBe(404);
    const { rows } = await pg.query<{ n: number }>('select count(*)::int as n from bookings where starts_at = $1', [start]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses an expired credit with credit_expired, and uses the credit that expires first', async () => {
    const shortPack = await savePackage({ title: 'Short', sessions: 2, priceCents: 1000, validityDays: 7 });
    const token = await buy('expiry@example.com', shortPack.id);
    await buy('expiry@example.com'); // the 90-day pack
    const used = await bookWithCredit(token, nextStart());
    expect(used.credit).toMatchObject({ sessions: 2, left: 1 }); // the 7-day pack first

    const later = new Date(Date.now() + 8 * DAY);
    const afterShort = await bookWithCredit(token, nextStart(), { p_now: later });
    expect(afterShort.credit).toMatchObject({ sessions: 10, left: 9 }); // the short pack's last credit has expired

    const farLater = new Date(Date.now() + 91 * DAY);
    expect(await sqlCode(bookWithCredit(token, nextStart(), { p_now: farLater }))).toBe('SL409 credit_expired');
    // Through HTTP the same refusal is 409 credit-expired (the server's clock moved past both expiries).
    const { rows } = await pg.query<{ id: string }>(
      'select g.id from credit_grants g join credit_wallets w on w.id = g.wallet_id where w.token_hash = $1', [hashToken(token)]);
    await pg.query("update credit_grants set expires_at = now() - interval '1 second' where id = any($1)", [rows.map((r) => r.id)]);
    const res = await post('/api/bookings', { provider: 'coach', service: 'pt', start: nextStart(), email: 'expiry@example.com', walletToken: token });
    expect(res.status).toBe(409);
    expect((await res.json()).type).toMatch(/credit-expired$/);
  });

  it('a replay of the same idempotency key answers the same booking and spends nothing more', async () => {
    const token = await buy('replay@example.com');
    const request = { provider: 'coach', service: 'pt', start: nextStart(), email: 'replay@example.com', walletToken: token, idempotencyKey: 'replay-key-123' };
    expect((await post('/api/bookings', request)).status).toBe(201);
    const again = await post('/api/bookings', request);
    expect(again.status).toBe(200);
    expect((await wallet(token)).balance[0].left).toBe(9);
  });
});

describe('a cancelled booking gives its credit back inside the refund window only', () => {
  it('cancelled by the visitor more than refundUntilHoursBefore ahead: returned', async () => {
    const token = await buy('cancel-in@example.com');
    const manage = randomBytes(32).toString('base64url');
    await bookWithCredit(token, nextStart(), { p_manage_token_hash: hashToken(manage) });
    expect((await wallet(token)).balance[0].left).toBe(9);
    const res = await post(`/api/bookings/${manage}/cancel`, {});
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view.credit).toMatchObject({ returned: true, left: 10 });
    const w = await wallet(token);
    expect(w.balance[0].left).toBe(10);
    expect(w.history[0].returnedAt).not.toBeNull();
  });

  it('cancelled inside the last 24 hours: the credit stays spent', async () => {
    const token = await buy('cancel-late@example.com');
    const manage = randomBytes(32).toString('base64url');
    const soon = new Date(Math.ceil(Date.now() / HOUR) * HOUR + 3 * HOUR).toISOString();
    await bookWithCredit(token, soon, { p_manage_token_hash: hashToken(manage) });
    await server.db.rpc('cancel_booking', { p_token_hash: hashToken(manage), p_reason: 'late' });
    expect((await wallet(token)).balance[0].left).toBe(9);
  });

  it('cancelled by the provider in the app inside the window: returned (every cancel path)', async () => {
    const token = await buy('cancel-owner@example.com');
    const booked = await bookWithCredit(token, nextStart());
    await server.db.rpc('app_cancel_booking', {
      p_user_id: ownerId, p_provider_id: provider.id, p_booking_id: booked.booking.id, p_reason: 'ill', p_refund: null,
    });
    expect((await wallet(token)).balance[0].left).toBe(10);
  });
});

describe('the provider may decide about the credit when cancelling', () => {
  it('gives it back outside the window (returnCredit: true) or keeps it inside (false), in the cancel\'s transaction', async () => {
    const token = await buy('decide@example.com');
    const soon = new Date(Math.ceil(Date.now() / HOUR) * HOUR + 5 * HOUR).toISOString();
    const late = await bookWithCredit(token, soon);
    const early = await bookWithCredit(token, nextStart());
    expect((await wallet(token)).balance[0].left).toBe(8);
    const cancel = (id: string, returnCredit: boolean) => server.db.rpc('app_cancel_booking_credit', {
      p_user_id: ownerId, p_provider_id: provider.id, p_booking_id: id, p_reason: null, p_refund: null, p_return_credit: returnCredit,
    });
    await cancel(late.booking.id, true);
    expect((await wallet(token)).balance[0].left).toBe(9);
    await cancel(early.booking.id, false);
    expect((await wallet(token)).balance[0].left).toBe(9);
    // The decision held for those cancellations only: a later visitor cancel inside the window still returns.
    const manage = randomBytes(32).toString('base64url');
    await bookWithCredit(token, nextStart(), { p_manage_token_hash: hashToken(manage) });
    await server.db.rpc('cancel_booking', { p_token_hash: hashToken(manage), p_reason: null });
    expect((await wallet(token)).balance[0].left).toBe(9);
  });
});

describe('the wallet link is a secret', () => {
  it('only its sha256 is stored; a wrong, malformed or near-miss link answers the same 404', async () => {
    const token = await buy('secret@example.com');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { rows } = await pg.query<Record<string, unknown>>('select * from credit_wallets where client_key = $1', ['secret@example.com']);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
    const nearMiss = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const wrong of [nearMiss, randomBytes(32).toString('base64url'), 'short', `${token}x`]) {
      const res = await fetch(`${server.url}/api/wallet/${wrong}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('secret@example.com');
    }
    const page = await fetch(`${server.url}/w/${nearMiss}`);
    expect([404, 503]).toContain(page.status); // 503 only when the pages are not built
    // Never in a log line either.
    expect(redactedLogLine(`/w/${token}`, `GET /w/${token} failed: ${token}`)).toBe('GET /w/[redacted] failed: [redacted]');
    expect(redactPath(`/api/wallet/${token}`).path).toBe('/api/wallet/[redacted]');
    const ok = await fetch(`${server.url}/api/wallet/${token}`);
    expect(ok.headers.get('cache-control')).toBe('no-store');
  });
});

describe('the provider sells and lists in the owner functions', () => {
  it('erasing a client (GDPR) forgets them in their wallet too; the credits stay counted', async () => {
    const token = await buy('erase-me@example.com');
    await bookWithCredit(token, nextStart(), { p_customer_email: 'erase-me@example.com' });
    await server.db.rpc('app_erase_client', {
      p_user_id: ownerId, p_provider_id: provider.id, p_client_key: 'erase-me@example.com', p_now: new Date(Date.now() + 30 * DAY),
    });
    const { rows } = await pg.query<Record<string, unknown>>('select * from credit_wallets where token_hash = $1', [hashToken(token)]);
    expect(rows[0]).toMatchObject({ client_name: '', client_email: null, client_phone: null });
    expect(JSON.stringify(rows)).not.toContain('erase-me');
    expect((await wallet(token)).grants[0]).toMatchObject({ used: 1, left: 9 });
  });

  it('a cash sale grants at once; another provider\'s owner gets 404', async () => {
    const sale = await server.db.rpc('app_record_package_sale', {
      p_user_id: ownerId, p_provider_id: provider.id, p_package_id: tenPack.id, p_email: null, p_phone: '+971500000001',
      p_name: 'Cash client', p_source: 'cash', p_payment_ref: 'receipt 12', p_wallet_token_hash: hashToken(randomBytes(32).toString('base64url')),
      p_now: new Date(),
    });
    expect(sale.grant).toMatchObject({ status: 'granted', source: 'cash', left: 10, paymentRef: 'receipt 12' });
    const list = await server.db.rpc('app_list_wallets', { p_user_id: ownerId, p_provider_id: provider.id, p_now: new Date() });
    expect(list.some((w) => w.phone === '+971500000001')).toBe(true);

    const other = await makeProvider(server.db, { slug: 'other-coach' });
    const otherOwner = (await pg.query<{ owner_user_id: string }>('select owner_user_id from providers where id = $1', [other.id])).rows[0].owner_user_id;
    for (const call of [
      server.db.rpc('app_list_packages', { p_user_id: otherOwner, p_provider_id: provider.id }),
      server.db.rpc('app_record_package_sale', {
        p_user_id: otherOwner, p_provider_id: other.id, p_package_id: tenPack.id, p_email: 'x@example.com', p_phone: null,
        p_name: '', p_source: 'cash', p_payment_ref: null, p_wallet_token_hash: hashToken('x'), p_now: new Date(),
      }),
      server.db.rpc('app_save_package', { p_user_id: otherOwner, p_provider_id: other.id, p_package_id: tenPack.id, p_package: { hidden: true } }),
    ]) {
      expect(await sqlCode(call)).toMatch(/^SL404/);
    }
  });
});
