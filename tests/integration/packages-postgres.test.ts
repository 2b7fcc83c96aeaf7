import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../server/bookings/tokens.ts';
import { openPostgresDb } from '../../server/db/postgres.ts';
import { DbError, type Db } from '../../server/db/port.ts';
import { makeProvider } from '../support/fixtures.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';

/**
 * The last credit of a wallet under real concurrency (PostgreSQL 15, each call on its own connection): book_with_credit
 * takes the wallet's row lock before it spends, so of 50 bookings racing for one credit exactly one is made, and the
 * others are refused `no_credit` with nothing written.
 */
let pg: PostgresServer;
let db: Db & { sql: postgres.Sql };
let pool: Db & { sql: postgres.Sql };
const HOUR = 3_600_000;

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase('slotline_packages');
  db = await openPostgresDb({ url });
  pool = await openPostgresDb({ url, max: 50, migrate: false });
}, 120_000);
afterAll(async () => {
  await pool?.close();
  await db?.close();
  await pg?.stop();
});

describe('a credit is never spent twice (PostgreSQL 15)', () => {
  it('50 concurrent bookings at 50 different times spending the last credit: exactly one succeeds', async () => {
    const provider = await makeProvider(db, { slug: 'race', services: [{ slug: 'pt', title: 'PT', durationMinutes: 60 }] });
    const [{ owner_user_id: ownerId }] = await db.sql<{ owner_user_id: string }[]>`select owner_user_id from providers where id = ${provider.id}`;
    const now = new Date();
    const pack = await db.rpc('app_save_package', {
      p_user_id: ownerId, p_provider_id: provider.id, p_package_id: null,
      p_package: { serviceId: provider.services[0].id, title: '3 sessions', sessions: 3, priceCents: 0, validityDays: 30 },
    });
    const token = randomBytes(32).toString('base64url');
    await db.rpc('app_record_package_sale', {
      p_user_id: ownerId, p_provider_id: provider.id, p_package_id: pack.id, p_email: 'racer@example.com', p_phone: null,
      p_name: 'Racer', p_source: 'bank', p_payment_ref: null, p_wallet_token_hash: hashToken(token), p_now: now,
    });
    const base = Math.floor(Date.now() / HOUR) * HOUR + 2 * 24 * HOUR;
    const book = (i: number) => pool.rpc('book_with_credit', {
      p_wallet_token_hash: hashToken(token), p_service_id: provider.services[0].id, p_starts_at: new Date(base + i * 2 * HOUR),
      p_customer_name: 'Racer', p_customer_email: 'racer@example.com', p_customer_phone: null, p_notes: '',
      p_customer_timezone: 'UTC', p_idempotency_key: null, p_manage_token_hash: hashToken(randomBytes(32).toString('base64url')),
      p_now: now,
    });
    // Two of the three credits go first, one at a time.
    await book(100);
    await book(101);

    // Every connection open first, so the 50 calls really start together (a cold pool would stagger them).
    await Promise.all(Array.from({ length: 50 }, () => pool.sql`select pg_sleep(0.2)`));
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => book(i)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(DbError);
        expect([(r.reason as DbError).code, (r.reason as DbError).message]).toEqual(['SL409', 'no_credit']);
      }
    }
    const [{ uses, bookings }] = await db.sql<{ uses: number; bookings: number }[]>`
      select (select count(*)::int from credit_uses u join credit_grants g on g.id = u.grant_id where g.package_id = ${pack.id}) as uses,
             (select count(*)::int from bookings where provider_id = ${provider.id} and status = 'confirmed') as bookings`;
    expect(uses).toBe(3);
    expect(bookings).toBe(3);
  }, 60_000);
});
