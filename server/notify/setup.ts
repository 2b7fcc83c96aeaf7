import { smtpMailer } from '../auth/mailer.ts';
import type { Config } from '../config.ts';
import type { NotifyOptions } from './send.ts';

/**
 * Booking emails from the configuration: over `SMTP_URL` from `MAIL_FROM` when set; otherwise every message is kept
 * in the outbox (status `kept`) and the provider app shows it.
 */
export function notifyOptions(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'publicUrl'>): Omit<NotifyOptions, 'now'> {
  return {
    mailer: config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : null,
    publicUrl: config.publicUrl,
  };
}
