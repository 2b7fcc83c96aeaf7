import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startAppServer, startSmtp, type AppServer } from '../support/app-client.ts';
import { makeProvider } from '../support/fixtures.ts';
import { until } from '../support/until.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

process.env.PATH = `${process.env.PATH}:/usr/lib/postgresql/15/bin`;

/**
 * Freed time: a booking cancelled before its start gives the provider a ready-to-forward offer — kept in the outbox
 * for the app, and in the provider's cancellation email with a one-tap `wa.me/?text=` share — whose link opens the
 * booking page on exactly that time. Whoever taps first gets it: two visitors booking it at once on two server
 * instances over real PostgreSQL get one 201 and one 409.
 */

const NOW = mondayAfterTwoWeeks();
const { at } = daysAfter(NOW);

let pg: PostgresServer;
let sql: postgres.Sql;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const servers: AppServer[] = [];
let ownerId: string;
let providerId: string;

beforeAll(async () => {
  pg = await startPostgres();
  smtp = await startSmtp();
  const url = await pg.createDatabase('notify_freed_time');
  sql = postgres(url, { max: 2, onnotice: () => {} });
  const env = { SMTP_URL: smtp.url, MAIL_FROM: 'Slotline <f@slotline.test>' };
  servers.push(await startAppServer({ databaseUrl: url, start: NOW, env }));
  servers.push(await startAppServer({ databaseUrl: url, seed: false, start: NOW, env }));
  const lina = await makeProvider(servers[0].db, {
    slug: 'lina', timezone: 'Europe/Berlin',
    settings: { booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 60 }, notifications: { email: 'lina@example.com' } },
    services: [{ slug: 'call', title: 'Video call', durationMinutes: 60 }],
  });
  providerId = lina.id;
  ownerId = (await sql<{ owner_user_id: string }[]>`select owner_user_id from providers where id = ${providerId}`)[0].owner_user_id;
}, 120_000);
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
  await sql?.end();
  await smtp?.close();
  await pg?.stop();
});

const to = (m: { to?: unknown }) => {
  const t = m.to as { text?: string } | undefined;
  return t && !Array.isArray(t) ? t.text ?? '' : '';
};

async function book(server: AppServer, start: string, name: string) {
  return fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'lina', service: 'call', start, name, email: `${name.toLowerCase()}@example.com` }),
  });
}

const freedTime = (bookingId: string) => sql<{ status: string; recipient: string | null; subject: string | null; body_text: string | null }[]>`
  select status, recipient, subject, body_text from outbox where booking_id = ${bookingId} and kind = 'provider.freed-time'`;

describe('the freed time of a cancelled booking', () => {
  it('offers it to forward (app and cancellation email), and the first of two visitors to book it gets it', async () => {
    const start = at(3, '08:00'); // 09:00 Berlin (CET)
    const made = await book(servers[0], start, 'Sara');
    expect(made.status).toBe(201);
    const sara = await made.json();
    const token = (sara.manageUrl as string).split('/b/')[1];

    const before = smtp.mails.length;
    expect((await fetch(`${servers[1].url}/api/bookings/${token}/cancel`, { method: 'POST' })).status).toBe(200);

    // The ready-to-forward message, kept for the app (never emailed on its own).
    await until(async () => (await freedTime(sara.booking.id))[0]?.status === 'kept', 'the kept offer');
    const [kept] = await freedTime(sara.booking.id);
    expect(kept.recipient).toBeNull();
    expect(kept.subject).toMatch(/^Freed time to offer: .*09:00 \(Europe\/Berlin\)$/);
    const when = kept.subject!.replace('Freed time to offer: ', '');
    // Each test instance has its own PUBLIC_URL; whichever ran the job wrote its own.
    const bookUrl = kept.body_text!.split(' ').pop()!;
    expect(servers.map((s) => s.config.publicUrl)).toContain(new URL(bookUrl).origin);
    expect(bookUrl.slice(new URL(bookUrl).origin.length)).toBe(`/c/lina/call?slot=${new Date(start).toISOString()}`);
    expect(kept.body_text).toBe(`A time just opened up with Provider lina: Video call, ${when}. First to book gets it: ${bookUrl}`);
    const outbox = await servers[0].db.rpc('app_list_outbox', { p_user_id: ownerId, p_provider_id: providerId, p_limit: 100 }) as { kind: string; text: string }[];
    expect(outbox.find((m) => m.kind === 'provider.freed-time')?.text).toBe(kept.body_text);

    // The provider's cancellation email carries the same offer and a one-tap WhatsApp share of it.
    const mail = await until(() => smtp.mails.slice(before).find((m) => to(m).includes('lina@example.com') && /^Cancelled: Sara/.test(m.subject ?? '')), 'the cancellation email');
    const offer = mail.text!.match(/A time just opened up[^\n]*/)![0];
    expect(offer.replace(/https?:\/\/[^/]+/, '')).toBe(kept.body_text!.replace(/https?:\/\/[^/]+/, ''));
    const share = mail.text!.match(/https:\/\/wa\.me\/\?text=\S+/)![0];
    expect(new URL(share).searchParams.get('text')).toBe(offer);
    expect(mail.html).toContain('Offer it on WhatsApp');
    expect(smtp.mails.slice(before).filter((m) => /Freed time/.test(m.subject ?? ''))).toEqual([]);

    // The link names the time the booking page opens on; two visitors tap it at once, on two instances.
    const slot = new URL(bookUrl).searchParams.get('slot')!;
    const answers = await Promise.all([book(servers[0], slot, 'Omar'), book(servers[1], slot, 'Huda')]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await sql`select 1 from bookings where provider_id = ${providerId} and starts_at = ${start} and status = 'confirmed'`).toHaveLength(1);
  }, 60_000);

  it('a provider cancellation offers the time too', async () => {
    const start = at(4, '10:00');
    const made = await book(servers[0], start, 'Mona');
    const { booking } = await made.json();
    await servers[0].db.rpc('app_cancel_booking', { p_user_id: ownerId, p_provider_id: providerId, p_booking_id: booking.id, p_reason: 'ill', p_refund: null });
    await until(async () => (await freedTime(booking.id))[0]?.status === 'kept', 'the kept offer');
    expect(await freedTime(booking.id)).toHaveLength(1);
  }, 60_000);

  it('a booking cancelled after its start offers nothing', async () => {
    const start = at(5, '10:00');
    const { booking } = await (await book(servers[0], start, 'Late')).json();
    // Its time has passed by the database's clock (the only way to get there without waiting).
    await sql`update bookings set starts_at = now() - interval '2 hours', ends_at = now() - interval '1 hour' where id = ${booking.id}`;
    await servers[0].db.rpc('app_cancel_booking', { p_user_id: ownerId, p_provider_id: providerId, p_booking_id: booking.id, p_reason: null, p_refund: null });
    await until(async () => (await sql`select 1 from outbox where booking_id = ${booking.id} and kind = 'provider.cancelled' and status <> 'queued'`).length === 1, 'the cancellation email');
    expect(await freedTime(booking.id)).toEqual([]);
    const mail = await until(() => smtp.mails.find((m) => to(m).includes('lina@example.com') && /^Cancelled: Late/.test(m.subject ?? '')), 'the email');
    expect(mail.text).not.toContain('wa.me/?text=');
  }, 60_000);
});
