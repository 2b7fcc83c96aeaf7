import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openPostgresDb } from '../../server/db/postgres.ts';
import { sqlFunctions } from '../../server/db/functions.ts';
import { listMigrations } from '../../server/db/migrate.ts';
import { isSlotTaken, type Db } from '../../server/db/port.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { createTestDb } from '../support/db.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';

let server: PostgresServer;
let url: string;
let db: Db & { sql: postgres.Sql };

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('slotline_pg');
  db = await openPostgresDb({ url, max: 60 });
});
afterAll(async () => {
  await db?.close();
  await server?.stop();
});

describe('migrations on PostgreSQL 15', () => {
  it('are tracked and applied once each, in order', async () => {
    const names = (await listMigrations()).map((m) => m.name);
    const rows = await db.sql<{ name: string }[]>`select name from slotline.migrations order by applied_at, name`;
    expect(rows.map((r) => r.name)).toEqual(names);
    // Opening again (as a second server would) applies nothing new and changes nothing.
    const again = await openPostgresDb({ url, max: 1 });
    await again.close();
    const after = await db.sql<{ n: number }[]>`select count(*)::int as n from slotline.migrations`;
    expect(after[0].n).toBe(names.length);
  });
});

describe('the adapter contract', () => {
  async function checkAgainstPgProc(rows: { proname: string; args: string[] | null }[]) {
    const byName = new Map(rows.map((r) => [r.proname, r.args ?? []]));
    for (const [fn, args] of Object.entries(sqlFunctions)) {
      expect(byName.has(fn), `function ${fn} exists`).toBe(true);
      for (const arg of args) expect(byName.get(fn), `${fn}(${arg})`).toContain(arg);
    }
  }
  const query = `select p.proname, p.proargnames as args from pg_proc p
                 join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'`;

  it('every function and argument name the adapters send exists on PostgreSQL', async () => {
    await checkAgainstPgProc(await db.sql.unsafe(query));
  });

  it('and on PGlite', async () => {
    const pgl = await createTestDb();
    try {
      await checkAgainstPgProc((await pgl.pg.query<{ proname: string; args: string[] }>(query)).rows);
    } finally {
      await pgl.close();
    }
  });
});

describe('no double booking under concurrency (real PostgreSQL)', () => {
  it('200 concurrent attempts at the same slot make exactly one booking', async () => {
    const p = await makeProvider(db, { slug: 'race' });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => bookSql(db, p, '2031-03-03T10:00:00Z')),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(199);
    for (const r of refused) expect(isSlotTaken(r.reason), String(r.reason)).toBe(true);
    const [{ n }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from bookings where provider_id = ${p.id} and status in ('pending', 'confirmed')`;
    expect(n).toBe(1);
  });

  it('1,000 random overlapping attempts over 20 providers leave no overlap, and every refusal is slot_taken', async () => {
    const providers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        makeProvider(db, {
          slug: `load-${i}`,
          services: [{ slug: 'call', title: 'Call', durationMinutes: 30 + (i % 4) * 15, bufferAfterMinutes: i % 3 === 0 ? 10 : 0 }],
        })),
    );
    // 50 connections of their own, so attempts really run side by side.
    const pool = await openPostgresDb({ url, max: 50, migrate: false });
    const base = Date.parse('2031-04-01T08:00:00Z');
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const attempts = Array.from({ length: 1000 }, () => ({
      provider: providers[Math.floor(random() * providers.length)],
      start: new Date(base + Math.floor(random() * 48) * 5 * 60_000), // 4 hours of 5-minute offsets
      hold: random() < 0.2 ? 15 : null,
    }));
    const outcomes = await Promise.allSettled(
      attempts.map((a) => bookSql(pool, a.provider, a.start, { p_hold_minutes: a.hold })),
    );
    await pool.close();
    const failures = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    const unexpected = failures.filter((f) => !isSlotTaken(f.reason));
    expect(unexpected.map((f) => String(f.reason))).toEqual([]);
    expect(outcomes.length - failures.length).toBeGreaterThan(20);

    const overlaps = await db.sql`
      select a.id, b.id from bookings a join bookings b
        on a.provider_id = b.provider_id and a.id < b.id and a.occupied && b.occupied
       where a.status in ('pending', 'confirmed') and b.status in ('pending', 'confirmed')`;
    expect(overlaps).toHaveLength(0);
    const [{ n }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from bookings b join providers p on p.id = b.provider_id
       where p.public_slug like 'load-%'`;
    expect(n).toBe(outcomes.length - failures.length);
  });
});

describe('reschedule under a concurrent booking race (real PostgreSQL)', () => {
  it('never loses or doubles a booking', async () => {
    const p = await makeProvider(db, { slug: 'move-race' });
    const pool = await openPostgresDb({ url, max: 40, migrate: false });
    try {
      for (let round = 0; round < 10; round++) {
        const day = Date.parse('2031-06-01T00:00:00Z') + round * 86_400_000;
        const t1 = new Date(day + 9 * 3_600_000);
        const t2 = new Date(day + 11 * 3_600_000);
        const token = `move-${round}`;
        const original = await bookSql(pool, p, t1, { p_manage_token_hash: token });
        // Visitors race for both the old and the new time while the booking moves.
        const attempts = [
          pool.rpc('reschedule_booking', { p_token_hash: token, p_starts_at: t2 }),
          ...Array.from({ length: 15 }, (_, i) => bookSql(pool, p, i % 2 ? t1 : t2)),
        ];
        const outcomes = await Promise.allSettled(attempts);
        for (const o of outcomes) if (o.status === 'rejected') expect(isSlotTaken(o.reason), String(o.reason)).toBe(true);

        const live = await db.sql<{ id: string; starts_at: Date }[]>`
          select id, starts_at from bookings
           where provider_id = ${p.id} and status in ('pending', 'confirmed')
             and starts_at >= ${new Date(day)} and starts_at < ${new Date(day + 86_400_000)}`;
        const moved = outcomes[0].status === 'fulfilled';
        const mine = live.filter((b) => b.id === original.booking.id);
        expect(mine).toHaveLength(1); // never lost, never doubled
        expect(mine[0].starts_at.toISOString()).toBe((moved ? t2 : t1).toISOString());
        // Whoever won each time, each of the two hours holds exactly one live booking.
        const at = (t: Date) => live.filter((b) => b.starts_at.getTime() === t.getTime()).length;
        expect(at(t2)).toBe(1);
        expect(at(t1)).toBeLessThanOrEqual(1);
      }
      const overlaps = await db.sql`
        select 1 from bookings a join bookings b on a.provider_id = b.provider_id and a.id < b.id
         and a.occupied && b.occupied
         where a.status in ('pending','confirmed') and b.status in ('pending','confirmed')`;
      expect(overlaps).toHaveLength(0);
    } finally {
      await pool.close();
    }
  });
});
