import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import postgres from 'postgres';
import type { PGlite } from '@electric-sql/pglite';
import { openPostgresDb } from '../../server/db/postgres.ts';
import type { Db } from '../../server/db/port.ts';
import { claimJobs, enqueueJob, failJob, finishJob } from '../../server/jobs/queue.ts';
import { createTestDb } from '../support/db.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { asRole } from '../support/roles.ts';

/** The queue's rules, held by its SQL functions: PGlite for the rules, PostgreSQL 15 for concurrency and grants. */

describe('job queue rules (PGlite)', () => {
  let db: Db & { pg: PGlite };
  const row = async (id: number) =>
    (await db.pg.query<{ status: string; attempts: number; rerun: boolean; last_error: string | null; payload: unknown; due_in: number; locked_by: string | null }>(
      `select status, attempts, rerun, last_error, payload, locked_by,
              extract(epoch from run_at - now())::float8 as due_in from jobs where id = $1`, [id])).rows[0];
  /** Pretends the job's lease (or backoff) is over, as time passing would. */
  const age = (id: number) => db.pg.query("update jobs set locked_until = now() - interval '1 second', run_at = now() - interval '1 second' where id = $1", [id]);

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('one open job per dedupe key: enqueueing again merges (newest payload), a finished job lets a new one in', async () => {
    const a = await enqueueJob(db, 'k.merge', { v: 1 }, { dedupeKey: 'merge-1' });
    const b = await enqueueJob(db, 'k.merge', { v: 2 }, { dedupeKey: 'merge-1' });
    expect(b).toEqual({ id: a.id, merged: true });
    expect((await row(a.id)).payload).toEqual({ v: 2 });
    const [claimed] = await claimJobs(db, 'w1', ['k.merge'], 10, 60);
    expect(claimed).toMatchObject({ id: a.id, payload: { v: 2 }, attempts: 1 });
    expect(await finishJob(db, 'w1', a.id)).toBe(true);
    const c = await enqueueJob(db, 'k.merge', { v: 3 }, { dedupeKey: 'merge-1' });
    expect(c.merged).toBe(false);
    expect(c.id).not.toBe(a.id);
  });

  it('enqueued again while running: the job runs once more instead of ending done', async () => {
    const { id } = await enqueueJob(db, 'k.rerun', {}, { dedupeKey: 'rerun-1' });
    await claimJobs(db, 'w1', ['k.rerun'], 10, 60);
    expect(await enqueueJob(db, 'k.rerun', { again: true }, { dedupeKey: 'rerun-1' })).toEqual({ id, merged: true });
    expect(await finishJob(db, 'w1', id)).toBe(true);
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 0, rerun: false, payload: { again: true } });
    const [again] = await claimJobs(db, 'w1', ['k.rerun'], 10, 60);
    expect(again.id).toBe(id);
    await finishJob(db, 'w1', id);
    expect((await row(id)).status).toBe('done');
  });

  it('claims only due jobs of the kinds asked for, oldest first', async () => {
    const later = await enqueueJob(db, 'k.kinds', { n: 'later' }, { runAt: new Date(Date.now() + 3_600_000) });
    const other = await enqueueJob(db, 'k.other', {});
    const first = await enqueueJob(db, 'k.kinds', { n: 1 });
    const second = await enqueueJob(db, 'k.kinds', { n: 2 });
    const claimed = await claimJobs(db, 'w1', ['k.kinds'], 10, 60);
    expect(claimed.map((j) => j.id)).toEqual([first.id, second.id]);
    expect((await row(later.id)).status).toBe('queued');
    expect((await row(other.id)).status).toBe('queued');
    expect(await claimJobs(db, 'w2', ['k.kinds'], 10, 60)).toEqual([]);
  });

  it('a lease that runs out lets another worker take the job; the first can no longer finish or fail it', async () => {
    const { id } = await enqueueJob(db, 'k.lease', {});
    await claimJobs(db, 'w1', ['k.lease'], 1, 60);
    expect(await claimJobs(db, 'w2', ['k.lease'], 1, 60)).toEqual([]);
    await age(id);
    const [taken] = await claimJobs(db, 'w2', ['k.lease'], 1, 60);
    expect(taken).toMatchObject({ id, attempts: 2 });
    expect(await finishJob(db, 'w1', id)).toBe(false);
    expect(await failJob(db, 'w1', id, 'late', 1, true)).toBeNull();
    expect(await row(id)).toMatchObject({ status: 'running', locked_by: 'w2' });
    expect(await finishJob(db, 'w2', id)).toBe(true);
  });

  it('failures back off exponentially, keep the last error, and end failed after the last attempt', async () => {
    const { id } = await enqueueJob(db, 'k.fail', {}, { maxAttempts: 3 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [job] = await claimJobs(db, 'w1', ['k.fail'], 1, 60);
      expect(job).toMatchObject({ id, attempts: attempt });
      const result = await failJob(db, 'w1', id, `boom ${attempt}`, 10, true);
      const r = await row(id);
      expect(r.last_error).toBe(`boom ${attempt}`);
      if (attempt < 3) {
        expect(result?.status).toBe('queued');
        delays.push(r.due_in);
        await age(id);
      } else {
        expect(result?.status).toBe('failed');
      }
    }
    // 10 s, then 20 s, each ±20 %.
    expect(delays[0]).toBeGreaterThan(7.9);
    expect(delays[0]).toBeLessThan(12.1);
    expect(delays[1]).toBeGreaterThan(15.9);
    expect(delays[1]).toBeLessThan(24.1);
    expect(await claimJobs(db, 'w1', ['k.fail'], 1, 60)).toEqual([]);
  });

  it('an error retrying cannot fix fails the job at once', async () => {
    const { id } = await enqueueJob(db, 'k.permanent', {});
    await claimJobs(db, 'w1', ['k.permanent'], 1, 60);
    expect((await failJob(db, 'w1', id, 'bad payload', 1, false))?.status).toBe('failed');
    expect(await row(id)).toMatchObject({ status: 'failed', last_error: 'bad payload', attempts: 1 });
  });

  it('a job whose worker died on its last attempt ends failed, not run again', async () => {
    const { id } = await enqueueJob(db, 'k.lastlease', {}, { maxAttempts: 1 });
    await claimJobs(db, 'w1', ['k.lastlease'], 1, 60);
    await age(id);
    expect(await claimJobs(db, 'w2', ['k.lastlease'], 1, 60)).toEqual([]);
    expect(await row(id)).toMatchObject({ status: 'failed', last_error: expect.stringMatching(/lease expired/) });
  });

  it('property: whatever the order of enqueue / claim / finish / fail / lease expiry, a key never has two open jobs and a job is never held by two workers', async () => {
    const key = fc.constantFrom('p-a', 'p-b', 'p-c');
    const worker = fc.constantFrom('w1', 'w2', 'w3');
    const op = fc.oneof(
      fc.record({ op: fc.constant('enqueue' as const), key }),
      fc.record({ op: fc.constant('claim' as const), worker, limit: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ op: fc.constant('finish' as const), worker }),
      fc.record({ op: fc.constant('fail' as const), worker, retry: fc.boolean() }),
      fc.record({ op: fc.constant('expire' as const) }),
    );
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      await db.pg.query("delete from jobs where kind = 'k.prop'");
      const held = new Map<number, string>(); // job → the worker that claimed it last
      for (const o of ops) {
        if (o.op === 'enqueue') await enqueueJob(db, 'k.prop', {}, { dedupeKey: o.key });
        if (o.op === 'claim') for (const j of await claimJobs(db, o.worker, ['k.prop'], o.limit, 60)) held.set(j.id, o.worker);
        if (o.op === 'finish' || o.op === 'fail') {
          const mine = [...held].find(([, w]) => w === o.worker);
          if (mine) {
            const ok = o.op === 'finish' ? await finishJob(db, o.worker, mine[0]) : (await failJob(db, o.worker, mine[0], 'x', 0, o.retry)) !== null;
            const { rows } = await db.pg.query<{ locked_by: string | null }>('select locked_by from jobs where id = $1', [mine[0]]);
            // Only the current holder can finish or fail a job.
            expect(ok).toBe(true);
            expect(rows[0].locked_by).toBeNull();
            held.delete(mine[0]);
          }
        }
        if (o.op === 'expire') {
          // Every lease runs out: the next claim may hand those jobs to another worker.
          await db.pg.query("update jobs set locked_until = now() - interval '1 second' where kind = 'k.prop' and status = 'running'");
        }
        const { rows: open } = await db.pg.query<{ dedupe_key: string; n: number }>(
          "select dedupe_key, count(*)::int as n from jobs where kind = 'k.prop' and status in ('queued', 'running') group by dedupe_key having count(*) > 1");
        expect(open).toEqual([]);
        const { rows: running } = await db.pg.query<{ id: number; locked_by: string }>(
          "select id, locked_by from jobs where kind = 'k.prop' and status = 'running'");
        for (const r of running) expect(held.get(Number(r.id))).toBe(r.locked_by);
      }
    }), { numRuns: 60 });
  });
});

