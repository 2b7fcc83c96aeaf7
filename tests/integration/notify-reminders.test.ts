import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startAppServer, startSmtp, type AppServer } from '../support/app-client.ts';
import { makeProvider, bookSql } from '../support/fixtures.ts';
import { until } from '../support/until.ts';
import postgres from 'postgres';

process.env.PATH = `${process.env.PATH}:/usr/lib/postgresql/15/bin`;

/**
 * Reminders on PostgreSQL with two server instances (each with its own job worker) and a restart, on a provider in
 * Europe/Berlin across the spring DST change. Offsets are elapsed time: 24 h before 10:00 CEST on the Sunday the
 * clocks go forward is 09:00 CET on the Saturday.
 *
 * The servers' clock is injected; PostgreSQL's `now()` cannot be. The queue claims a job when the DATABASE's clock
 * reaches its run_at, so the test plays the database clock by making due (run_at = now()) the reminder jobs whose
 * run_at the injected clock has reached — and once, every reminder job, to show that a job claimed before its time
 * by the server's clock goes back to wait rather than firing early.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
// Dates must lie in the database's future (manage links expire by its clock): next year's DST changes.
const YEAR = new Date().getUTCFullYear() + 1;
const lastSunday = (month: number) => {
  const d = new Date(Date.UTC(YEAR, month + 1, 0));
  while (d.getUTCDay() !== 0) d.setTime(d.getTime() - DAY);
  return d;
};
/** 10:00 CEST on the last Sunday of March (the clocks went forward at 01:00Z that morning). */
const START = new Date(lastSunday(2).getTime() + 8 * HOUR);
const NOW = new Date(START.getTime() - 3 * DAY);
const DUE_24H = new Date(START.getTime() - 24 * HOUR);
const DUE_2H = new Date(START.getTime() - 2 * HOUR);

const berlin = (t: Date) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);

let pg: PostgresServer;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let url: string;
let sql: postgres.Sql;
const servers: AppServer[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  smtp = await startSmtp();
  url = await pg.createDatabase('notify_reminders');
  sql = postgres(url, { max: 2, onnotice: () => {} });
}, 120_000);
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
  await sql?.end();
  await smtp?.close();
  await pg?.stop();
});

const start = (seed: boolean) =>
  startAppServer({ databaseUrl: url, seed, start: NOW, env: { SMTP_URL: smtp.url, MAIL_FROM: 'Slotline <r@slotline.test>' } });
const to = (mail: { to?: unknown }) => {
  const t = mail.to as { text?: string } | undefined;
  return t && !Array.isArray(t) ? t.text ?? '' : '';
};
const reminders = (address: string) => smtp.mails.filter((m) => to(m).includes(address) && /^Reminder:/.test(m.subject ?? ''));
const reminderJobs = (bookingId: string) =>
  sql<{ status: string; run_at: Date; attempts: number; offset: number }[]>`
    select status, run_at, attempts, (payload ->> 'offsetMinutes')::int as offset from jobs
     where kind = 'notify.reminder' and payload ->> 'bookingId' = ${bookingId} order by run_at`;
/** The database's clock reaches the servers' clock: reminder jobs due by it become due for the queue. */
const databaseReaches = (t: Date) =>
  sql`update jobs set run_at = now() where kind = 'notify.reminder' and status = 'queued' and run_at <= ${t}`;
const setClocks = (t: Date) => servers.forEach((s) => (s.clock.now = t));
const idle = () => until(async () => (await sql`
  select 1 from jobs where kind in ('notify.reminder', 'notify.email') and (status = 'running' or (status = 'queued' and run_at <= now()))`).length === 0, 'the queue to settle');

async function book(server: AppServer, email: string, at: Date) {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'mira', service: 'session', start: at.toISOString(), name: 'Vis', email, timezone: 'Europe/Berlin' }),
  });
  expect(res.status).toBe(201);
  const body = await res.json();
  return { id: body.booking.id as string, token: (body.manageUrl as string).split('/b/')[1], manageUrl: body.manageUrl as string };
}

