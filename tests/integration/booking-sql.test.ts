import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import type { Db } from '../../server/db/port.ts';
import { isSlotTaken } from '../../server/db/port.ts';
import { createTestDb } from '../support/db.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';

let db: Db & { pg: PGlite };
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.close());

async function expectTaken(promise: Promise<unknown>) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(isSlotTaken(error), `expected slot_taken, got ${String(error)}`).toBe(true);
}

describe('create_booking_if_free (PGlite)', () => {
  it('refuses an overlapping range and accepts a touching one', async () => {
    const p = await makeProvider(db, { slug: 'overlap' });
    await bookSql(db, p, '2030-01-07T10:00:00Z');
    await expectTaken(bookSql(db, p, '2030-01-07T10:30:00Z'));
    await expectTaken(bookSql(db, p, '2030-01-07T09:30:00Z'));
    await expect(bookSql(db, p, '2030-01-07T11:00:00Z')).resolves.toMatchObject({ booking: { status: 'confirmed' } });
    await expect(bookSql(db, p, '2030-01-07T09:00:00Z')).resolves.toMatchObject({ booking: { status: 'confirmed' } });
  });

  it('keeps different providers independent', async () => {
    const a = await makeProvider(db, { slug: 'indep-a' });
    const b = await makeProvider(db, { slug: 'indep-b' });
    await bookSql(db, a, '2030-01-07T10:00:00Z');
    await expect(bookSql(db, b, '2030-01-07T10:00:00Z')).resolves.toBeTruthy();
  });

  it('respects buffers on both sides', async () => {
    const p = await makeProvider(db, {
      slug: 'buffers',
      services: [{ slug: 'call', title: 'Call', durationMinutes: 60, bufferBeforeMinutes: 15, bufferAfterMinutes: 30 }],
    });
    await bookSql(db, p, '2030-01-07T10:00:00Z'); // occupies 09:45–11:30
    await expectTaken(bookSql(db, p, '2030-01-07T11:15:00Z')); // its before-buffer 11:00 overlaps
    await expect(bookSql(db, p, '2030-01-07T11:45:00Z')).resolves.toBeTruthy(); // occupies 11:30–13:30: touches
    await expectTaken(bookSql(db, p, '2030-01-07T08:30:00Z')); // occupies 08:15–10:00: overlaps 09:45
    await expect(bookSql(db, p, '2030-01-07T08:00:00Z')).resolves.toBeTruthy(); // 07:45–09:30 vs 09:45: free
  });

  it('frees the range when a booking is cancelled or a hold expires', async () => {
    const p = await makeProvider(db, { slug: 'frees' });
    await bookSql(db, p, '2030-01-07T10:00:00Z', { p_manage_token_hash: 'frees-1' });
    await db.rpc('cancel_booking', { p_token_hash: 'frees-1', p_reason: 'ill' });
    await expect(bookSql(db, p, '2030-01-07T10:00:00Z')).resolves.toBeTruthy();

    const hold = await bookSql(db, p, '2030-01-08T10:00:00Z', { p_hold_minutes: 10 });
    expect(hold.booking.status).toBe('pending');
    await expectTaken(bookSql(db, p, '2030-01-08T10:00:00Z'));
    await db.pg.query("update bookings set hold_expires_at = now() - interval '1 second' where id = $1", [hold.booking.id]);
    // The next booking releases the expired hold before inserting.
    await expect(bookSql(db, p, '2030-01-08T10:00:00Z')).resolves.toMatchObject({ booking: { status: 'confirmed' } });
    const { rows } = await db.pg.query<{ status: string }>('select status from bookings where id = $1', [hold.booking.id]);
    expect(rows[0].status).toBe('expired');
  });

  it('returns the same booking for the same idempotency key', async () => {
    const p = await makeProvider(db, { slug: 'idem' });
    const first = await bookSql(db, p, '2030-01-07T10:00:00Z', { p_idempotency_key: 'key-123456' });
    const again = await bookSql(db, p, '2030-01-07T10:00:00Z', { p_idempotency_key: 'key-123456' });
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.booking.id).toBe(first.booking.id);
    const { rows } = await db.pg.query<{ n: number }>(
      'select count(*)::int as n from bookings b join providers p on p.id = b.provider_id where p.public_slug = $1', ['idem']);
    expect(rows[0].n).toBe(1);
  });

  it('refuses ranges that overlap cached external busy time', async () => {
    const p = await makeProvider(db, { slug: 'external' });
    await db.pg.query(
      "insert into external_busy (provider_id, source, starts_at, ends_at) values ($1, 'caldav:x', '2030-01-07T12:00:00Z', '2030-01-07T13:00:00Z')",
      [p.id]);
    await expectTaken(bookSql(db, p, '2030-01-07T11:30:00Z'));
    await expect(bookSql(db, p, '2030-01-07T11:00:00Z')).resolves.toBeTruthy();
    await expect(bookSql(db, p, '2030-01-07T13:00:00Z')).resolves.toBeTruthy();
  });

  it('get_busy lists live bookings and holds but not cancelled, expired or other providers', async () => {
    const p = await makeProvider(db, { slug: 'busy' });
    const other = await makeProvider(db, { slug: 'busy-other' });
    await bookSql(db, p, '2030-01-07T10:00:00Z');
    await bookSql(db, p, '2030-01-07T12:00:00Z', { p_hold_minutes: 10 });
    await bookSql(db, p, '2030-01-07T14:00:00Z', { p_manage_token_hash: 'busy-cancel' });
    await db.rpc('cancel_booking', { p_token_hash: 'busy-cancel', p_reason: '' });
    await bookSql(db, other, '2030-01-07T16:00:00Z');
    const busy = await db.rpc('get_busy', {
      p_provider_id: p.id, p_from: '2030-01-07T00:00:00Z', p_to: '2030-01-08T00:00:00Z',
    });
    expect(busy.busy.map((b) => new Date(b.start).toISOString())).toEqual([
      '2030-01-07T10:00:00.000Z', '2030-01-07T12:00:00.000Z',
    ]);
  });

  it('forbids overlaps even for rows written around the function', async () => {
    const p = await makeProvider(db, { slug: 'direct' });
    await bookSql(db, p, '2030-01-07T10:00:00Z');
    await expect(db.pg.query(
      `insert into bookings (provider_id, service_id, starts_at, ends_at, occupied, customer_email)
       values ($1, $2, '2030-01-07T10:30:00Z', '2030-01-07T11:30:00Z', 'empty', 'x@example.com')`,
      [p.id, p.services[0].id])).rejects.toThrow(/bookings_no_overlap/);
  });
});
