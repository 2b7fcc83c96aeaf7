import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { openPostgresDb } from '../../server/db/postgres.ts';
import { DbError, type Db } from '../../server/db/port.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { makeProvider } from '../support/fixtures.ts';

/**
 * create_series_if_free under real concurrency on PostgreSQL 15: 50 overlapping series on separate connections.
 * Every series is whole or absent (never partial), and no two live bookings overlap.
 */
let pg: PostgresServer;
let db: Db & { sql: postgres.Sql };
let pool: Db & { sql: postgres.Sql };

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase('slotline_series');
  db = await openPostgresDb({ url });
  pool = await openPostgresDb({ url, max: 40, migrate: false });
}, 120_000);
afterAll(async () => {
  await pool?.close();
  await db?.close();
  await pg?.stop();
});

describe('weekly series under concurrency (PostgreSQL 15)', () => {
  it('50 concurrent overlapping series: no partial series, no overlaps, and each date goes to at most one', async () => {
    const p = await makeProvider(db, {
      slug: 'series-race',
      services: [{ slug: 'lesson', title: 'Lesson', durationMinutes: 60, series: { maxOccurrences: 8 } }],
    });
    // Random series of 2–6 weekly dates starting in one of three weeks, at one of three half-hour-apart times: most of
    // them overlap several others on some dates (30-minute offsets overlap a 60-minute lesson).
    const base = Date.parse('2031-01-07T09:00:00Z');
    const plans = fc.sample(fc.record({
      week: fc.integer({ min: 0, max: 2 }),
      offset: fc.integer({ min: 0, max: 2 }),
      count: fc.integer({ min: 2, max: 6 }),
    }), { numRuns: 50, seed: 15 });
    const results = await Promise.allSettled(plans.map((plan, i) => {
      const first = base + plan.week * WEEK + plan.offset * HOUR / 2;
      return pool.rpc('create_series_if_free', {
        p_provider_id: p.id, p_service_id: p.services[0].id, p_interval_weeks: 1, p_occurrences: plan.count,
        p_first_start: new Date(first),
        p_items: Array.from({ length: plan.count }, (_, k) => ({
          index: k + 1, start: new Date(first + k * WEEK).toISOString(), tokenHash: `race-${i}-${k}`, moved: false,
        })),
        p_customer_name: `Racer ${i}`, p_customer_email: `racer-${i}@example.com`, p_customer_phone: null, p_notes: '',
        p_customer_timezone: 'UTC', p_idempotency_key: null, p_manage_token_hash: `race-series-${i}`, p_hold_minutes: null,
      });
    }));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won.length).toBeGreaterThan(0);
    expect(lost.length).toBeGreaterThan(0);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(DbError);
      expect((r.reason as DbError).code).toBe('SL409');
    }

    // Whole or absent: each series in the database has exactly its planned number of bookings.
    const series = await db.sql<{ hash: string; occurrences: number; booked: number }[]>`
      select r.manage_token_hash as hash, r.occurrences, count(b.id)::int as booked
        from booking_series r left join bookings b on b.series_id = r.id and b.status = 'confirmed'
       where r.provider_id = ${p.id} group by r.id`;
    expect(series).toHaveLength(won.length);
    for (const s of series) expect(s.booked).toBe(s.occurrences);
    const orphans = await db.sql`select id from bookings where provider_id = ${p.id} and series_id is null`;
    expect(orphans).toHaveLength(0);

    const overlaps = await db.sql`
      select a.id, b.id from bookings a join bookings b
        on a.provider_id = b.provider_id and a.id < b.id and a.occupied && b.occupied
       where a.status in ('pending', 'confirmed') and b.status in ('pending', 'confirmed')`;
    expect(overlaps).toHaveLength(0);
  }, 120_000);
});
