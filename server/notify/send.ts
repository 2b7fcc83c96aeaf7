import { hashToken } from '../bookings/tokens.ts';
import type { Lang } from '../../contract/i18n/index.ts';
import type { Mailer, MailMessage } from '../auth/mailer.ts';
import type { WhatsAppCloudConfig } from '../config.ts';
import { toBooking, type Booking, type BookingRow } from '../bookings/booking.ts';
import { bookingLinks } from '../bookings/links.ts';
import type { Db } from '../db/port.ts';
import { invitationIcs } from '../ics/booking-ics.ts';
import type { Job } from '../jobs/queue.ts';
import type { JobHandler } from '../jobs/worker.ts';
import { PermanentJobError } from '../jobs/worker.ts';
import type { EncryptedSecret } from '../secrets/crypto.ts';
import { openLinkCopy } from './link-copy.ts';
import { loadProviderAgenda } from './agenda.ts';
import { freedTimeOffer, MESSAGE_KINDS, renderAgendaEmail, renderCalendarFailingEmail, renderEmail, type MessageKind } from './render.ts';

/** The job each outbox row enqueues (trigger functions in the notifications migration; one open job per row). */
export const EMAIL_JOB = 'notify.email';

export interface NotifyOptions {
  /** SMTP (nodemailer); null keeps every message in the outbox (`kept`) for the provider app to show. */
  mailer: Mailer | null;
  /** PUBLIC_URL: manage, opt-out and app links. */
  publicUrl: string;
  /** The optional WhatsApp Cloud API (confirmations and reminders to visitors' phones); null: those rows are skipped. */
  whatsappCloud?: WhatsAppCloudConfig | null;
  now?: () => Date;
}

/** What `get_outbox_message` answers. */
export interface OutboxMessage {
  id: number;
  kind: string;
  /** `email` or `whatsapp`. */
  channel?: string;
  status: string;
  sequence: number | null;
  recipient: string | null;
  providerId: string;
  providerLang: string | null;
  providerTimezone?: string | null;
  /** What a message not about one booking is about: the agenda's date, a failing calendar source. */
  details: { date?: string; failingSince?: string; lastError?: string | null; kind?: string | null; label?: string | null; account?: string | null } | null;
  booking: (BookingRow & { awaitingApproval?: boolean; remindersOff?: boolean; erased?: boolean }) | null;
  link: { sealed: EncryptedSecret; lang: string } | null;
}

/** Kinds that carry the calendar invitation (`text/calendar; method=REQUEST|CANCEL`, the booking's UID). */
const WITH_INVITATION = new Set<MessageKind>(['visitor.confirmation', 'visitor.rescheduled', 'visitor.cancelled']);

/**
 * Whether a message still says something true about the booking as it is now. The outbox row was made when the
 * change happened; the job may run later (retries, a restart), so a confirmation of a booking cancelled meanwhile, a
 * reminder of a booking moved or cancelled, or "moved" after a later change is skipped instead of sent.
 */
export function stillApplies(kind: MessageKind, b: Booking, sequence: number | null, remindersOff = false): boolean {
  switch (kind) {
    case 'visitor.confirmation':
    case 'provider.new-booking':
      return b.status === 'confirmed';
    case 'visitor.request':
    case 'provider.request':
      return b.status === 'pending' && b.awaitingApproval;
    case 'visitor.rescheduled':
    case 'provider.rescheduled':
      return b.status === 'confirmed' && b.sequence === sequence;
    case 'visitor.reminder':
      return b.status === 'confirmed' && b.sequence === sequence && !remindersOff;
    case 'visitor.cancelled':
    case 'provider.cancelled':
      return b.status === 'cancelled';
    case 'visitor.declined':
      return b.status === 'declined';
    case 'visitor.hold-expired':
      return b.status === 'expired';
    case 'visitor.payment-received':
    case 'provider.payment-received':
    case 'visitor.refund-issued':
      return true;
  }
}

/** An address nobody reads (the demo providers' placeholders) is kept, never handed to SMTP. */
const deliverable = (to: string | null): to is string => Boolean(to && /@/.test(to) && !/\.invalid$/i.test(to));

