import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { startAppServer, startSmtp, type AppServer } from '../support/app-client.ts';
import { makeProvider } from '../support/fixtures.ts';
import { until } from '../support/until.ts';
import { mondayAfterTwoWeeks } from '../support/clock.ts';

/**
 * The provider's email when a calendar source has been failing for more than an hour: queued with the failure
 * (trigger on calendar_sync_state), sent once per failing episode when the server's (injected) clock is an hour past
 * failing_since, not when the source recovered first, not with provider mail turned off. Real SMTP (smtp-server).
 */

const MIN = 60_000;

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let server: AppServer;
let pg: PGlite;
let providerId: string;
let source: string;

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startAppServer({ start: mondayAfterTwoWeeks(), env: { SMTP_URL: smtp.url, MAIL_FROM: 'Slotline <n@slotline.test>' } });
  pg = (server.db as unknown as { pg: PGlite }).pg;
  const kim = await makeProvider(server.db, { slug: 'kim', timezone: 'Europe/Berlin', settings: { notifications: { email: 'kim@example.com' } } });
  providerId = kim.id;
  const integration = (await pg.query<{ id: string }>(
    "insert into integrations (user_id, integration_type, label) select owner_user_id, 'ics', 'Studio calendar' from providers where id = $1 returning id",
    [providerId])).rows[0].id;
  source = `ics:${integration}`;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const fail = (reason = 'the feed answered HTTP 401') =>
  server.db.rpc('record_calendar_failure', { p_provider_id: providerId, p_source: source, p_reason: reason, p_clear: false });
const recover = () => server.db.rpc('save_calendar_busy', {
  p_provider_id: providerId, p_source: source, p_from: new Date().toISOString(), p_to: new Date(Date.now() + 86_400_000).toISOString(),
  p_busy: [], p_etag: null, p_last_modified: null, p_body: null,
});
const failingSince = async () => (await pg.query<{ failing_since: Date | null }>(
  'select failing_since from calendar_sync_state where provider_id = $1 and source = $2', [providerId, source])).rows[0].failing_since;
const jobs = async () => (await pg.query<{ id: number; status: string; run_at: Date }>(
  "select id, status, run_at from jobs where kind = 'notify.calendar-failing' and payload ->> 'providerId' = $1 order by id", [providerId])).rows;
const messages = async () => (await pg.query<{ status: string; subject: string; body_text: string }>(
  "select status, subject, body_text from outbox where provider_id = $1 and kind = 'provider.calendar-failing' order by id", [providerId])).rows;
const toKim = () => smtp.mails.filter((m) => (m.to && !Array.isArray(m.to) ? m.to.text : '').includes('kim@example.com'));
/** The database's clock is made to agree with the server's: the queued jobs become due, and run. */
async function runJobs() {
  await pg.query("update jobs set run_at = now() where kind = 'notify.calendar-failing' and status = 'queued'");
  await until(async () => (await pg.query(
    "select 1 from jobs where kind in ('notify.calendar-failing', 'notify.email') and (status = 'running' or (status = 'queued' and run_at <= now()))")).rows.length === 0,
  'the queue to settle');
}

describe('a calendar source failing for more than an hour', () => {
  it('emails the provider once per failing episode, an hour after it started by the server clock', async () => {
    await fail();
    const since = (await failingSince())!;
    expect(await jobs()).toEqual([expect.objectContaining({ status: 'queued', run_at: new Date(since.getTime() + 60 * MIN) })]);

    // Still failing 59 minutes in: the job is claimed, sees it is not its time by the server's clock, and waits.
    server.clock.now = new Date(since.getTime() + 59 * MIN);
    await runJobs();
    expect(await messages()).toEqual([]);
    expect((await jobs())[0]).toMatchObject({ status: 'queued', run_at: new Date(since.getTime() + 60 * MIN) });

    // More failures in the same episode queue nothing more.
    await fail('the feed answered HTTP 500');
    expect(await jobs()).toHaveLength(1);

    server.clock.now = new Date(since.getTime() + 61 * MIN);
    await runJobs();
    const mail = await until(() => toKim()[0], 'the failing-calendar email');
    expect(mail.subject).toBe('Your calendar "Studio calendar" cannot be read');
    expect(mail.text).toContain('Slotline has not been able to read your calendar "Studio calendar" since');
    expect(mail.text).toContain('HTTP 500');
    expect(mail.text).toContain(`${server.config.publicUrl}/app/settings/calendars`);
    expect(mail.html).toContain(`href="${server.config.publicUrl}/app/settings/calendars"`);
    expect(await messages()).toEqual([expect.objectContaining({ status: 'sent' })]);

    // The same episode again (a duplicate job, another instance): nothing more.
    expect(await server.db.rpc('calendar_failing_due', { p_provider_id: providerId, p_source: source, p_failing_since: since.toISOString() })).toBeNull();
    expect(toKim()).toHaveLength(1);
  });

  it('says nothing when the source recovered within the hour, or when provider mail is off', async () => {
    await recover();
    await fail();
    const second = (await failingSince())!;
    await recover();
    expect(await jobs()).toHaveLength(2);
    server.clock.now = new Date(second.getTime() + 2 * 60 * MIN);
    await runJobs();
    expect(await messages()).toHaveLength(1);

    await pg.query(`update providers set settings = jsonb_set(settings, '{notifications,providerEmails}', 'false') where id = $1`, [providerId]);
    await fail();
    const third = (await failingSince())!;
    expect(third.getTime()).toBeGreaterThan(second.getTime());
    expect(await jobs()).toHaveLength(3);
    server.clock.now = new Date(third.getTime() + 2 * 60 * MIN);
    await runJobs();
    expect(await messages()).toHaveLength(1);
    expect(toKim()).toHaveLength(1);
    expect((await jobs()).map((j) => j.status)).toEqual(['done', 'done', 'done']);
  });
});
