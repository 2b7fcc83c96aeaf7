/**
 * WhatsApp hand-off: a provider's message template filled with a booking, rendered in the
 * provider's zone and language, as a `wa.me` click-to-chat link.
 *
 * @example
 * whatsappLink('+971500000000', fillTemplate('Hi! Can I book {date} at {time}?', vars))
 * // https://wa.me/971500000000?text=Hi!%20Can%20I%20book%20…
 * @see https://faq.whatsapp.com/5913398998672934 (click to chat)
 */
export interface TemplateVars {
  date: string;
  time: string;
  service: string;
  duration: string;
  name: string;
  timezone: string;
  link: string;
  ref: string;
}

export const PLACEHOLDERS = ['date', 'time', 'service', 'duration', 'name', 'timezone', 'link', 'ref'] as const;

/** Replaces `{date}`, `{time}`, … ; unknown `{words}` stay as they are. */
export function fillTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    (PLACEHOLDERS as readonly string[]).includes(key) ? vars[key as keyof TemplateVars] : whole,
  );
}

/** `https://wa.me/<digits>?text=<encoded>`; without a number, WhatsApp lets the sender pick a chat. */
export function whatsappLink(phoneE164: string | null, text: string): string {
  const digits = (phoneE164 ?? '').replace(/\D/g, '');
  return `https://wa.me/${digits}?text=${encodeURIComponent(text)}`;
}

export type Lang = 'en' | 'ar';

/** Formats a booking's values for a template in a zone and language (Intl, Arabic digits in ar). */
export function templateVars(input: {
  start: Date;
  durationMinutes: number;
  timezone: string;
  lang: Lang;
  service: string;
  name?: string;
  link?: string;
  ref?: string;
}): TemplateVars {
  const locale = input.lang === 'ar' ? 'ar-u-nu-arab' : 'en-GB';
  const date = new Intl.DateTimeFormat(locale, {
    timeZone: input.timezone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric',
  }).format(input.start);
  const time = new Intl.DateTimeFormat(locale, { timeZone: input.timezone, hour: '2-digit', minute: '2-digit' }).format(input.start);
  const minutes = new Intl.NumberFormat(locale).format(input.durationMinutes);
  return {
    date,
    time,
    service: input.service,
    duration: input.lang === 'ar' ? `${minutes} دقيقة` : `${minutes} min`,
    name: input.name ?? '',
    timezone: input.timezone,
    link: input.link ?? '',
    ref: input.ref ?? '',
  };
}

export const DEFAULT_TEMPLATES: Record<Lang, { confirm: string; request: string }> = {
  en: {
    confirm: 'Hi! I just booked {service} on {date} at {time} ({timezone}). Ref {ref}. {link}',
    request: 'Hi! Can I book {service} on {date} at {time} ({timezone})?',
  },
  ar: {
    confirm: 'مرحباً! حجزت {service} يوم {date} الساعة {time} ({timezone}). المرجع {ref}. {link}',
    request: 'مرحباً! هل يمكنني حجز {service} يوم {date} الساعة {time} ({timezone})؟',
  },
};
