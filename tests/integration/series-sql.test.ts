import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { DbError, type Db } from '../../server/db/port.ts';
import type { Provider } from '../../server/providers/public.ts';
import { createTestDb } from '../support/db.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';

/** create_series_if_free and the series functions on PGlite: all or nothing, the cadence check, the manage link. */

let db: Db & { pg: PGlite };
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.close());

const WEEK = 7 * 86_400_000;
let n = 0;

async function seriesProvider(slug: string, extra: Record<string, unknown> = {}): Promise<Provider> {
  return makeProvider(db, {
    slug,
    timezone: 'Europe/Berlin',
    services: [{ slug: 'lesson', title: 'Lesson', durationMinutes: 60, series: { maxOccurrences: 8, maxIntervalWeeks: 2 }, ...extra }],
  });
}

function series(p: Provider, first: string, count: number, over: Record<string, unknown> = {}) {
  n++;
  const start = Date.parse(first);
  return db.rpc('create_series_if_free', {
    p_provider_id: p.id, p_service_id: p.services[0].id, p_interval_weeks: 1, p_occurrences: count, p_first_start: first,
    p_items: Array.from({ length: count }, (_, k) => ({
      index: k + 1, start: new Date(start + k * WEEK).toISOString(), tokenHash: `occ-${n}-${k}`, moved: false,
    })),
    p_customer_name: 'Sam', p_customer_email: `sam-${n}@example.com`, p_customer_phone: null, p_notes: '',
    p_customer_timezone: 'Europe/Berlin', p_idempotency_key: null, p_manage_token_hash: `series-${n}`, p_hold_minutes: null,
    ...over,
  });
}

async function sqlError(promise: Promise<unknown>): Promise<DbError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DbError);
  return error as DbError;
}

async function count(p: Provider): Promise<number> {
  const { rows } = await db.pg.query<{ n: number }>(
    "select count(*)::int as n from bookings where provider_id = $1 and status in ('pending', 'confirmed')", [p.id]);
  return rows[0].n;
}

