import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import type { Db } from '../../server/db/port.ts';
import { enqueueJob } from '../../server/jobs/queue.ts';
import { PermanentJobError, startWorker } from '../../server/jobs/worker.ts';
import { createTestDb } from '../support/db.ts';
import { until } from '../support/until.ts';

/** The worker loop on PGlite: concurrency, kinds, permanent errors, retries, and shutdown. */
describe('job worker', () => {
  let db: Db & { pg: PGlite };
  const row = async (id: number) =>
    (await db.pg.query<{ status: string; attempts: number; last_error: string | null }>('select status, attempts, last_error from jobs where id = $1', [id])).rows[0];

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('runs no more jobs at once than its concurrency, and every job once', async () => {
    let now = 0;
    let peak = 0;
    const seen: number[] = [];
    const worker = startWorker({
      db, concurrency: 3, pollMs: 20, log: () => {},
      handlers: {
        'w.count': async (job) => {
          peak = Math.max(peak, ++now);
          await new Promise((r) => setTimeout(r, 5));
          seen.push(job.id);
          now--;
        },
      },
    });
    try {
      const ids = [];
      for (let i = 0; i < 30; i++) ids.push((await enqueueJob(db, 'w.count', { i })).id);
      await until(() => seen.length === 30, '30 jobs');
      expect(peak).toBeLessThanOrEqual(3);
      expect(peak).toBeGreaterThan(1);
      expect([...seen].sort((a, b) => a - b)).toEqual(ids);
    } finally {
      await worker.stop();
    }
  });

  it('claims only the kinds it has handlers for', async () => {
    const { id } = await enqueueJob(db, 'w.nobody', {});
    const worker = startWorker({ db, pollMs: 10, log: () => {}, handlers: { 'w.other': async () => {} } });
    await new Promise((r) => setTimeout(r, 100));
    await worker.stop();
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('retries a thrown error with backoff until it works; a PermanentJobError fails at once', async () => {
    let calls = 0;
    const logs: string[] = [];
    const worker = startWorker({
      db, pollMs: 10, backoffMs: 20, log: (l) => logs.push(l),
      handlers: {
        'w.flaky': async () => {
          if (++calls < 3) throw new Error(`flaky ${calls}`);
        },
        'w.bad': async () => {
          throw new PermanentJobError('payload makes no sense');
        },
      },
    });
    try {
      const flaky = await enqueueJob(db, 'w.flaky', {});
      const bad = await enqueueJob(db, 'w.bad', {});
      await until(async () => (await row(flaky.id)).status === 'done', 'the flaky job');
      await until(async () => (await row(bad.id)).status === 'failed', 'the bad job');
      expect(await row(flaky.id)).toEqual({ status: 'done', attempts: 3, last_error: 'flaky 2' });
      expect(await row(bad.id)).toEqual({ status: 'failed', attempts: 1, last_error: 'payload makes no sense' });
      expect(logs.some((l) => /failed for good/.test(l))).toBe(true);
    } finally {
      await worker.stop();
    }
  });

  it('shutdown waits for a running job; past its timeout the job is aborted and queued again, not lost', async () => {
    let finished = false;
    const worker = startWorker({
      db, pollMs: 10, log: () => {},
      handlers: {
        'w.quick': async () => {
          await new Promise((r) => setTimeout(r, 150));
          finished = true;
        },
      },
    });
    const quick = await enqueueJob(db, 'w.quick', {});
    await until(async () => (await row(quick.id)).status === 'running', 'the quick job to start');
    await worker.stop();
    expect(finished).toBe(true);
    expect((await row(quick.id)).status).toBe('done');

    const stuck = startWorker({
      db, pollMs: 10, backoffMs: 60_000, log: () => {},
      handlers: {
        'w.stuck': (_job, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      },
    });
    const slow = await enqueueJob(db, 'w.stuck', {});
    await until(async () => (await row(slow.id)).status === 'running', 'the stuck job to start');
    await stuck.stop(100);
    expect(await row(slow.id)).toEqual({ status: 'queued', attempts: 1, last_error: 'the server is shutting down' });
  });
});