/** The text stored in the outbox: the manage token (a secret) replaced wherever it appears. */
const redact = (text: string, token: string | null) => (token ? text.split(token).join('[link]') : text);
/** Every manage link in a text (plain or URL-encoded inside a wa.me link) with its token replaced. */
const redactLinks = (text: string) => text.replace(/(\/b\/|%2Fb%2F)[A-Za-z0-9_-]{43}/g, '$1[link]');

/** The daily agenda message (`agenda_due` makes it; it is about a day, not one booking). */
export const AGENDA_KIND = 'provider.agenda';
/** A calendar source failing for more than an hour (`calendar_failing_due` makes it). */
export const CALENDAR_FAILING_KIND = 'provider.calendar-failing';
/** The ready-to-forward offer of a cancelled booking's time: rendered and kept for the app, never emailed. */
export const FREED_TIME_KIND = 'provider.freed-time';

type Stored = Partial<Record<'lang' | 'subject' | 'text' | 'html' | 'ics' | 'icsMethod', string | null>>;

/** Sends a rendered message (or keeps it without SMTP / a deliverable address) and records the outcome. */
async function deliver(
  db: Db, options: NotifyOptions, job: Job, log: (line: string) => void, id: number, kind: string, recipient: string | null,
  message: { subject: string; text: string; html: string; lang: Lang; calendar: MailMessage['calendar'] }, stored: Stored,
  token: string | null,
): Promise<void> {
  if (!options.mailer || !deliverable(recipient)) {
    await record(db, id, 'kept', stored);
    log(`[slotline] email ${kind} kept in the outbox (${options.mailer ? 'no deliverable address' : 'no SMTP_URL'}) — outbox ${id}`);
    return;
  }
  try {
    await options.mailer.send({ to: recipient, ...message });
  } catch (error) {
    const reason = redactLinks(redact((error as Error).message ?? String(error), token)).slice(0, 500);
    await record(db, id, 'failed', { ...stored, error: reason });
    log(`[slotline] email ${kind} to ${recipient} failed (attempt ${job.attempts} of ${job.maxAttempts}) — outbox ${id}: ${reason}`);
    throw new Error(`sending outbox ${id} failed: ${reason}`);
  }
  await record(db, id, 'sent', stored);
  log(`[slotline] email ${kind} sent to ${recipient} — outbox ${id}`);
}

async function record(db: Db, id: number, status: string, fields: Partial<Record<'lang' | 'subject' | 'text' | 'html' | 'ics' | 'icsMethod' | 'error', string | null>> = {}) {
  return db.rpc('record_outbox_attempt', {
    p_id: id, p_status: status, p_lang: fields.lang ?? null, p_subject: fields.subject ?? null, p_text: fields.text ?? null,
    p_html: fields.html ?? null, p_ics: fields.ics ?? null, p_ics_method: fields.icsMethod ?? null, p_error: fields.error ?? null,
  });
}

/**
 * The `notify.email` job: renders one outbox message from the booking's current state, in the reader's language,
 * and sends it over SMTP — or keeps it in the outbox without SMTP. Idempotent: a message already sent, kept or
 * skipped is left alone, so a retry after a crash between "SMTP accepted" and "recorded" is the only way a message
 * could go twice (the queue's lease and claim make even that need a crash at that instant).
 * Log lines name the message kind, the outbox id and the address — never the manage link.
 */
