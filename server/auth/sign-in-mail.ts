import { htmlText } from '../pages/escape.ts';
import type { MailMessage } from './mailer.ts';

export type MailLang = 'en' | 'ar';

const COPY = {
  en: {
    subject: 'Your Slotline sign-in link',
    intro: 'Use this link to sign in to Slotline. It works once and expires in 15 minutes.',
    button: 'Sign in to Slotline',
    code: 'Or enter this code in the app:',
    ignore: "If you did not ask to sign in, ignore this email: nobody can sign in without it.",
  },
  ar: {
    subject: 'رابط الدخول إلى Slotline',
    intro: 'استخدم هذا الرابط للدخول إلى Slotline. يعمل مرة واحدة وتنتهي صلاحيته خلال 15 دقيقة.',
    button: 'الدخول إلى Slotline',
    code: 'أو أدخل هذا الرمز في التطبيق:',
    ignore: 'إذا لم تطلب الدخول، تجاهل هذه الرسالة: لا يمكن لأحد الدخول من دونها.',
  },
} as const;

/** The sign-in email: the single-use link and the six-digit code, as plain text and simple HTML (RTL in Arabic). */
export function signInMail(input: { to: string; link: string; code: string; lang: MailLang }): MailMessage {
  const t = COPY[input.lang];
  const dir = input.lang === 'ar' ? 'rtl' : 'ltr';
  const text = `${t.intro}\n\n${input.link}\n\n${t.code} ${input.code}\n\n${t.ignore}\n`;
  const html = `<!doctype html>
<html lang="${input.lang}" dir="${dir}"><head><meta charset="utf-8"><title>${htmlText(t.subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111;max-width:32rem;margin:0 auto;padding:1rem">
<p>${htmlText(t.intro)}</p>
<p><a href="${htmlText(input.link)}" style="display:inline-block;background:#0f766e;color:#fff;padding:.75rem 1.25rem;border-radius:.5rem;text-decoration:none">${htmlText(t.button)}</a></p>
<p>${htmlText(t.code)} <strong style="font-size:1.5rem;letter-spacing:.2em" dir="ltr">${htmlText(input.code)}</strong></p>
<p style="color:#555;font-size:.875rem">${htmlText(t.ignore)}</p>
</body></html>`;
  return { to: input.to, subject: t.subject, text, html, lang: input.lang };
}
