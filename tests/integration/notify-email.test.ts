import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';
import type { PGlite } from '@electric-sql/pglite';
import { startAppServer, startSmtp, type AppServer } from '../support/app-client.ts';
import { makeProvider } from '../support/fixtures.ts';
import { until } from '../support/until.ts';
import { freePort } from '../support/postgres.ts';

/**
 * Booking emails end to end: the app on PGlite with its job worker, a real SMTP server (smtp-server on loopback),
 * every message parsed with mailparser and every .ics with ical.js.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** A Monday 06:00Z at least two weeks after the real date (manage links expire by the database's clock). */
const NOW = (() => {
  const t = new Date(Date.now() + 14 * DAY);
  t.setUTCHours(6, 0, 0, 0);
  while (t.getUTCDay() !== 1) t.setTime(t.getTime() + DAY);
  return t;
})();
const at = (days: number, hours: number) => new Date(NOW.getTime() + days * DAY + hours * HOUR).toISOString();

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let server: AppServer;
let pg: PGlite;

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startAppServer({ start: NOW, env: { SMTP_URL: smtp.url, MAIL_FROM: 'Lina via Slotline <bookings@slotline.test>' } });
  pg = (server.db as unknown as { pg: PGlite }).pg;
  await makeProvider(server.db, {
    slug: 'lina',
    timezone: 'Europe/Berlin',
    settings: {
      booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 60 },
      whatsapp: { enabled: true, phoneE164: '+4915112345678' },
      notifications: { email: 'lina@example.com' },
    },
    services: [{ slug: 'call', title: 'Video call', durationMinutes: 60 }],
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

async function book(body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'lina', service: 'call', name: 'Sara', timezone: 'Europe/Berlin', ...body }),
  });
  expect(res.status).toBe(201);
  const data = await res.json();
  return { id: data.booking.id as string, manageUrl: data.manageUrl as string, token: (data.manageUrl as string).split('/b/')[1] };
}

