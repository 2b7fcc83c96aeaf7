import type { Db } from '../db/port.ts';

/**
 * The job queue's SQL functions (`supabase/migrations/20261130000200_jobs.sql`) as typed calls. The database holds
 * every rule — one open job per dedupe key, leases, backoff, the attempt limit — so any number of server instances
 * can share one queue.
 */

/** A claimed job, as `claim_jobs` hands it to a worker. */
export interface Job<P = Record<string, unknown>> {
  id: number;
  kind: string;
  payload: P;
  dedupeKey: string | null;
  /** This run's number, from 1 (a run cut short by a dead worker counts too). */
  attempts: number;
  maxAttempts: number;
  lockedUntil: string;
}

export interface EnqueueOptions {
  /** At most one open job per key: enqueueing again merges into it (a running one runs once more). */
  dedupeKey?: string | null;
  runAt?: Date | null;
  maxAttempts?: number | null;
}

/**
 * Adds a job (or merges it into the open one with the same dedupe key). Booking changes enqueue their jobs inside
 * their own SQL functions and triggers; this is for work that starts outside a booking transaction.
 */
export function enqueueJob(db: Db, kind: string, payload: Record<string, unknown>, options: EnqueueOptions = {}) {
  return db.rpc('enqueue_job', {
    p_kind: kind,
    p_payload: payload,
    p_dedupe_key: options.dedupeKey ?? null,
    p_run_at: options.runAt ?? null,
    p_max_attempts: options.maxAttempts ?? null,
  });
}

export async function claimJobs(db: Db, worker: string, kinds: string[], limit: number, leaseSeconds: number): Promise<Job[]> {
  return (await db.rpc('claim_jobs', { p_worker: worker, p_kinds: kinds, p_limit: limit, p_lease_seconds: leaseSeconds })) ?? [];
}

/** False when the job is no longer this worker's (its lease ran out and another worker took it). */
export function finishJob(db: Db, worker: string, id: number): Promise<boolean> {
  return db.rpc('finish_job', { p_id: id, p_worker: worker });
}

export function failJob(db: Db, worker: string, id: number, error: string, backoffSeconds: number, retry: boolean) {
  return db.rpc('fail_job', {
    p_id: id, p_worker: worker, p_error: error, p_backoff_seconds: backoffSeconds, p_retry: retry,
  });
}

/** Puts a claimed job back for `runAt` without counting the attempt (`defer_job`, notifications migration). */
export async function deferJob(db: Db, worker: string, id: number, runAt: Date): Promise<boolean> {
  return Boolean(await db.rpc('defer_job', { p_id: id, p_worker: worker, p_run_at: runAt }));
}
