import { smtpMailer } from '../auth/mailer.ts';
import type { Config } from '../config.ts';
import type { NotifyOptions } from './send.ts';

/**
 * Booking emails from the configuration: over `SMTP_URL` from `MAIL_FROM` when set; otherwise every message is kept
 * in the outbox (status `kept`) and the provider app shows it. WhatsApp template messages only with `WHATSAPP_TOKEN`
 * and `WHATSAPP_PHONE_NUMBER_ID`.
 */
export function notifyOptions(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'publicUrl' | 'whatsappCloud'>): Omit<NotifyOptions, 'now'> {
  return {
    mailer: config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : null,
    publicUrl: config.publicUrl,
    whatsappCloud: config.whatsappCloud,
  };
}