/** Every text/calendar part of a message, parsed by ical.js: METHOD, and the event's UID, SEQUENCE and STATUS. */
function invitations(mail: ParsedMail) {
  const parts = mail.attachments.filter((a) => a.contentType === 'text/calendar');
  return parts.map((a) => {
    const cal = new ICAL.Component(ICAL.parse(a.content.toString('utf8')));
    const vevent = cal.getFirstSubcomponent('vevent')!;
    return {
      method: String(cal.getFirstPropertyValue('method')),
      uid: String(vevent.getFirstPropertyValue('uid')),
      sequence: Number(vevent.getFirstPropertyValue('sequence')),
      status: String(vevent.getFirstPropertyValue('status')),
      start: (vevent.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(),
    };
  });
}

async function icsOf(token: string) {
  const text = await (await fetch(`${server.url}/api/bookings/${token}/ics`)).text();
  const vevent = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!;
  return { uid: String(vevent.getFirstPropertyValue('uid')), sequence: Number(vevent.getFirstPropertyValue('sequence')) };
}

/** No booking email due or being sent. */
const idleMail = () => until(async () => (await pg.query(
  "select 1 from jobs where kind = 'notify.email' and (status = 'running' or (status = 'queued' and run_at <= now()))")).rows.length === 0, 'mail to settle');
const to = (mail: ParsedMail) => (mail.to && !Array.isArray(mail.to) ? mail.to.text : '');

const outbox = async (bookingId: string) =>
  (await pg.query<{ kind: string; status: string; recipient: string; body_text: string | null; body_html: string | null; ics: string | null; lang: string }>(
    'select kind, status, recipient, body_text, body_html, ics, lang from outbox where booking_id = $1 order by id', [bookingId])).rows;

describe('visitor and provider emails over SMTP', () => {
  it('confirmation: manage link, WhatsApp note and a METHOD:REQUEST invitation with the booking .ics UID; reschedule: SEQUENCE+1; cancel: METHOD:CANCEL', async () => {
    const before = smtp.mails.length;
    const b = await book({ start: at(2, 4), email: 'sara@example.com' });

    const confirmation = await smtp.waitFor('sara@example.com', before);
    expect(confirmation.subject).toMatch(/^Booked: Video call/);
    expect(confirmation.text).toContain(b.manageUrl);
    expect(confirmation.html).toContain(`href="${b.manageUrl}"`);
    expect(confirmation.text).toContain('https://wa.me/4915112345678');
    expect(confirmation.headers.get('content-language')).toBe('en');
    const [invite, ...more] = invitations(confirmation);
    expect(more).toEqual([]);
    const file = await icsOf(b.token);
    expect(invite).toMatchObject({ method: 'REQUEST', uid: `${b.id}@slotline`, status: 'CONFIRMED', start: at(2, 4) });
    expect(invite.uid).toBe(file.uid);
    expect(invite.sequence).toBe(file.sequence);

    const toProvider = await smtp.waitFor('lina@example.com', before);
    expect(toProvider.subject).toMatch(/^New booking: Sara — Video call/);
    expect(toProvider.text).toContain('sara@example.com');
    // The visitor's secret is theirs alone.
    expect(toProvider.text).not.toContain(b.token);

    // Reschedule → same UID, SEQUENCE one higher, still REQUEST.
    const beforeMove = smtp.mails.length;
    const moved = await fetch(`${server.url}/api/bookings/${b.token}/reschedule`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: at(3, 5) }),
    });
    expect(moved.status).toBe(200);
    const movedMail = await smtp.waitFor('sara@example.com', beforeMove);
    expect(movedMail.subject).toMatch(/^Moved: Video call/);
    const [reinvite] = invitations(movedMail);
    expect(reinvite).toMatchObject({ method: 'REQUEST', uid: invite.uid, sequence: invite.sequence + 1, start: at(3, 5) });
    expect((await smtp.waitFor('lina@example.com', beforeMove)).subject).toMatch(/^Moved: Sara/);

    // Cancel → METHOD:CANCEL, same UID, higher SEQUENCE.
    const beforeCancel = smtp.mails.length;
    expect((await fetch(`${server.url}/api/bookings/${b.token}/cancel`, { method: 'POST' })).status).toBe(200);
    const cancelMail = await smtp.waitFor('sara@example.com', beforeCancel);
    expect(cancelMail.subject).toMatch(/^Cancelled: Video call/);
    const [cancel] = invitations(cancelMail);
    expect(cancel).toMatchObject({ method: 'CANCEL', uid: invite.uid, status: 'CANCELLED' });
    expect(cancel.sequence).toBeGreaterThan(reinvite.sequence);
    expect((await smtp.waitFor('lina@example.com', beforeCancel)).subject).toMatch(/^Cancelled: Sara/);

    // The outbox records each message as sent, without the manage token anywhere in what it keeps.
    // (The freed-time offer is never emailed: it is kept for the provider app.)
    await until(async () => (await outbox(b.id)).every((m) => m.status === (m.kind === 'provider.freed-time' ? 'kept' : 'sent')), 'every message sent');
    const rows = await outbox(b.id);
    expect(rows.map((r) => r.kind)).toEqual([
      'visitor.confirmation', 'provider.new-booking', 'visitor.rescheduled', 'provider.rescheduled',
      'provider.freed-time', 'visitor.cancelled', 'provider.cancelled',
    ]);
    for (const r of rows) {
      expect(`${r.body_text}${r.body_html}${r.ics ?? ''}`).not.toContain(b.token);
    }
    expect(server.logs.join('\n')).not.toContain(b.token);
  });

  it('Arabic visitors get Arabic, right-to-left email (HTML dir="rtl", Content-Language ar)', async () => {
    const before = smtp.mails.length;
    await book({ start: at(4, 6), email: 'huda@example.com', name: 'هدى', lang: 'ar' });
    const mail = await smtp.waitFor('huda@example.com', before);
    expect(mail.subject).toMatch(/^تم الحجز: Video call/);
    expect(mail.html).toMatch(/<html lang="ar" dir="rtl">/);
    expect(mail.html).toMatch(/<body dir="rtl"/);
    expect(mail.headers.get('content-language')).toBe('ar');
    expect(mail.text).toContain('إدارة الحجز');
    expect(invitations(mail)[0].method).toBe('REQUEST');
  });

  it('a confirmation of a booking cancelled before it was sent is skipped, not sent', async () => {
    // Booked and cancelled in one transaction: the confirmation's job can only run after both, and reads the booking
    // as it is then.
    const lina = (await pg.query<{ id: string; service: string }>(
      "select p.id, s.id as service from providers p join services s on s.provider_id = p.id where p.public_slug = 'lina'")).rows[0];
    const id = await pg.transaction(async (tx) => {
      const made = await tx.query<{ r: { booking: { id: string } } }>(
        "select create_booking_if_free($1, $2, $3, 'Late', 'late@example.com', null, '', 'UTC', null, $4, null) as r",
        [lina.id, lina.service, at(5, 7), 'b'.repeat(64)]);
      const bookingId = made.rows[0].r.booking.id;
      await tx.query("update bookings set status = 'cancelled', cancelled_at = now() where id = $1", [bookingId]);
      return bookingId;
    });
    // Four emails, and the freed-time offer kept for the app.
    await until(async () => (await outbox(id)).length === 5 && (await outbox(id)).every((m) => m.status !== 'queued'), 'all messages handled');
    const rows = await outbox(id);
    expect(rows.find((r) => r.kind === 'visitor.confirmation')).toMatchObject({ status: 'skipped' });
    expect(rows.find((r) => r.kind === 'provider.new-booking')).toMatchObject({ status: 'skipped' });
    expect(rows.find((r) => r.kind === 'visitor.cancelled')).toMatchObject({ status: 'sent' });
    await smtp.waitFor('late@example.com');
    const toHer = smtp.mails.filter((m) => (m.to && !Array.isArray(m.to) ? m.to.text : '').includes('late@example.com'));
    expect(toHer.map((m) => m.subject)).toEqual([expect.stringMatching(/^Cancelled:/)]);
  });
});

