import { writeBackJob, WRITE_BACK_JOB } from '../bookings/write-back.ts';
import type { WriteBackOptions } from '../calendars/write-back.ts';
import { refundJob, REFUND_JOB } from '../payments/refund.ts';
import type { StripeSetup } from '../payments/stripe.ts';
import { emailJob, EMAIL_JOB, type NotifyOptions } from '../notify/send.ts';
import { reminderJob, REMINDER_JOB } from '../notify/reminders.ts';
import { agendaJob, AGENDA_JOB } from '../notify/agenda-job.ts';
import { whatsappJob, WHATSAPP_JOB } from '../notify/whatsapp-cloud.ts';
import { calendarFailingJob, CALENDAR_FAILING_JOB } from '../notify/calendar-failing.ts';
import type { JobHandler } from './worker.ts';

/**
 * Slotline's job kinds and their handlers. Refunds need Stripe: without it the kind is left out, so refund jobs wait
 * for an instance that has it instead of failing.
 */
export function jobHandlers(options: {
  payments?: StripeSetup | null;
  /** `config.calendars` (the secrets key and Google / Microsoft clients write-back uses), optionally a per-calendar timeout. */
  calendars?: Pick<WriteBackOptions, 'secretsKey' | 'google' | 'microsoft' | 'timeoutMs'>;
  /** `STRIPE_API_BASE`, for providers' own Stripe keys (read with `calendars.secretsKey`). */
  stripeApiBase?: string | null;
  now?: () => Date;
  /** Booking emails and reminders (server/notify/); without it those jobs wait for an instance that has it. */
  notify?: Omit<NotifyOptions, 'now'> | null;
}): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {
    [WRITE_BACK_JOB]: writeBackJob({ ...options.calendars, now: options.now }),
  };
  // Providers may have connected their own Stripe (readable with the secrets key) even without the server's.
  const secretsKey = options.calendars?.secretsKey ?? null;
  if (options.payments || secretsKey) {
    handlers[REFUND_JOB] = refundJob({ server: options.payments ?? null, secretsKey, apiBase: options.stripeApiBase ?? null });
  }
  if (options.notify) {
    handlers[EMAIL_JOB] = emailJob({ ...options.notify, now: options.now });
    handlers[REMINDER_JOB] = reminderJob({ now: options.now });
    handlers[AGENDA_JOB] = agendaJob({ now: options.now });
    handlers[CALENDAR_FAILING_JOB] = calendarFailingJob({ now: options.now });
    handlers[WHATSAPP_JOB] = whatsappJob({ cloud: options.notify.whatsappCloud ?? null, publicUrl: options.notify.publicUrl });
  }
  return handlers;
}
