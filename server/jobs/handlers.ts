import { writeBackJob, WRITE_BACK_JOB } from '../bookings/write-back.ts';
import type { WriteBackOptions } from '../calendars/write-back.ts';
import { refundJob, REFUND_JOB } from '../payments/refund.ts';
import type { StripeSetup } from '../payments/stripe.ts';
import type { JobHandler } from './worker.ts';

/**
 * Slotline's job kinds and their handlers. Refunds need Stripe: without it the kind is left out, so refund jobs wait
 * for an instance that has it instead of failing.
 */
export function jobHandlers(options: {
  payments?: StripeSetup | null;
  /** `config.calendars` (the secrets key and Google client write-back uses), optionally a per-calendar timeout. */
  calendars?: Pick<WriteBackOptions, 'secretsKey' | 'google' | 'timeoutMs'>;
  now?: () => Date;
}): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {
    [WRITE_BACK_JOB]: writeBackJob({ ...options.calendars, now: options.now }),
  };
  if (options.payments) handlers[REFUND_JOB] = refundJob(options.payments.stripe);
  return handlers;
}