describe('reminders across DST, two instances and a restart', () => {
  it('fire at start − offset by the server clock, once, never after a cancellation or an opt-out', async () => {
    const a = await start(true);
    servers.push(a);
    const b = await start(false);
    servers.push(b);
    const provider = await makeProvider(a.db, {
      slug: 'mira',
      timezone: 'Europe/Berlin',
      settings: { booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 30 }, notifications: { reminders: [1440, 120] } },
      services: [{ slug: 'session', title: 'Session', durationMinutes: 60 }],
    });

    const kept = await book(a, 'kept@example.com', START);
    const gone = await book(b, 'gone@example.com', new Date(START.getTime() + 2 * HOUR));
    const quiet = await book(a, 'quiet@example.com', new Date(START.getTime() + 4 * HOUR));

    // Enqueued with the booking: run_at = start − offset as instants; 24 h before Sunday 10:00 CEST is Saturday 09:00 CET.
    const jobs = await reminderJobs(kept.id);
    expect(jobs.map((j) => [j.offset, j.run_at.toISOString()])).toEqual([[1440, DUE_24H.toISOString()], [120, DUE_2H.toISOString()]]);
    expect(berlin(DUE_24H)).toBe('Sat 09:00');
    expect(berlin(START)).toBe('Sun 10:00');

    // A cancellation leaves its jobs to find the booking cancelled; an opt-out through the reminder link stops them.
    expect((await fetch(`${b.url}/api/bookings/${gone.token}/cancel`, { method: 'POST' })).status).toBe(200);
    const optOut = await fetch(`${a.url}/api/bookings/${quiet.token}/reminders`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: false }),
    });
    expect(optOut.status).toBe(200);
    expect(await optOut.json()).toEqual({ reminders: false });

    // Restart: instance A stops and C takes its place on the same database.
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    const c = await start(false);
    servers.push(c);

    // One minute early by the servers' clock, while the database's clock has run past every reminder: the jobs are
    // claimed, see it is not their time, and go back to wait for it — nothing is sent.
    setClocks(new Date(DUE_24H.getTime() - 60_000));
    await sql`update jobs set run_at = now() where kind = 'notify.reminder' and status = 'queued'`;
    await until(async () => (await reminderJobs(kept.id)).every((j) => j.status === 'queued' && j.run_at.getTime() > Date.now()), 'the early jobs to go back');
    expect((await reminderJobs(kept.id)).map((j) => [j.run_at.toISOString(), j.attempts])).toEqual([[DUE_24H.toISOString(), 0], [DUE_2H.toISOString(), 0]]);
    expect(smtp.mails.filter((m) => /^Reminder:/.test(m.subject ?? ''))).toEqual([]);

    // At the instant: the 24 h reminder goes out once, from one of the two instances.
    setClocks(DUE_24H);
    await databaseReaches(DUE_24H);
    const mail = await until(() => reminders('kept@example.com')[0], 'the 24 h reminder');
    await idle();
    expect(reminders('kept@example.com')).toHaveLength(1);
    // Instances differ only in their port here (each test server has its own PUBLIC_URL).
    expect(mail.text).toContain(`/b/${kept.token}`);
    expect(mail.text).toContain(`/api/bookings/${kept.token}/reminders`);
    expect(mail.text).toMatch(/10:00 \(Europe\/Berlin\)/);
    expect(reminders('gone@example.com')).toEqual([]);
    expect(reminders('quiet@example.com')).toEqual([]);

    // The same reminder delivered again (a crash after sending, a duplicate job) sends nothing more.
    await sql`select enqueue_job('notify.reminder', ${sql.json({ bookingId: kept.id, offsetMinutes: 1440, start: START.toISOString() })}, 'again', null, 3)`;
    await until(async () => (await sql`select 1 from jobs where dedupe_key = 'again' and status = 'done'`).length === 1, 'the repeated job');
    await idle();
    expect(reminders('kept@example.com')).toHaveLength(1);

    // The 2 h reminder, at its instant.
    setClocks(DUE_2H);
    await databaseReaches(DUE_2H);
    await until(() => reminders('kept@example.com').length === 2, 'the 2 h reminder');
    await idle();
    expect(reminders('kept@example.com')).toHaveLength(2);
    expect(reminders('gone@example.com')).toEqual([]);
    expect(reminders('quiet@example.com')).toEqual([]);
    const rows = await sql<{ kind: string; status: string }[]>`select kind, status from outbox where booking_id = ${kept.id} and kind = 'visitor.reminder'`;
    expect(rows).toEqual([{ kind: 'visitor.reminder', status: 'sent' }, { kind: 'visitor.reminder', status: 'sent' }]);
    expect(await sql`select 1 from outbox where kind = 'visitor.reminder' and booking_id in (${gone.id}, ${quiet.id})`).toHaveLength(0);

    // Autumn: 24 h before 10:00 CET on the last Sunday of October is 11:00 CEST on the Saturday (a per-service list).
    await sql`update services set reminder_minutes = '[1440]' where id = ${provider.services[0].id}`;
    const autumn = new Date(lastSunday(9).getTime() + 9 * HOUR);
    const made = await bookSql(c.db, provider, autumn.toISOString());
    const autumnJobs = await reminderJobs(made.booking.id);
    expect(autumnJobs.map((j) => [j.offset, j.run_at.toISOString()])).toEqual([[1440, new Date(autumn.getTime() - 24 * HOUR).toISOString()]]);
    expect([berlin(autumn), berlin(autumnJobs[0].run_at)]).toEqual(['Sun 10:00', 'Sat 11:00']);
  }, 120_000);

  it('a reschedule moves the reminders: the old time reminds nobody, the new time does', async () => {
    const s = servers[0];
    await sql`update services set reminder_minutes = null`; // the provider's [1440, 120] again
    const moved = await book(s, 'moved@example.com', new Date(START.getTime() + 6 * HOUR));
    const newStart = new Date(START.getTime() + 30 * HOUR);
    setClocks(NOW);
    const res = await fetch(`${s.url}/api/bookings/${moved.token}/reschedule`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: newStart.toISOString() }),
    });
    expect(res.status).toBe(200);
    const jobs = await reminderJobs(moved.id);
    expect(jobs.map((j) => j.run_at.toISOString()).sort()).toEqual([
      new Date(START.getTime() + 6 * HOUR - 24 * HOUR).toISOString(),
      new Date(START.getTime() + 6 * HOUR - 2 * HOUR).toISOString(),
      new Date(newStart.getTime() - 24 * HOUR).toISOString(),
      new Date(newStart.getTime() - 2 * HOUR).toISOString(),
    ].sort());

    // The old 2 h instant passes: nothing. The new one: one reminder, naming the new time.
    setClocks(new Date(START.getTime() + 4 * HOUR));
    await databaseReaches(new Date(START.getTime() + 4 * HOUR));
    await idle();
    expect(reminders('moved@example.com')).toEqual([]);
    setClocks(new Date(newStart.getTime() - 2 * HOUR));
    await databaseReaches(new Date(newStart.getTime() - 2 * HOUR));
    const mail = await until(() => reminders('moved@example.com')[0], 'the moved reminder');
    await idle();
    expect(reminders('moved@example.com')).toHaveLength(1);
    expect(mail.text).toMatch(/Mon .*16:00 \(Europe\/Berlin\)|16:00 \(Europe\/Berlin\)/);
  }, 60_000);
});
