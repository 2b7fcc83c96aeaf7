import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Content-Language of the message (`en`, `ar`). */
  lang: string;
  /** A calendar invitation, sent as a `text/calendar; method=…` part (booking notifications, server/notify/). */
  calendar?: { method: 'REQUEST' | 'CANCEL'; ics: string } | null;
}

/** Sends one message; resolves when the SMTP server accepted it. */
export interface Mailer {
  readonly kind: 'smtp' | 'console';
  send(message: MailMessage): Promise<void>;
}

/**
 * Mail over `SMTP_URL` (smtp:// with STARTTLS when offered, smtps:// for implicit TLS) with nodemailer. The URL
 * holds the credentials, so it is never logged.
 *
 * @example smtpMailer('smtp://user:pass@smtp-relay.brevo.com:587', 'Slotline <no-reply@example.com>')
 * @see https://nodemailer.com/smtp/
 */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    async send(message) {
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'Content-Language': message.lang },
        ...(message.calendar
          ? { icalEvent: { method: message.calendar.method, filename: 'invite.ics', content: message.calendar.ics } }
          : {}),
      });
    },
  };
}