describe('requests, payments, refunds and expired holds', () => {
  it('a request: visitor told it waits, provider gets approve/decline links; a decline tells the visitor', async () => {
    const rana = await makeProvider(server.db, {
      slug: 'rana', timezone: 'Asia/Dubai',
      settings: { booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 60 }, notifications: { email: 'rana@example.com' } },
      services: [{ slug: 'fit', title: 'Fitting', durationMinutes: 60 }],
    });
    await pg.query("update services set booking_mode = 'request' where provider_id = $1", [rana.id]);
    const before = smtp.mails.length;
    const res = await fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'rana', service: 'fit', start: at(2, 6), name: 'Mona', email: 'mona@example.com' }),
    });
    expect(res.status).toBe(201);
    const { booking } = await res.json();
    expect((await smtp.waitFor('mona@example.com', before)).subject).toMatch(/^Request received: Fitting/);
    const toRana = await smtp.waitFor('rana@example.com', before);
    expect(toRana.subject).toMatch(/^To approve: Mona — Fitting/);
    expect(toRana.text).toContain(`${server.config.publicUrl}/app/bookings/${booking.id}?action=approve`);
    expect(toRana.text).toContain(`${server.config.publicUrl}/app/bookings/${booking.id}?action=decline`);
    expect(invitations(toRana)).toEqual([]);

    const owner = (await pg.query<{ owner_user_id: string }>('select owner_user_id from providers where id = $1', [rana.id])).rows[0].owner_user_id;
    const beforeDecline = smtp.mails.length;
    await server.db.rpc('app_decide_request', { p_user_id: owner, p_provider_id: rana.id, p_booking_id: booking.id, p_approve: false, p_reason: 'fully booked' });
    expect((await smtp.waitFor('mona@example.com', beforeDecline)).subject).toMatch(/^Not accepted: Fitting/);
  });

  it('payment received (visitor and provider), then a refund: cancellation with METHOD:CANCEL and "refund issued"', async () => {
    const start = smtp.mails.length;
    const b = await book({ start: at(6, 4), email: 'payer@example.com', name: 'Payer' });
    // The booking's own confirmation mails first, so what follows is about the payment.
    await smtp.waitFor('payer@example.com', start);
    await until(() => smtp.mails.slice(start).find((m) => to(m).includes('lina@example.com') && /^New booking: Payer/.test(m.subject ?? '')), 'the new-booking mail');
    const before = smtp.mails.length;
    await server.db.rpc('apply_payment_event', {
      p_event_id: 'evt_notify_paid', p_event_type: 'checkout.session.completed', p_kind: 'paid', p_booking_id: b.id,
      p_session_id: 'cs_notify', p_payment_intent: 'pi_notify', p_amount_cents: 12_500, p_currency: 'EUR',
    });
    const receipt = await smtp.waitFor('payer@example.com', before);
    expect(receipt.subject).toBe('Payment received: €125.00');
    expect(receipt.text).toContain('Paid (€125.00)');
    expect((await smtp.waitFor('lina@example.com', before)).subject).toBe('Payment received: €125.00 from Payer');
    await idleMail();

    const beforeRefund = smtp.mails.length;
    await server.db.rpc('record_refund', { p_booking_id: b.id, p_refund_id: 're_notify', p_reason: 'provider cancelled', p_event_id: null, p_event_type: null });
    await until(() => smtp.mails.slice(beforeRefund).filter((m) => to(m).includes('payer@example.com')).length === 2, 'cancellation and refund mails');
    const mails = smtp.mails.slice(beforeRefund).filter((m) => to(m).includes('payer@example.com'));
    const subjects = mails.map((m) => m.subject ?? '');
    expect(subjects).toContain('Refund issued: €125.00');
    expect(subjects.filter((x) => /^Cancelled: Video call/.test(x))).toHaveLength(1);
    expect(invitations(mails.find((m) => /^Cancelled/.test(m.subject ?? ''))!)[0].method).toBe('CANCEL');
  });

  it('an unpaid hold that expires tells the visitor their time was released', async () => {
    const lina = (await pg.query<{ id: string; service: string }>(
      "select p.id, s.id as service from providers p join services s on s.provider_id = p.id where p.public_slug = 'lina'")).rows[0];
    const made = await server.db.rpc('create_booking_if_free', {
      p_provider_id: lina.id, p_service_id: lina.service, p_starts_at: at(7, 4), p_customer_name: 'Holder',
      p_customer_email: 'holder@example.com', p_customer_phone: null, p_notes: '', p_customer_timezone: 'UTC',
      p_idempotency_key: null, p_manage_token_hash: 'c'.repeat(64), p_hold_minutes: 15,
    });
    expect(made.booking.status).toBe('pending');
    const before = smtp.mails.length;
    await pg.query("update bookings set hold_expires_at = now() - interval '1 second' where id = $1", [made.booking.id]);
    await server.db.rpc('expire_holds', { p_provider_id: lina.id });
    const mail = await smtp.waitFor('holder@example.com', before);
    expect(mail.subject).toBe('Your time was released: Video call');
    expect(smtp.mails.slice(before).filter((m) => to(m).includes('holder@example.com'))).toHaveLength(1);
  });
});

