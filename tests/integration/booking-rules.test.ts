import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { readFile } from 'node:fs/promises';
import { DbError, isSlotTaken, type Db } from '../../server/db/port.ts';
import { authShimFile, listMigrations } from '../../server/db/migrate.ts';
import { offeredSlots } from '../../server/slots/offered.ts';
import { createTestDb } from '../support/db.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { freePort } from '../support/postgres.ts';
import { startLocalStripe } from '../../server/payments/local-stripe.ts';
import { stripeClient, type StripeSetup } from '../../server/payments/stripe.ts';

/** Every test here is pinned to this instant (the server's clock); bookings are in the week after it. */
const NOW = new Date('2030-01-01T00:00:00Z');
const at = (hhmm: string, day = 7) => `2030-01-${String(day).padStart(2, '0')}T${hhmm}:00.000Z`;

async function sqlError(promise: Promise<unknown>): Promise<DbError | null> {
  return promise.then(() => null, (e: unknown) => (e instanceof DbError ? e : Promise.reject(e)));
}

describe('effective buffers, stored on the booking (PGlite)', () => {
  let db: Db & { pg: PGlite };
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  const stored = async (id: string) =>
    (await db.pg.query<{ b: number; a: number; lo: Date; hi: Date }>(
      'select buffer_before_minutes as b, buffer_after_minutes as a, lower(occupied) as lo, upper(occupied) as hi from bookings where id = $1', [id],
    )).rows[0];

  it("the provider's policy applies when the service sets none: stored on the booking and held by the constraint", async () => {
    const p = await makeProvider(db, {
      slug: 'policy-after',
      settings: { booking: { bufferAfterMinutes: 30, slotStepMinutes: 30 } },
      services: [{ slug: 'call', title: 'Call', durationMinutes: 30 }],
    });
    expect(p.services[0]).toMatchObject({ bufferBeforeMinutes: 0, bufferAfterMinutes: 30 });
    const first = await bookSql(db, p, at('10:00'));
    expect(await stored(first.booking.id)).toEqual({ b: 0, a: 30, lo: new Date(at('10:00')), hi: new Date(at('11:00')) });
    // 10:30 starts right when the call ends, inside the 30 minutes the provider needs after it.
    expect(isSlotTaken(await sqlError(bookSql(db, p, at('10:30'))))).toBe(true);
    // 09:30 ends at 10:00, but its own 30 minutes after overlap the 10:00 call.
    expect(isSlotTaken(await sqlError(bookSql(db, p, at('09:30'))))).toBe(true);
    await expect(bookSql(db, p, at('11:00'))).resolves.toBeTruthy();
    await expect(bookSql(db, p, at('09:00'))).resolves.toBeTruthy();
  });

  it('an explicit 0 on the service wins over the policy; a service value wins too', async () => {
    const p = await makeProvider(db, {
      slug: 'explicit-zero',
      settings: { booking: { bufferBeforeMinutes: 20, bufferAfterMinutes: 30 } },
      services: [
        { slug: 'zero', title: 'Zero', durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 },
        { slug: 'own', title: 'Own', durationMinutes: 30, bufferAfterMinutes: 10 },
      ],
    });
    const [zero, own] = p.services;
    expect(zero).toMatchObject({ bufferBeforeMinutes: 0, bufferAfterMinutes: 0 });
    expect(own).toMatchObject({ bufferBeforeMinutes: 20, bufferAfterMinutes: 10 });
    const a = await bookSql(db, p, at('10:00'), { p_service_id: zero.id });
    const b = await bookSql(db, p, at('10:30'), { p_service_id: zero.id }); // back to back: no buffer at all
    expect(await stored(a.booking.id)).toMatchObject({ b: 0, a: 0 });
    expect(await stored(b.booking.id)).toMatchObject({ b: 0, a: 0 });
    const c = await bookSql(db, p, at('14:00'), { p_service_id: own.id });
    expect(await stored(c.booking.id)).toMatchObject({ b: 20, a: 10 });
  });

  it('effective_buffers is "service value if set, else the policy, else 0" for any values', async () => {
    const minutes = fc.option(fc.integer({ min: 0, max: 1440 }), { nil: null });
    await fc.assert(
      fc.asyncProperty(minutes, minutes, minutes, minutes, async (sb, sa, pb, pa) => {
        const policy: Record<string, number> = {};
        if (pb !== null) policy.bufferBeforeMinutes = pb;
        if (pa !== null) policy.bufferAfterMinutes = pa;
        const { rows } = await db.pg.query<{ r: number[] }>('select effective_buffers($1, $2, $3) as r', [
          sb, sa, JSON.stringify({ booking: policy }),
        ]);
        expect(rows[0].r).toEqual([sb ?? pb ?? 0, sa ?? pa ?? 0]);
      }),
      { numRuns: 60 },
    );
  });

  it('the engine offers exactly the starts the database accepts next to a booking', async () => {
    const p = await makeProvider(db, {
      slug: 'engine-agrees',
      settings: { booking: { bufferAfterMinutes: 30, slotStepMinutes: 30 } },
      services: [{ slug: 'call', title: 'Call', durationMinutes: 30 }],
    });
    await bookSql(db, p, at('10:00'));
    const window = { from: new Date(at('08:00')), to: new Date(at('13:00')) };
    const offered = (await offeredSlots(db, p, p.services[0], window, NOW)).map((s) => s.start);
    const candidates = ['08:00', '08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00', '12:30'].map((t) => at(t));
    for (const start of candidates) {
      // Ask the database in a transaction that is rolled back, so each start is judged against the 10:00 call alone.
      const accepted = await db.pg.transaction(async (tx) => {
        try {
          await tx.query(`select create_booking_if_free($1, $2, $3, 'V', 'v@example.com', null, '', 'UTC', null, $4, null)`,
            [p.id, p.services[0].id, start, `probe-${start}`]);
          return true;
        } catch {
          return false;
        } finally {
          await tx.rollback();
        }
      });
      expect(offered.includes(start), `engine and database disagree on ${start}`).toBe(accepted);
    }
    expect(offered).not.toContain(at('10:30'));
    expect(offered).not.toContain(at('09:30'));
    expect(offered).toContain(at('11:00'));
  });
});