describe('job queue on PostgreSQL 15', () => {
  let pg: PostgresServer;
  let url: string;
  let sql: postgres.Sql;

  beforeAll(async () => {
    pg = await startPostgres();
    url = await pg.createDatabase('slotline_jobs_sql');
    const db = await openPostgresDb({ url });
    await db.close();
    sql = postgres(url, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await pg?.stop();
  });

  it('20 workers on their own connections claim 1000 jobs at once: every job exactly once', async () => {
    await sql`select enqueue_job('k.many', jsonb_build_object('n', g), null, null, null) from generate_series(1, 1000) g`;
    const workers = await Promise.all(Array.from({ length: 20 }, () => openPostgresDb({ url, max: 1, migrate: false })));
    try {
      const seen: number[] = [];
      await Promise.all(workers.map(async (db, i) => {
        for (;;) {
          const jobs = await claimJobs(db, `w${i}`, ['k.many'], 7, 60);
          if (jobs.length === 0) return;
          for (const j of jobs) {
            seen.push(j.id);
            expect(await finishJob(db, `w${i}`, j.id)).toBe(true);
          }
        }
      }));
      expect(seen).toHaveLength(1000);
      expect(new Set(seen).size).toBe(1000);
      expect(await sql`select 1 from jobs where kind = 'k.many' and (status <> 'done' or attempts <> 1)`).toHaveLength(0);
    } finally {
      await Promise.all(workers.map((db) => db.close()));
    }
  });

  it('concurrent enqueues with one dedupe key make one open job', async () => {
    const dbs = await Promise.all(Array.from({ length: 10 }, () => openPostgresDb({ url, max: 1, migrate: false })));
    try {
      const ids = await Promise.all(dbs.map((db, i) => enqueueJob(db, 'k.race', { i }, { dedupeKey: 'race-1' })));
      expect(new Set(ids.map((r) => r.id)).size).toBe(1);
      expect(ids.filter((r) => !r.merged)).toHaveLength(1);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });

  it('visitors and signed-in users can neither read the queue nor call its functions', async () => {
    await sql`select enqueue_job('k.private', '{"secret": 1}'::jsonb, null, null, null)`;
    for (const role of ['anon', 'authenticated'] as const) {
      await expect(asRole(sql, role, null, (tx) => tx`select * from jobs`)).rejects.toThrow(/permission denied/);
      await expect(asRole(sql, role, null, (tx) => tx`select enqueue_job('k.x', '{}'::jsonb, null, null, null)`)).rejects.toThrow(/permission denied/);
      await expect(asRole(sql, role, null, (tx) => tx`select claim_jobs('w', null, 10, 60)`)).rejects.toThrow(/permission denied/);
    }
    const [{ rls }] = await sql<{ rls: boolean }[]>`select relrowsecurity as rls from pg_class where oid = 'public.jobs'::regclass`;
    expect(rls).toBe(true);
  });
});