describe('the daily agenda email', () => {
  it("goes to the provider at their local hour with tomorrow's clients and one-tap WhatsApp reminders, then schedules the next day", async () => {
    const nadia = await makeProvider(server.db, {
      slug: 'nadia',
      timezone: 'Europe/Berlin',
      settings: { booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 60 }, notifications: { email: 'nadia@example.com', agendaHour: 18 } },
      services: [{ slug: 'cut', title: 'Haircut', durationMinutes: 60 }],
    });
    const jobFor = async (date?: string) => (await pg.query<{ payload: { date: string; at: string }; run_at: Date }>(
      "select payload, run_at from jobs where kind = 'notify.agenda' and payload ->> 'providerId' = $1 and ($2::text is null or payload ->> 'date' = $2) order by id",
      [nadia.id, date ?? null])).rows;
    const [first] = await jobFor();
    const at = new Date(first.payload.at);
    const local = (t: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
    expect(local(at)).toBe(`${first.payload.date}, 18:00`);
    expect(first.run_at.toISOString()).toBe(at.toISOString());

    // Tomorrow's clients: one who gave only a phone number (Arabic), one with email.
    server.clock.now = new Date(at.getTime() - 6 * HOUR);
    const bookNadia = async (body: Record<string, unknown>) => {
      const res = await fetch(`${server.url}/api/bookings`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'nadia', service: 'cut', timezone: 'Europe/Berlin', ...body }),
      });
      expect(res.status).toBe(201);
      return (await res.json()).manageUrl as string;
    };
    const ramiLink = await bookNadia({ start: new Date(at.getTime() + 16 * HOUR).toISOString(), name: 'Rami', phone: '+491701234567', lang: 'ar' });
    await bookNadia({ start: new Date(at.getTime() + 18 * HOUR).toISOString(), name: 'Eva', email: 'eva@example.com' });

    // Its hour comes (the database's clock is made to agree with the server's).
    const before = smtp.mails.length;
    server.clock.now = at;
    await pg.query("update jobs set run_at = now() where kind = 'notify.agenda' and status = 'queued' and run_at <= $1", [at]);
    const mail = await until(() => smtp.mails.slice(before).find((m) => /^Tomorrow: 2 clients/.test(m.subject ?? '')), 'the agenda email');
    expect(mail.text).toMatch(/Rami — Haircut/);
    expect(mail.text).toMatch(/Eva — Haircut/);
    const wa = mail.text!.match(/https:\/\/wa\.me\/491701234567\?text=\S+/)![0];
    const message = new URL(wa).searchParams.get('text')!;
    expect(message).toContain('تذكير بموعدك');
    expect(message).toContain(ramiLink);
    const stored = (await pg.query<{ body_text: string; status: string }>("select body_text, status from outbox where provider_id = $1 and kind = 'provider.agenda'", [nadia.id])).rows;
    expect(stored).toHaveLength(1);
    expect(stored[0].status).toBe('sent');
    expect(stored[0].body_text).not.toContain(ramiLink.split('/b/')[1]);

    // The next day's agenda is queued for 18:00 Berlin the day after.
    const next = new Date(Date.parse(`${first.payload.date}T12:00:00Z`) + DAY).toISOString().slice(0, 10);
    await until(async () => (await jobFor(next)).length === 1, 'the next agenda job');
    expect(local(new Date((await jobFor(next))[0].payload.at))).toBe(`${next}, 18:00`);
  });
});