describe('the migration backfills buffers of existing bookings (PGlite)', () => {
  it('old zeros become "not set", and live bookings store the effective buffers unless that would overlap', async () => {
    const pg = await PGlite.create({ extensions: { btree_gist } });
    try {
      const all = await listMigrations();
      const mine = all.findIndex((m) => m.name === '20261130000100_booking_rules.sql');
      expect(mine).toBeGreaterThan(0);
      await pg.exec(await readFile(authShimFile, 'utf8'));
      for (const m of all.slice(0, mine)) await pg.exec(m.sql);
      // A provider that needs 30 minutes after each booking; the service had no buffer of its own (stored as 0).
      await pg.query(`select apply_provider('old', 'Old', 'UTC', true,
        '{"workingHours":{"days":[1,2,3,4,5,6,7],"start":"00:00","end":"24:00"},"booking":{"bufferAfterMinutes":30}}',
        '[{"slug":"call","title":"Call","durationMinutes":30}]')`);
      const book = (start: string, key: string) => pg.query(
        `select create_booking_if_free(p.id, s.id, $1, 'V', $2 || '@example.com', null, '', 'UTC', $2, $2, null)
           from providers p join services s on s.provider_id = p.id where p.public_slug = 'old'`, [start, key]);
      await book(at('10:00'), 'first-key'); // the old SQL stored 0 minutes after: [10:00, 10:30)
      await book(at('12:00'), 'second-a');
      await book(at('12:30'), 'second-b'); // accepted before the fix, although inside 12:00's 30 minutes after

      await pg.exec(all[mine].sql);
      const { rows: services } = await pg.query<{ b: number | null; a: number | null }>(
        'select buffer_before_minutes as b, buffer_after_minutes as a from services');
      expect(services).toEqual([{ b: null, a: null }]);
      const { rows } = await pg.query<{ key: string; a: number; hi: Date; fp: string | null }>(
        `select idempotency_key as key, buffer_after_minutes as a, upper(occupied) as hi, idempotency_fingerprint as fp
           from bookings order by starts_at`);
      expect(rows.find((r) => r.key === 'first-key')).toMatchObject({ a: 30, hi: new Date(at('11:00')) });
      // Of the two that would now collide, one got the buffer and the other kept its old range: no overlap, no failure.
      const pair = rows.filter((r) => r.key.startsWith('second-')).map((r) => r.a).sort();
      expect(pair).toEqual([0, 30]);
      const { rows: overlaps } = await pg.query(
        'select 1 from bookings a join bookings b on a.id < b.id and a.provider_id = b.provider_id and a.occupied && b.occupied');
      expect(overlaps).toEqual([]);
      // Old idempotent bookings get the fingerprint of what they were made from: a replay still works.
      for (const r of rows) expect(r.fp).toMatch(/^[0-9a-f]{64}$/);
      const replay = await book(at('10:00'), 'first-key');
      expect((replay.rows[0] as { create_booking_if_free: { replayed: boolean } }).create_booking_if_free.replayed).toBe(true);
    } finally {
      await pg.close();
    }
  });
});

