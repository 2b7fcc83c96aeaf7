import type { Slot } from '../availability/index.ts';
import type { Lang } from './template.ts';

const INTRO: Record<Lang, (service: string, provider: string, zone: string) => string> = {
  en: (service, provider, zone) => `Hi! Here are some free times for ${service} with ${provider} (${zone}):`,
  ar: (service, provider, zone) => `مرحباً! هذه بعض الأوقات المتاحة لـ ${service} مع ${provider} (${zone}):`,
};
const OUTRO: Record<Lang, string> = {
  en: 'Tap a time to book it.',
  ar: 'اضغط على الوقت المناسب لحجزه.',
};

/** One slot as a line: weekday, date and time in the client's zone and language. */
export function slotLabel(start: string, zone: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'ar' ? 'ar-u-nu-arab' : 'en-GB', {
    timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
  }).format(new Date(start));
}

/**
 * The message a provider sends a client: a few free times in the client's zone, each with a
 * link that opens the booking page with that time preselected (`?slot=`).
 */
export function shareMessage(input: {
  slots: Slot[];
  zone: string;
  lang: Lang;
  serviceTitle: string;
  providerName: string;
  linkFor: (slot: Slot) => string;
}): { text: string; items: { start: string; end: string; label: string; link: string }[] } {
  const items = input.slots.map((slot) => ({
    start: slot.start,
    end: slot.end,
    label: slotLabel(slot.start, input.zone, input.lang),
    link: input.linkFor(slot),
  }));
  const lines = items.map((i) => `• ${i.label}\n  ${i.link}`);
  const text = [INTRO[input.lang](input.serviceTitle, input.providerName, input.zone), '', ...lines, '', OUTRO[input.lang]].join('\n');
  return { text, items };
}
