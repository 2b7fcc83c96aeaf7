import postgres from 'postgres';
import type { JobHandler } from '../../server/jobs/worker.ts';

/**
 * Extra job kinds for tests that run real server processes (`JOBS_HANDLERS_MODULE=tests/support/job-handlers.ts`).
 * Each run writes rows into `job_log` (the test creates it) on its own connection, so the test sees every run,
 * including runs of a process that was killed.
 *
 * `test.record` payload: `sleepMs` (wait before finishing), `hangOnFirstAttempt` (the first run never finishes).
 */
const sql = postgres(process.env.DATABASE_URL!, { max: 4, onnotice: () => {} });

const record: JobHandler = async (job) => {
  const { sleepMs = 0, hangOnFirstAttempt = false } = job.payload as { sleepMs?: number; hangOnFirstAttempt?: boolean };
  await sql`insert into job_log (job_id, pid, attempt, note) values (${job.id}, ${process.pid}, ${job.attempts}, 'started')`;
  if (hangOnFirstAttempt && job.attempts === 1) await new Promise(() => {});
  if (sleepMs) await new Promise((r) => setTimeout(r, sleepMs));
  await sql`insert into job_log (job_id, pid, attempt, note) values (${job.id}, ${process.pid}, ${job.attempts}, 'finished')`;
};

export default { 'test.record': record } satisfies Record<string, JobHandler>;
