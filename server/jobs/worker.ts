import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/port.ts';
import { claimJobs, deferJob, failJob, finishJob, type Job } from './queue.ts';

/** What a handler gets besides the job: the database, and a signal that aborts when the job's lease runs out. */
export interface JobContext {
  db: Db;
  /** Aborts shortly before the lease ends, or when shutdown stops waiting: stop and let the job run again later. */
  signal: AbortSignal;
  log: (line: string) => void;
}

/**
 * Does one job. Runs at least once per job and may run again (after a crash, a lost lease, or a failure), so it must
 * be idempotent: read the current state, do what is still missing. Throwing retries with backoff;
 * throwing `PermanentJobError` ends the job `failed` at once.
 */
export type JobHandler = (job: Job, ctx: JobContext) => Promise<void>;

/** An error that retrying cannot fix (bad payload, refused credentials): the job ends `failed` with it. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/**
 * Thrown by a handler whose job is not due yet by the server's clock (a reminder claimed early because the database's
 * clock runs ahead): the job goes back to the queue for `runAt` without using up an attempt.
 */
export class DeferJobError extends Error {
  constructor(readonly runAt: Date) {
    super(`not due before ${runAt.toISOString()}`);
    this.name = 'DeferJobError';
  }
}

export interface WorkerOptions {
  db: Db;
  handlers: Record<string, JobHandler>;
  /** Names this process in `jobs.locked_by` (default host:pid:random). */
  workerId?: string;
  /** How often to look for due jobs when idle (default 1000 ms). `wake()` looks at once. */
  pollMs?: number;
  /** Jobs run at once by this worker (default 4). */
  concurrency?: number;
  /** How long a claimed job is this worker's; after that another worker may take it (default 300 s). */
  leaseSeconds?: number;
  /** First retry delay; it doubles with each attempt, up to an hour (default 5000 ms). */
  backoffMs?: number;
  log?: (line: string) => void;
}

export interface Worker {
  readonly id: string;
  /** Look for jobs now (e.g. right after a request enqueued one) instead of at the next poll. */
  wake(): void;
  /** Jobs running right now. */
  running(): number;
  /**
   * Stops claiming and waits for running jobs. After `timeoutMs` (default 10 s) their signals abort; a job that
   * stops then is failed and runs again later, one that does not is taken again when its lease ends.
   */
  stop(timeoutMs?: number): Promise<void>;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

/**
 * The worker loop every server instance runs: claim due jobs of the kinds it has handlers for (`claim_jobs`, FOR
 * UPDATE SKIP LOCKED, so instances never take the same job), run each with its handler, then `finish_job` or
 * `fail_job`. Delivery is at least once.
 *
 * @example
 * const worker = startWorker({ db, handlers: { 'payment.refund': refundJob(stripe) } });
 * await worker.stop();
 */
export function startWorker(options: WorkerOptions): Worker {
  const { db, handlers } = options;
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const pollMs = options.pollMs ?? 1_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const leaseSeconds = Math.max(1, options.leaseSeconds ?? 300);
  const backoffSeconds = (options.backoffMs ?? 5_000) / 1000;
  const log = options.log ?? console.error;
  const kinds = Object.keys(handlers);

  const active = new Map<number, { done: Promise<void>; abort: AbortController }>();
  let stopping = false;
  let wakeUp: (() => void) | null = null;
  // A wake() that came while the loop was busy claiming: the next nap is skipped.
  let woken = false;
  let claimFailures = 0;

  const wake = () => {
    const resolve = wakeUp;
    wakeUp = null;
    if (resolve) resolve();
    else woken = true;
  };
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(() => wake(), ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function run(job: Job, abort: AbortController): Promise<void> {
    // Stop before the lease ends, so another worker never runs the job while this one still does.
    const leaseTimer = setTimeout(() => abort.abort(new Error('the job ran out of its lease')), leaseSeconds * 900);
    try {
      const handler = handlers[job.kind];
      if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
      await handler(job, { db, signal: abort.signal, log });
      if (!(await finishJob(db, id, job.id))) log(`[slotline] job ${job.id} (${job.kind}) finished after another worker took it over`);
    } catch (error) {
      if (error instanceof DeferJobError) {
        try {
          await deferJob(db, id, job.id, error.runAt);
        } catch (deferError) {
          log(`[slotline] job ${job.id} (${job.kind}) could not be deferred: ${errorText(deferError)}`);
        }
        return;
      }
      const permanent = error instanceof PermanentJobError;
      try {
        const result = await failJob(db, id, job.id, errorText(error), backoffSeconds, !permanent);
        if (result?.status === 'failed') log(`[slotline] job ${job.id} (${job.kind}) failed for good after ${job.attempts} attempt(s): ${errorText(error)}`);
      } catch (failError) {
        // The database is away: the lease runs out and the job runs again then.
        log(`[slotline] job ${job.id} (${job.kind}) could not be marked failed: ${errorText(failError)}`);
      }
    } finally {
      clearTimeout(leaseTimer);
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      const free = concurrency - active.size;
      let claimed: Job[] = [];
      if (free > 0 && kinds.length > 0) {
        try {
          claimed = await claimJobs(db, id, kinds, free, leaseSeconds);
          claimFailures = 0;
        } catch (error) {
          // Say it once per outage, not on every poll.
          if (claimFailures++ === 0) log(`[slotline] job worker cannot claim jobs: ${errorText(error)}`);
        }
      }
      for (const job of claimed) {
        const abort = new AbortController();
        const done = run(job, abort).finally(() => {
          active.delete(job.id);
          wake();
        });
        active.set(job.id, { done, abort });
      }
      if (stopping) break;
      // A full batch means more may be due: go again as soon as a slot frees up.
      if (claimed.length > 0 && claimed.length === free) {
        if (active.size >= concurrency) await nap(pollMs);
        continue;
      }
      await nap(pollMs);
    }
  }
  const looping = loop();

  return {
    id,
    wake,
    running: () => active.size,
    async stop(timeoutMs = 10_000) {
      stopping = true;
      wake();
      await looping;
      const all = () => Promise.all([...active.values()].map((a) => a.done));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        all().then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!timedOut) return;
      for (const a of active.values()) a.abort.abort(new Error('the server is shutting down'));
      // Handlers that honour the signal fail their job now; the rest are left to their lease.
      await Promise.race([all(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
    },
  };
}