describe('create_series_if_free (PGlite)', () => {
  it('books every date, linked by one series id, with its index', async () => {
    const p = await seriesProvider('series-ok');
    // January: no DST change, so the instants are exactly a week apart.
    const result = await series(p, '2030-01-08T17:00:00Z', 4);
    expect(result.series.bookings.map((b) => [b.index, b.status])).toEqual([[1, 'confirmed'], [2, 'confirmed'], [3, 'confirmed'], [4, 'confirmed']]);
    const { rows } = await db.pg.query<{ n: number }>('select count(distinct series_id)::int as n from bookings where provider_id = $1', [p.id]);
    expect(rows[0].n).toBe(1);
    await expect(db.rpc('get_series_by_token', { p_token_hash: `series-${n}` })).resolves.toMatchObject({ occurrences: 4 });
  });

  it('is all or nothing: one taken date writes no booking and names that date', async () => {
    const p = await seriesProvider('series-conflict');
    await bookSql(db, p, new Date(Date.parse('2030-01-08T17:30:00Z') + 2 * WEEK)); // overlaps date 3
    await bookSql(db, p, new Date(Date.parse('2030-01-08T17:00:00Z') + 4 * WEEK)); // date 5
    const error = await sqlError(series(p, '2030-01-08T17:00:00Z', 6));
    expect(error.code).toBe('SL409');
    expect(JSON.parse(String(error.detail))).toEqual([3, 5]);
    expect(await count(p)).toBe(2);
    const { rows } = await db.pg.query<{ n: number }>('select count(*)::int as n from booking_series where provider_id = $1', [p.id]);
    expect(rows[0].n).toBe(0);
  });

  it('books the other dates when the visitor skips or moves the taken one', async () => {
    const p = await seriesProvider('series-resolve');
    await bookSql(db, p, new Date(Date.parse('2030-01-08T17:00:00Z') + WEEK)); // date 2
    const first = Date.parse('2030-01-08T17:00:00Z');
    const items = [
      { index: 1, start: new Date(first).toISOString(), tokenHash: 'resolve-1', moved: false },
      { index: 2, start: new Date(first + WEEK + 2 * 3_600_000).toISOString(), tokenHash: 'resolve-2', moved: true },
      { index: 4, start: new Date(first + 3 * WEEK).toISOString(), tokenHash: 'resolve-4', moved: false },
    ];
    const result = await series(p, '2030-01-08T17:00:00Z', 4, { p_items: items });
    expect(result.series.bookings.map((b) => b.index)).toEqual([1, 2, 4]);
    expect(result.series.occurrences).toBe(4);
  });

  it('refuses dates off the weekly grid and unmoved dates off the wall time', async () => {
    const p = await seriesProvider('series-grid');
    const first = Date.parse('2030-01-08T17:00:00Z');
    const offDay = [{ index: 1, start: new Date(first).toISOString(), tokenHash: 'g1', moved: false },
      { index: 2, start: new Date(first + WEEK + 86_400_000).toISOString(), tokenHash: 'g2', moved: true }];
    expect((await sqlError(series(p, '2030-01-08T17:00:00Z', 2, { p_items: offDay }))).detail).toBe('date:2');
    const offTime = [{ index: 1, start: new Date(first).toISOString(), tokenHash: 'g3', moved: false },
      { index: 2, start: new Date(first + WEEK + 3_600_000).toISOString(), tokenHash: 'g4', moved: false }];
    expect((await sqlError(series(p, '2030-01-08T17:00:00Z', 2, { p_items: offTime }))).detail).toBe('time:2');
    expect(await count(p)).toBe(0);
  });

  it('holds Berlin 18:00 across the DST change: the instants differ by an hour, the check accepts them', async () => {
    const p = await seriesProvider('series-dst');
    // 18:00 CET on 2030-03-26 is 17:00Z; a week later (CEST) 18:00 is 16:00Z.
    const items = [
      { index: 1, start: '2030-03-26T17:00:00Z', tokenHash: 'dst-1', moved: false },
      { index: 2, start: '2030-04-02T16:00:00Z', tokenHash: 'dst-2', moved: false },
    ];
    await expect(series(p, '2030-03-26T17:00:00Z', 2, { p_items: items })).resolves.toBeTruthy();
    const naive = [
      { index: 1, start: '2030-03-26T18:00:00Z', tokenHash: 'dst-3', moved: false },
      { index: 2, start: '2030-04-02T18:00:00Z', tokenHash: 'dst-4', moved: false },
    ];
    expect((await sqlError(series(p, '2030-03-26T18:00:00Z', 2, { p_items: naive }))).detail).toBe('time:2');
  });

  it('refuses a service without series, too many dates, or a longer interval', async () => {
    const none = await makeProvider(db, { slug: 'series-none' });
    expect((await sqlError(series(none, '2030-01-08T17:00:00Z', 2))).message).toContain('series_not_allowed');
    const p = await seriesProvider('series-limits');
    expect((await sqlError(series(p, '2030-01-08T17:00:00Z', 9))).detail).toBe('occurrences');
    expect((await sqlError(series(p, '2030-01-08T17:00:00Z', 2, { p_interval_weeks: 3 }))).detail).toBe('intervalWeeks');
  });

  it('counts a paid series as one hold, and its holds expire together', async () => {
    const p = await seriesProvider('series-holds', { priceCents: 5000 });
    const result = await series(p, '2030-01-08T17:00:00Z', 5, { p_hold_minutes: 15, p_customer_email: 'one@example.com' });
    expect(result.series.bookings.every((b) => b.status === 'pending')).toBe(true);
    expect(result.series.totalCents).toBe(25000);
    // A second series: two holds, the default limit — still allowed; a third is refused.
    await series(p, '2031-01-07T17:00:00Z', 2, { p_hold_minutes: 15, p_customer_email: 'one@example.com' });
    expect((await sqlError(series(p, '2032-01-06T17:00:00Z', 2, { p_hold_minutes: 15, p_customer_email: 'one@example.com' }))).code).toBe('SL429');
    await db.pg.query("update bookings set hold_expires_at = now() - interval '1 second' where series_id = $1", [result.series.id]);
    await db.rpc('expire_holds', { p_provider_id: p.id });
    const { rows } = await db.pg.query<{ status: string }>('select distinct status from bookings where series_id = $1', [result.series.id]);
    expect(rows).toEqual([{ status: 'expired' }]);
  });

  it('replays the same idempotent request and refuses the key for another one', async () => {
    const p = await seriesProvider('series-idem');
    const a = await series(p, '2030-01-08T17:00:00Z', 2, { p_idempotency_key: 'key-123456', p_customer_email: 'i@example.com', p_manage_token_hash: 'idem-h' });
    const b = await series(p, '2030-01-08T17:00:00Z', 2, { p_idempotency_key: 'key-123456', p_customer_email: 'i@example.com', p_manage_token_hash: 'idem-h' });
    expect(b.replayed).toBe(true);
    expect(b.series.id).toBe(a.series.id);
    expect((await sqlError(series(p, '2030-01-08T17:00:00Z', 3, { p_idempotency_key: 'key-123456', p_customer_email: 'i@example.com' }))).message).toContain('idempotency_key_reused');
  });

  it('cancels one date or it and every later one, in one call', async () => {
    const p = await seriesProvider('series-cancel');
    await series(p, '2030-01-08T17:00:00Z', 5);
    const token = `series-${n}`;
    const one = await db.rpc('cancel_series_occurrences', { p_token_hash: token, p_index: 2, p_and_later: false, p_reason: '' });
    expect(one.bookings.map((b) => b.status)).toEqual(['confirmed', 'cancelled', 'confirmed', 'confirmed', 'confirmed']);
    const later = await db.rpc('cancel_series_occurrences', { p_token_hash: token, p_index: 3, p_and_later: true, p_reason: 'moving away' });
    expect(later.bookings.map((b) => b.status)).toEqual(['confirmed', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect((await sqlError(db.rpc('cancel_series_occurrences', { p_token_hash: token, p_index: 4, p_and_later: true, p_reason: '' }))).code).toBe('SL404');
    expect((await sqlError(db.rpc('cancel_series_occurrences', { p_token_hash: 'nope', p_index: 1, p_and_later: true, p_reason: '' }))).code).toBe('SL404');
  });

  it('applies each payment event once, to every date: duplicate, late expiry, and a date cancelled while paying', async () => {
    const p = await seriesProvider('series-pay', { priceCents: 1000 });
    const pay = (seriesId: string, eventId: string, kind: string, session: string) => db.rpc('apply_series_payment_event', {
      p_event_id: eventId, p_event_type: 'checkout.session.completed', p_kind: kind, p_series_id: seriesId, p_session_id: session,
      p_payment_intent: `pi_${eventId}`, p_amount_cents: 3000, p_currency: 'eur',
    });
    const statuses = async (id: string) =>
      (await db.pg.query<{ status: string }>('select status from bookings where series_id = $1 order by series_index', [id])).rows.map((r) => r.status);

    const a = (await series(p, '2030-01-08T17:00:00Z', 3, { p_hold_minutes: 15, p_customer_email: 'pay-a@example.com' })).series;
    expect((await pay(a.id, 'evt_a', 'paid', 'cs_a')).outcome).toBe('confirmed');
    expect((await pay(a.id, 'evt_a', 'paid', 'cs_a')).outcome).toBe('duplicate');
    expect((await pay(a.id, 'evt_a2', 'expired', 'cs_a')).outcome).toBe('ignored');
    expect(await statuses(a.id)).toEqual(['confirmed', 'confirmed', 'confirmed']);

    const b = (await series(p, '2031-01-07T17:00:00Z', 3, { p_hold_minutes: 15, p_customer_email: 'pay-b@example.com' })).series;
    await db.rpc('cancel_booking', { p_token_hash: `occ-${n}-1`, p_reason: 'changed my mind' }); // date 2 of series b
    expect((await pay(b.id, 'evt_b', 'paid', 'cs_b')).outcome).toBe('refund_pending');
    expect(await statuses(b.id)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const { rows } = await db.pg.query<{ n: number }>(
      "select count(*)::int as n from jobs where kind = 'payment.refund' and payload ->> 'bookingId' = $1", [b.bookings[0].id]);
    expect(rows[0].n).toBe(1);
    const { rows: paid } = await db.pg.query<{ status: string; amount_cents: number }>(
      'select p.status, p.amount_cents from payments p join bookings x on x.id = p.booking_id where x.series_id = $1', [b.id]);
    expect(paid).toEqual([{ status: 'refund_pending', amount_cents: 3000 }]);
  });
});
