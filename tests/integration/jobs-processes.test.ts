import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startServerProcess, type ServerProcess } from '../support/process.ts';
import { until } from '../support/until.ts';

/**
 * The job queue across real `npm start` processes on one PostgreSQL 15: jobs are shared without being run twice,
 * a process killed mid-job leaves its job to the next claim after the lease, and shutdown waits for running jobs.
 * The processes load the test job kinds from tests/support/job-handlers.ts.
 */
let pg: PostgresServer;
let url: string;
let sql: postgres.Sql;
const servers: ServerProcess[] = [];

const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: url, SEED_DEMO: '0', JOBS_HANDLERS_MODULE: 'tests/support/job-handlers.ts', JOBS_POLL_MS: '50', ...extra,
});
async function start(extra?: Record<string, string>) {
  const s = await startServerProcess(env(extra));
  servers.push(s);
  return s;
}
const log = (jobId: number) =>
  sql<{ pid: number; attempt: number; note: string }[]>`select pid, attempt, note from job_log where job_id = ${jobId} order by id`;
const job = async (id: number) =>
  (await sql<{ status: string; attempts: number; locked_by: string | null }[]>`select status, attempts, locked_by from jobs where id = ${id}`)[0];
const enqueue = async (payload: Record<string, unknown>) =>
  (await sql<{ r: { id: number } }[]>`select enqueue_job('test.record', ${sql.json(payload as postgres.JSONValue)}, null, null, null) as r`)[0].r.id;

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase('slotline_jobs');
  sql = postgres(url, { max: 2, onnotice: () => {} });
  await sql`create table job_log (id bigserial primary key, job_id bigint not null, pid int not null, attempt int not null, note text not null)`;
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
});
afterAll(async () => {
  await sql?.end();
  await pg?.stop();
});

describe('the job queue across server processes', () => {
  it('two processes run 500 jobs, each exactly once', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    await sql`select enqueue_job('test.record', jsonb_build_object('n', g, 'sleepMs', g % 7), null, null, null) from generate_series(1, 500) g`;
    await until(async () => (await sql`select 1 from jobs where kind = 'test.record' and status = 'done'`).length === 500, '500 jobs done', 60_000, 100);

    const [counts] = await sql<{ runs: number; jobs: number }[]>`
      select count(*)::int as runs, count(distinct job_id)::int as jobs from job_log where note = 'finished'`;
    expect(counts).toEqual({ runs: 500, jobs: 500 });
    expect(await sql`select 1 from job_log where note = 'started'`).toHaveLength(500);
    expect(await sql`select 1 from jobs where kind = 'test.record' and attempts <> 1`).toHaveLength(0);
    // Both processes took part.
    const byPid = await sql<{ pid: number; n: number }[]>`select pid, count(*)::int as n from job_log where note = 'finished' group by pid`;
    expect(byPid.map((r) => r.pid).sort()).toEqual([a.child.pid, b.child.pid].sort());
  });

  it('a process killed with SIGKILL mid-job: the job is finished by the next process once the lease ends', async () => {
    const first = await start({ JOBS_LEASE_SECONDS: '3' });
    const id = await enqueue({ hangOnFirstAttempt: true });
    await until(async () => (await log(id)).length > 0, 'the first run to start');
    await first.stop('SIGKILL');
    expect(await job(id)).toMatchObject({ status: 'running', attempts: 1 });

    const second = await start({ JOBS_LEASE_SECONDS: '3' });
    await until(async () => (await job(id)).status === 'done', 'the job to be finished after the lease', 30_000, 100);
    expect(await log(id)).toEqual([
      { pid: first.child.pid, attempt: 1, note: 'started' },
      { pid: second.child.pid, attempt: 2, note: 'started' },
      { pid: second.child.pid, attempt: 2, note: 'finished' },
    ]);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 2, locked_by: null });
  });

  it('shutdown (SIGTERM) stops claiming and waits for the running job to finish', async () => {
    const server = await start();
    const running = await enqueue({ sleepMs: 1_500 });
    await until(async () => (await log(running)).length > 0, 'the job to start');
    const stopped = server.stop('SIGTERM');
    // Enqueued once the instance has taken the signal (it says so first): it no longer claims anything.
    await until(async () => /SIGTERM/.test(server.output()), 'the instance to take the signal', 10_000, 20);
    const later = await enqueue({});
    expect(await stopped).toBe(0);
    expect((await log(running)).map((r) => r.note)).toEqual(['started', 'finished']);
    expect(await job(running)).toMatchObject({ status: 'done' });
    expect(await job(later)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(server.output()).toMatch(/stopped cleanly/);
  });
});