describe('booking rules over HTTP (PGlite)', () => {
  let server: TestServer;
  let pg: PGlite;
  beforeAll(async () => {
    server = await startTestServer({ now: () => NOW, seed: false });
    pg = (server.db as unknown as { pg: PGlite }).pg;
    await makeProvider(server.db, {
      slug: 'kim',
      settings: { booking: { slotStepMinutes: 30, bufferAfterMinutes: 30, holdMinutes: 15 } },
      services: [
        { slug: 'call', title: 'Call', durationMinutes: 30 },
        { slug: 'paid', title: 'Paid', durationMinutes: 30, priceCents: 5000, currency: 'AED' },
      ],
    });
    await makeProvider(server.db, {
      slug: 'lee',
      settings: { booking: { slotStepMinutes: 30, maxHoldsPerContact: 1 } },
      services: [{ slug: 'paid', title: 'Paid', durationMinutes: 30, priceCents: 5000, currency: 'AED' }],
    });
  });
  afterAll(() => server.close());

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const count = async () => (await pg.query<{ n: number }>('select count(*)::int as n from bookings')).rows[0].n;
  const tokenOf = (manageUrl: string) => manageUrl.split('/b/')[1];

  describe('reschedule', () => {
    it("ignores the booking's own stored range (buffers included) and keeps its stored buffers", async () => {
      await makeProvider(server.db, {
        slug: 'mover', settings: { booking: { slotStepMinutes: 30, bufferAfterMinutes: 30 } },
        services: [{ slug: 'call', title: 'Call', durationMinutes: 30 }],
      });
      const made = await post('/api/bookings', { provider: 'mover', service: 'call', start: at('10:00', 8), email: 'mover@example.com' });
      expect(made.status).toBe(201);
      const token = tokenOf((await made.json()).manageUrl);
      const stored = async () => (await pg.query<{ s: Date; hi: Date; a: number }>(
        `select starts_at as s, upper(occupied) as hi, buffer_after_minutes as a from bookings where customer_email = 'mover@example.com'`)).rows;
      // 10:30 overlaps only the booking's own [10:00, 11:00) (30 minutes after included): the move is allowed.
      expect((await post(`/api/bookings/${token}/reschedule`, { start: at('10:30', 8) })).status).toBe(200);
      expect(await stored()).toEqual([{ s: new Date(at('10:30', 8)), hi: new Date(at('11:30', 8)), a: 30 }]);

      // Another booking at 12:00. The provider then drops its policy; the moved booking keeps the 30 minutes it was
      // booked with, so 11:30 (which would end at 12:00, plus 30) is refused and 11:00 (touching) is allowed.
      expect((await post('/api/bookings', { provider: 'mover', service: 'call', start: at('12:00', 8), email: 'next@example.com' })).status).toBe(201);
      await pg.query(`update providers set settings = jsonb_set(settings, '{booking,bufferAfterMinutes}', '0') where public_slug = 'mover'`);
      expect((await post(`/api/bookings/${token}/reschedule`, { start: at('11:30', 8) })).status).toBe(409);
      expect(await stored()).toEqual([{ s: new Date(at('10:30', 8)), hi: new Date(at('11:30', 8)), a: 30 }]);
      expect((await post(`/api/bookings/${token}/reschedule`, { start: at('11:00', 8) })).status).toBe(200);
      expect(await stored()).toEqual([{ s: new Date(at('11:00', 8)), hi: new Date(at('12:00', 8)), a: 30 }]);
    });
  });

  describe('idempotency keys bound to the request', () => {
    const body = (over: Record<string, unknown> = {}) => ({
      provider: 'kim', service: 'call', start: at('09:00', 9), name: 'Sara', email: 'sara@example.com',
      phone: '+971500000001', notes: 'First time', timezone: 'Asia/Dubai', idempotencyKey: 'order-100045', ...over,
    });

    it('the same request answers the same booking with the same manage link, which keeps working', async () => {
      const first = await post('/api/bookings', body());
      expect(first.status).toBe(201);
      const a = await first.json();
      const again = await post('/api/bookings', body({ email: 'SARA@example.com', start: '2030-01-09T13:00:00+04:00' }));
      expect(again.status).toBe(200);
      const b = await again.json();
      expect(b.booking.id).toBe(a.booking.id);
      expect(b.manageUrl).toBe(a.manageUrl);
      expect(b.icsUrl).toBe(a.icsUrl);
      expect((await fetch(`${server.url}/api/bookings/${tokenOf(a.manageUrl)}`)).status).toBe(200);
    });

    it('a different request with a used key gets 422 naming idempotencyKey and changes nothing', async () => {
      const before = await count();
      const { rows: was } = await pg.query('select * from bookings where idempotency_key = $1', ['order-100045']);
      for (const change of [{ name: 'Mallory' }, { email: 'mallory@example.com' }, { start: at('15:00', 9) }, { notes: '' }, { phone: '+971500000002' }, { timezone: 'UTC' }]) {
        const res = await post('/api/bookings', body(change));
        expect(res.status, JSON.stringify(change)).toBe(422);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const problem = await res.json();
        expect(problem.type).toMatch(/\/idempotency-key-reused$/);
        expect(problem.errors).toEqual([{ field: 'idempotencyKey', message: expect.any(String) }]);
        expect(JSON.stringify(problem)).not.toContain('/b/');
      }
      expect(await count()).toBe(before);
      const { rows: now } = await pg.query('select * from bookings where idempotency_key = $1', ['order-100045']);
      expect(now).toEqual(was);
    });

    it('a key shorter than 8 characters is refused with 400 naming idempotencyKey', async () => {
      const before = await count();
      const res = await post('/api/bookings', body({ idempotencyKey: 'short12' }));
      expect(res.status).toBe(400);
      expect((await res.json()).errors).toEqual([{ field: 'idempotencyKey', message: 'must be at least 8 characters' }]);
      expect(await count()).toBe(before);
    });

    it('the same key at another provider is another booking with another link', async () => {
      await makeProvider(server.db, { slug: 'kim-two', settings: { booking: { slotStepMinutes: 30 } }, services: [{ slug: 'call', title: 'Call', durationMinutes: 30 }] });
      const a = await (await post('/api/bookings', body({ start: at('16:00', 9) , idempotencyKey: 'shared-key-1' }))).json();
      const b = await (await post('/api/bookings', body({ provider: 'kim-two', start: at('16:00', 9), idempotencyKey: 'shared-key-1' }))).json();
      expect(b.booking.id).not.toBe(a.booking.id);
      expect(b.manageUrl).not.toBe(a.manageUrl);
    });

    it('a paid retry gets the same hold, the same checkout and a return link that works', async () => {
      const paid = body({ service: 'paid', start: at('09:00', 10), idempotencyKey: 'paid-retry-001', email: 'payer@example.com' });
      const first = await post('/api/bookings', paid);
      expect(first.status).toBe(201);
      const a = await first.json();
      expect(a.next.type).toBe('payment');
      const b = await (await post('/api/bookings', paid)).json();
      expect(b.booking.id).toBe(a.booking.id);
      expect(b.manageUrl).toBe(a.manageUrl);
      expect(b.next).toEqual(a.next);
      const { rows } = await pg.query<{ n: number }>('select count(*)::int as n from payments where booking_id = $1', [a.booking.id]);
      expect(rows[0].n).toBe(1);
      const view = await fetch(`${server.url}/api/bookings/${tokenOf(a.manageUrl)}`);
      expect(view.status).toBe(200);
    });
  });

  describe('unpaid holds per contact', () => {
    it('a contact may hold two unpaid bookings at once by default; the third gets 429 and nothing is written', async () => {
      const hold = (start: string, contact: Record<string, string>) =>
        post('/api/bookings', { provider: 'kim', service: 'paid', start, name: 'Holder', ...contact });
      expect((await hold(at('08:00', 11), { email: 'holder@example.com' })).status).toBe(201);
      expect((await hold(at('10:00', 11), { email: 'Holder@Example.com' })).status).toBe(201);
      const before = await count();
      const third = await hold(at('12:00', 11), { email: 'HOLDER@example.com' });
      expect(third.status).toBe(429);
      expect(third.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = await third.json();
      expect(problem.type).toMatch(/\/too-many-holds$/);
      expect(problem.detail).toContain('2 unpaid bookings');
      expect(await count()).toBe(before);
      // Another contact, or a free booking by the same contact, is not limited.
      expect((await hold(at('12:00', 11), { email: 'someone-else@example.com' })).status).toBe(201);
      expect((await post('/api/bookings', { provider: 'kim', service: 'call', start: at('14:00', 11), email: 'holder@example.com' })).status).toBe(201);
    });

    it('the same phone in another format is the same contact; an expired hold no longer counts; the limit is a setting', async () => {
      const hold = (start: string, contact: Record<string, string>) =>
        post('/api/bookings', { provider: 'lee', service: 'paid', start, name: 'Phone', ...contact });
      const first = await hold(at('08:00', 12), { phone: '+971 50 000 0009' });
      expect(first.status).toBe(201);
      expect((await hold(at('10:00', 12), { phone: '+971-50-0000009' })).status).toBe(429);
      expect((await hold(at('10:00', 12), { phone: '+971500000009', email: 'new@example.com' })).status).toBe(429);
      await pg.query("update bookings set hold_expires_at = now() - interval '1 second' where id = $1", [(await first.json()).booking.id]);
      expect((await hold(at('10:00', 12), { phone: '+971500000009' })).status).toBe(201);
    });

    it('create_booking_if_free raises SL429 with the limit as detail', async () => {
      const p = await makeProvider(server.db, { slug: 'sql-holds', settings: { booking: { maxHoldsPerContact: 1 } } });
      await bookSql(server.db, p, at('08:00', 13), { p_hold_minutes: 10, p_customer_email: 'x@example.com' });
      const error = await sqlError(bookSql(server.db, p, at('10:00', 13), { p_hold_minutes: 10, p_customer_email: 'X@example.com' }));
      expect(error).toMatchObject({ code: 'SL429', detail: '1' });
      // A confirmed booking is not a hold.
      await expect(bookSql(server.db, p, at('12:00', 13), { p_customer_email: 'x@example.com' })).resolves.toBeTruthy();
    });
  });
});

describe('a hold whose checkout could not be started (PGlite)', () => {
  it('is given back and its key freed: the retry the 503 asks for books anew, with a working link', async () => {
    const down = stripeClient('sk_test_down', `http://127.0.0.1:${await freePort()}`); // nothing listens there
    const payments: StripeSetup = { stripe: down, webhookSecret: 'whsec_test_local' };
    const server = await startTestServer({ now: () => NOW, seed: false, payments });
    const stripe = await startLocalStripe({ webhookSecret: 'whsec_test_local' });
    try {
      await makeProvider(server.db, {
        slug: 'flaky', settings: { booking: { slotStepMinutes: 30 } },
        services: [{ slug: 'paid', title: 'Paid', durationMinutes: 30, priceCents: 5000, currency: 'AED' }],
      });
      const body = JSON.stringify({ provider: 'flaky', service: 'paid', start: at('10:00', 14), email: 'p@example.com', idempotencyKey: 'flaky-attempt-1' });
      const post = () => fetch(`${server.url}/api/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect((await post()).status).toBe(503);
      payments.stripe = stripeClient('sk_test_local', stripe.url); // Stripe answers again
      const retry = await post();
      expect(retry.status, await retry.clone().text()).toBe(201);
      const made = await retry.json();
      expect(made.booking.status).toBe('pending');
      expect(made.next.type).toBe('payment');
      expect((await fetch(made.manageUrl.replace(/^.*\/b\//, `${server.url}/api/bookings/`))).status).toBe(200);
      const pg = (server.db as unknown as { pg: PGlite }).pg;
      const { rows } = await pg.query<{ status: string; key: string | null }>(
        'select status, idempotency_key as key from bookings order by created_at');
      expect(rows).toEqual([{ status: 'cancelled', key: null }, { status: 'pending', key: 'flaky-attempt-1' }]);
    } finally {
      await stripe.close();
      await server.close();
    }
  });
});
