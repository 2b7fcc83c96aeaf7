import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDb } from '../../server/db/postgres.ts';
import { DbError, type Db } from '../../server/db/port.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';
import type postgres from 'postgres';

process.env.PATH = `${process.env.PATH}:/usr/lib/postgresql/15/bin`;

/**
 * A service's daily limit (`services.max_per_day`, 20261201000400_service_limits.sql) under real concurrency:
 * PostgreSQL 15, each booking on its own connection. The trigger counts under the provider lock that
 * create_booking_if_free takes, so no interleaving lets a third booking in.
 */
let pg: PostgresServer;
let db: Db & { sql: postgres.Sql };
let pool: Db & { sql: postgres.Sql };

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase('slotline_service_limits');
  db = await openPostgresDb({ url });
  pool = await openPostgresDb({ url, max: 30, migrate: false });
}, 120_000);
afterAll(async () => {
  await pool?.close();
  await db?.close();
  await pg?.stop();
});

/** A date a few weeks ahead of the real clock (the database's now() decides liveness), as YYYY-MM-DD. */
const ahead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('a service\'s max bookings per day is held by the database (PostgreSQL 15)', () => {
  it('24 concurrent bookings of one service on one Dubai day with a limit of 2: exactly 2 succeed, the rest are day_full', async () => {
    // Set through the provider file (apply_provider_with_limits, the CLI's path).
    const p = await makeProvider(db, { slug: 'limited', timezone: 'Asia/Dubai', services: [{ slug: 'call', title: 'Call', durationMinutes: 15, maxPerDay: 2 }] });
    expect(p.services[0].maxPerDay).toBe(2);
    const date = ahead(20);
    // 24 distinct, non-overlapping quarter hours of that Dubai day (from 06:00 local = 02:00Z): only the limit decides.
    const starts = Array.from({ length: 24 }, (_, i) => new Date(Date.parse(`${date}T02:00:00Z`) + i * 15 * 60_000).toISOString());
    const results = await Promise.allSettled(starts.map((s) => bookSql(pool, p, s)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(22);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'SL409', message: 'day_full' });
    expect(refused[0].reason).toBeInstanceOf(DbError);
    const [{ n }] = await db.sql`select count(*)::int as n from bookings where service_id = ${p.services[0].id} and status = 'confirmed'`;
    expect(n).toBe(2);

    // The provider-local day decides: 23:45 Dubai that day is full, 00:00 Dubai the next day is not (20:00Z).
    await expect(bookSql(db, p, `${date}T19:45:00Z`)).rejects.toMatchObject({ message: 'day_full' });
    await expect(bookSql(db, p, `${date}T20:00:00Z`)).resolves.toMatchObject({ booking: { status: 'confirmed' } });
    // A cancelled booking frees its place.
    await db.sql`update bookings set status = 'cancelled' where id = (select id from bookings where service_id = ${p.services[0].id} and starts_at < ${`${date}T19:00:00Z`} limit 1)`;
    await expect(bookSql(db, p, `${date}T15:00:00Z`)).resolves.toMatchObject({ booking: { status: 'confirmed' } });
  });

  it('the provider\'s maxPerDay too: 20 concurrent bookings over two services on a day with a limit of 3 → exactly 3', async () => {
    const p = await makeProvider(db, {
      slug: 'provider-limited', timezone: 'Asia/Dubai', settings: { booking: { maxPerDay: 3 } },
      services: [{ slug: 'a', title: 'A', durationMinutes: 15 }, { slug: 'b', title: 'B', durationMinutes: 15 }],
    });
    const date = ahead(21);
    const starts = Array.from({ length: 20 }, (_, i) => new Date(Date.parse(`${date}T02:00:00Z`) + i * 15 * 60_000).toISOString());
    const results = await Promise.allSettled(starts.map((s, i) => bookSql(pool, p, s, { p_service_id: p.services[i % 2].id })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'SL409', message: 'day_full' });
  });
});
