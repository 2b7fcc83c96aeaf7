import type { Lang } from '../../contract/i18n/index.ts';
import { locationLine, toBooking } from '../bookings/booking.ts';
import { bookingLinks } from '../bookings/links.ts';
import type { WhatsAppCloudConfig } from '../config.ts';
import type { Db } from '../db/port.ts';
import type { JobHandler } from '../jobs/worker.ts';
import { PermanentJobError } from '../jobs/worker.ts';
import { openLinkCopy } from './link-copy.ts';
import { whenLabel } from './render.ts';
import { stillApplies } from './send.ts';

/**
 * Optional: confirmations and reminders as WhatsApp template messages through the WhatsApp Business Cloud API
 * (`POST {base}/{version}/{phone-number-id}/messages`, `type: template`), for visitors who gave a phone number. Off
 * unless `WHATSAPP_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` are set; the provider's approved utility templates
 * (`WHATSAPP_TEMPLATE_CONFIRMATION`, `WHATSAPP_TEMPLATE_REMINDER`, in English `en` and Arabic `ar`) take four body
 * parameters: {{1}} the visitor's name, {{2}} service — provider, {{3}} date and time with the zone, {{4}} the manage
 * link (or the place when the link cannot be recovered).
 *
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */

export const WHATSAPP_JOB = 'notify.whatsapp';

/** An error answer of the Graph API. `retryable`: throttling (HTTP 429, codes 4, 80007, 130429) or a 5xx. */
export class WhatsAppApiError extends Error {
  constructor(readonly status: number, readonly code: number | null, message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'WhatsAppApiError';
  }
}

export interface TemplateMessage {
  /** E.164 number; only its digits are sent. */
  to: string;
  template: string;
  lang: Lang;
  parameters: string[];
}

/** Sends one template message; resolves with the message id (`wamid…`). */
export async function sendTemplate(config: WhatsAppCloudConfig, message: TemplateMessage, signal?: AbortSignal): Promise<string> {
  const res = await fetch(`${config.apiBase}/${config.apiVersion}/${encodeURIComponent(config.phoneNumberId)}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: message.to.replace(/\D/g, ''),
      type: 'template',
      template: {
        name: message.template,
        language: { code: message.lang },
        components: [{ type: 'body', parameters: message.parameters.map((text) => ({ type: 'text', text })) }],
      },
    }),
    signal: signal ?? AbortSignal.timeout(15_000),
  });
  const body = (await res.json().catch(() => null)) as { messages?: { id: string }[]; error?: { message?: string; code?: number } } | null;
  if (res.ok && body?.messages?.[0]?.id) return body.messages[0].id;
  const code = typeof body?.error?.code === 'number' ? body.error.code : null;
  const retryable = res.status === 429 || res.status >= 500 || code === 4 || code === 80007 || code === 130429;
  throw new WhatsAppApiError(res.status, code, `WhatsApp API ${res.status}${code !== null ? ` (code ${code})` : ''}: ${String(body?.error?.message ?? 'no message id in the answer').slice(0, 300)}`, retryable);
}


const record = (db: Db, id: number, status: string, fields: { lang?: string; subject?: string; text?: string; error?: string } = {}) =>
  db.rpc('record_outbox_attempt', {
    p_id: id, p_status: status, p_lang: fields.lang ?? null, p_subject: fields.subject ?? null, p_text: fields.text ?? null,
    p_html: null, p_ics: null, p_ics_method: null, p_error: fields.error ?? null,
  });

/**
 * The `notify.whatsapp` job: one outbox row of the WhatsApp channel (a confirmation or a reminder), checked against
 * the booking as it is now like the email, then sent as a template message. Without the Cloud API configured the row
 * is `skipped`. Throttling and server errors retry with backoff; other refusals (unknown template, bad number) fail
 * at once, with the API's error kept on the row. The access token is never logged or stored.
 */
export function whatsappJob(options: { cloud: WhatsAppCloudConfig | null; publicUrl: string }): JobHandler {
  return async (job, { db, log, signal }) => {
    const id = Number(job.payload.outboxId);
    if (!Number.isSafeInteger(id)) throw new PermanentJobError('payload.outboxId is missing');
    const msg = await db.rpc('get_outbox_message', { p_id: id });
    if (!msg || (msg.status !== 'queued' && msg.status !== 'failed')) return;
    if (!options.cloud) {
      await record(db, id, 'skipped', { error: 'WhatsApp Cloud API not configured' });
      return;
    }
    const kind = msg.kind === 'visitor.confirmation' || msg.kind === 'visitor.reminder' ? msg.kind : null;
    if (!kind || !msg.booking || msg.booking.erased || !msg.recipient) {
      await record(db, id, 'skipped', { error: 'nothing to send on WhatsApp' });
      return;
    }
    const b = toBooking(msg.booking);
    if (!stillApplies(kind, b, msg.sequence, msg.booking.remindersOff === true)) {
      await record(db, id, 'skipped', { error: `no longer applies (booking is ${b.status})` });
      return;
    }
    const lang: Lang = msg.link?.lang === 'ar' ? 'ar' : 'en';
    const token = msg.link ? await openLinkCopy(db, msg.link.sealed) : null;
    const manageUrl = token ? bookingLinks(options.publicUrl, token).manageUrl : null;
    const parameters = [
      b.name || '—',
      `${b.service.title} — ${b.provider.name}`,
      whenLabel(b.start, b.timezone ?? b.provider.timezone ?? 'UTC', lang),
      manageUrl ?? locationLine(b) ?? options.publicUrl,
    ];
    const template = kind === 'visitor.confirmation' ? options.cloud.templates.confirmation : options.cloud.templates.reminder;
    const stored = { lang, subject: `WhatsApp template ${template}`, text: parameters.map((p) => (token ? p.split(token).join('[link]') : p)).join('\n') };
    try {
      await sendTemplate(options.cloud, { to: msg.recipient, template, lang, parameters }, signal);
    } catch (error) {
      const reason = (error as Error).message.slice(0, 500);
      await record(db, id, 'failed', { ...stored, error: reason });
      log(`[slotline] WhatsApp ${kind} to ${msg.recipient} failed — outbox ${id}: ${reason}`);
      if (error instanceof WhatsAppApiError && !error.retryable) throw new PermanentJobError(reason);
      throw new Error(reason);
    }
    await record(db, id, 'sent', stored);
    log(`[slotline] WhatsApp ${kind} sent to ${msg.recipient} — outbox ${id}`);
  };
}