describe('without SMTP', () => {
  it('keeps every message in the outbox, rendered, for the provider app to show', async () => {
    const bare = await startAppServer({ start: NOW });
    try {
      await makeProvider(bare.db, { slug: 'omar', timezone: 'Asia/Dubai', settings: { booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 60 } } });
      const res = await fetch(`${bare.url}/api/bookings`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'omar', service: 'call', start: at(2, 4), name: 'Ali', email: 'ali@example.com' }),
      });
      expect(res.status).toBe(201);
      const { booking } = await res.json();
      const db = (bare.db as unknown as { pg: PGlite }).pg;
      const rows = async () => (await db.query<{ kind: string; status: string; subject: string; body_text: string; ics_method: string | null }>(
        'select kind, status, subject, body_text, ics_method from outbox where booking_id = $1 order by id', [booking.id])).rows;
      await until(async () => (await rows()).length === 2 && (await rows()).every((r) => r.status === 'kept'), 'messages kept');
      const [visitor, provider] = await rows();
      expect(visitor).toMatchObject({ kind: 'visitor.confirmation', status: 'kept', ics_method: 'REQUEST' });
      expect(visitor.subject).toMatch(/^Booked: Call/);
      expect(visitor.body_text).toContain('[link]');
      expect(provider).toMatchObject({ kind: 'provider.new-booking', status: 'kept' });
      expect(bare.logs.some((l) => /email visitor\.confirmation kept in the outbox \(no SMTP_URL\)/.test(l))).toBe(true);
    } finally {
      await bare.close();
    }
  });

  it('an SMTP server that cannot be reached leaves the message failed with its error, retried with backoff', async () => {
    const down = await startAppServer({ start: NOW, env: { SMTP_URL: `smtp://user:hunter2-secret@127.0.0.1:${await freePort()}` } });
    try {
      await makeProvider(down.db, { slug: 'omar', timezone: 'Asia/Dubai', settings: { booking: { slotStepMinutes: 60, minNoticeMinutes: 0, horizonDays: 60 } } });
      const res = await fetch(`${down.url}/api/bookings`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'omar', service: 'call', start: at(2, 4), name: 'Ali', email: 'ali@example.com' }),
      });
      const { booking } = await res.json();
      const db = (down.db as unknown as { pg: PGlite }).pg;
      const row = async () => (await db.query<{ status: string; attempts: number; last_error: string | null }>(
        "select status, attempts, last_error from outbox where booking_id = $1 and kind = 'visitor.confirmation'", [booking.id])).rows[0];
      await until(async () => (await row())?.attempts >= 2, 'two failed attempts');
      const failed = await row();
      expect(failed.status).toBe('failed');
      expect(failed.last_error).toMatch(/ECONNREFUSED|connect/i);
      const job = (await db.query<{ status: string; attempts: number }>(
        "select status, attempts from jobs where kind = 'notify.email' and payload ->> 'outboxId' = (select id::text from outbox where booking_id = $1 and kind = 'visitor.confirmation')", [booking.id])).rows[0];
      expect(job.status).toMatch(/queued|running/);
      expect(down.logs.join('\n')).not.toContain('hunter2-secret');
      expect(down.logs.some((l) => /email visitor\.confirmation to ali@example\.com failed/.test(l))).toBe(true);
    } finally {
      await down.close();
    }
  });
});