export function emailJob(options: NotifyOptions): JobHandler {
  const now = options.now ?? (() => new Date());
  return async (job, { db, log }) => {
    const id = Number(job.payload.outboxId);
    if (!Number.isSafeInteger(id)) throw new PermanentJobError('payload.outboxId is missing');
    const msg = await db.rpc('get_outbox_message', { p_id: id });
    if (!msg || (msg.status !== 'queued' && msg.status !== 'failed')) return;
    if (msg.kind === AGENDA_KIND) {
      const date = String(msg.details?.date ?? '');
      const agenda = await loadProviderAgenda(db, msg.providerId, date, options.publicUrl);
      if (agenda.items.length === 0) {
        await record(db, id, 'skipped', { error: 'no clients that day' });
        return;
      }
      const lang: Lang = msg.providerLang === 'ar' ? 'ar' : 'en';
      const rendered = renderAgendaEmail({ lang, publicUrl: options.publicUrl, date, timezone: agenda.timezone, items: agenda.items });
      const stored = { lang, subject: rendered.subject, text: redactLinks(rendered.text), html: redactLinks(rendered.html) };
      await deliver(db, options, job, log, id, AGENDA_KIND, msg.recipient, { ...rendered, lang, calendar: null }, stored, null);
      return;
    }
    if (msg.kind === CALENDAR_FAILING_KIND) {
      const lang: Lang = msg.providerLang === 'ar' ? 'ar' : 'en';
      if (!msg.details?.failingSince) throw new PermanentJobError('details.failingSince is missing');
      const rendered = renderCalendarFailingEmail({
        lang, publicUrl: options.publicUrl, timezone: msg.providerTimezone ?? 'UTC', details: { ...msg.details, failingSince: msg.details.failingSince },
      });
      const stored = { lang, subject: rendered.subject, text: rendered.text, html: rendered.html };
      await deliver(db, options, job, log, id, CALENDAR_FAILING_KIND, msg.recipient, { ...rendered, lang, calendar: null }, stored, null);
      return;
    }
    if (msg.kind === FREED_TIME_KIND) {
      if (!msg.booking || msg.booking.erased || toBooking(msg.booking).status !== 'cancelled') {
        await record(db, id, 'skipped', { error: 'the booking is no longer cancelled' });
        return;
      }
      const lang: Lang = msg.providerLang === 'ar' ? 'ar' : 'en';
      const offer = freedTimeOffer({ lang, publicUrl: options.publicUrl, booking: toBooking(msg.booking) });
      // The text is the message to forward as it is; the app offers it through `https://wa.me/?text=…`.
      await record(db, id, 'kept', { lang, subject: offer.subject, text: offer.text });
      log(`[slotline] ${FREED_TIME_KIND} kept for the app — outbox ${id}`);
      return;
    }
    const kind = msg.kind as MessageKind;
    if (!MESSAGE_KINDS.includes(kind)) throw new PermanentJobError(`unknown message kind ${msg.kind}`);
    if (!msg.booking || msg.booking.erased) {
      await record(db, id, 'skipped', { error: 'the booking is gone' });
      return;
    }
    const booking = toBooking(msg.booking);
    if (!stillApplies(kind, booking, msg.sequence, msg.booking.remindersOff === true)) {
      await record(db, id, 'skipped', { error: `no longer applies (booking is ${booking.status})` });
      return;
    }

    const visitor = kind.startsWith('visitor.');
    const lang: Lang = (visitor ? msg.link?.lang : msg.providerLang) === 'ar' ? 'ar' : 'en';
    const token = visitor && msg.link ? await openLinkCopy(db, msg.link.sealed) : null;
    const manageUrl = token ? bookingLinks(options.publicUrl, token).manageUrl : null;
    // A cancelled time still ahead: the provider's email carries the offer of the freed time to forward.
    const freedTime = kind === 'provider.cancelled' && Date.parse(booking.start) > now().getTime()
      ? freedTimeOffer({ lang, publicUrl: options.publicUrl, booking })
      : null;
    const rendered = renderEmail({
      kind, lang, booking, publicUrl: options.publicUrl, manageUrl,
      remindersOffUrl: token ? `${options.publicUrl}/api/bookings/${token}/reminders` : null,
      freedTime,
      credit: token ? await db.rpc('get_booking_credit', { p_token_hash: hashToken(token) }) : null,
    });
    const invitation = WITH_INVITATION.has(kind)
      ? invitationIcs(booking, manageUrl ?? options.publicUrl, now())
      : null;
    const stored = {
      lang,
      subject: rendered.subject,
      text: redact(rendered.text, token),
      html: redact(rendered.html, token),
      ics: invitation ? redact(invitation.ics, token) : null,
      icsMethod: invitation?.method ?? null,
    };

    await deliver(db, options, job, log, id, kind, msg.recipient, { ...rendered, lang, calendar: invitation }, stored, token);
  };
}
