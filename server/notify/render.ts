import { dirOf, intlLocale, type Lang } from '../../contract/i18n/index.ts';
import { bookingRef, locationLine, type Booking } from '../bookings/booking.ts';
import { whatsappLink } from '../whatsapp/template.ts';
import { creditLine, type BookingCredit } from '../../contract/credit-line.ts';

/**
 * Every email Slotline sends, as plain template functions: one `Email` (heading, paragraphs, facts, buttons) per
 * message kind and language, turned into a plain-text part and a small HTML part (`dir="rtl"` for Arabic). The
 * wording lives here, beside the kinds the outbox knows (`supabase/migrations/20261130000700_notifications.sql`).
 */

export type MessageKind =
  | 'visitor.confirmation' | 'visitor.request' | 'visitor.rescheduled' | 'visitor.cancelled' | 'visitor.declined'
  | 'visitor.hold-expired' | 'visitor.payment-received' | 'visitor.refund-issued' | 'visitor.reminder'
  | 'provider.new-booking' | 'provider.request' | 'provider.rescheduled' | 'provider.cancelled'
  | 'provider.payment-received';

export const MESSAGE_KINDS: readonly MessageKind[] = [
  'visitor.confirmation', 'visitor.request', 'visitor.rescheduled', 'visitor.cancelled', 'visitor.declined',
  'visitor.hold-expired', 'visitor.payment-received', 'visitor.refund-issued', 'visitor.reminder',
  'provider.new-booking', 'provider.request', 'provider.rescheduled', 'provider.cancelled', 'provider.payment-received',
];

/** What a template may use. Links are absolute; `manageUrl` is null when the visitor's link cannot be recovered. */
export interface RenderInput {
  kind: MessageKind;
  lang: Lang;
  booking: Booking;
  publicUrl: string;
  manageUrl: string | null;
  /** Visitor reminders: the opt-out page. */
  remindersOffUrl?: string | null;
  /** Provider cancellations of a time still ahead: the ready-to-forward offer of the freed time. */
  freedTime?: FreedTimeOffer | null;
  /** A booking paid with a package credit: "Session 5 of 10 · 5 left, valid until 12 March". */
  credit?: BookingCredit | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

interface Email {
  subject: string;
  heading: string;
  paragraphs: string[];
  facts: [string, string][];
  actions: { label: string; url: string }[];
  footer?: string;
}

const T = {
  en: {
    when: 'When', what: 'What', where: 'Where', video: 'Video link', payment: 'Payment', ref: 'Reference',
    client: 'Client', contact: 'Contact', notes: 'Notes',
    manage: 'Manage or cancel', openApp: 'Open in Slotline', approve: 'Approve', decline: 'Decline',
    remindersOff: 'Stop reminders for this booking', whatsapp: 'Message on WhatsApp',
    paid: (a: string) => `Paid (${a})`, refunded: (a: string) => `Refunded (${a})`, unpaid: 'Not paid yet',
    refundPending: 'Refund on its way', free: 'Free',
    hi: (name: string) => (name ? `Hi ${name},` : 'Hi,'),
    footer: 'Sent by Slotline on behalf of',
    confirmation: { s: (x: string, w: string) => `Booked: ${x}, ${w}`, h: 'Your booking is confirmed', p: 'The calendar invitation is attached: add it and your calendar follows any change.' },
    request: { s: (x: string, w: string) => `Request received: ${x}, ${w}`, h: 'Your request was sent', p: (p: string) => `${p} will confirm it soon. Nothing is booked until then; you will get an email either way.` },
    rescheduled: { s: (x: string, w: string) => `Moved: ${x}, now ${w}`, h: 'Your booking has a new time', p: 'The attached invitation updates the event in your calendar.' },
    cancelled: { s: (x: string, w: string) => `Cancelled: ${x}, ${w}`, h: 'Your booking is cancelled', p: 'The attached cancellation removes the event from your calendar.' },
    declined: { s: (x: string, w: string) => `Not accepted: ${x}, ${w}`, h: 'Your request was not accepted', p: (p: string) => `${p} could not take this time. You are welcome to pick another one.` },
    holdExpired: { s: (x: string) => `Your time was released: ${x}`, h: 'Your time was released', p: 'The payment was not completed in time, so the time was given back. Nothing was charged. You are welcome to book again.' },
    paymentReceived: { s: (a: string) => `Payment received: ${a}`, h: 'Payment received', p: 'Thank you — your payment for this booking has arrived.' },
    refundIssued: { s: (a: string) => `Refund issued: ${a}`, h: 'Your refund is on its way', p: 'The refund was issued to the card you paid with; banks usually show it within 5–10 days.' },
    reminder: { s: (x: string, w: string) => `Reminder: ${x}, ${w}`, h: 'See you soon', p: 'A reminder of your booking:' },
    newBooking: { s: (n: string, x: string, w: string) => `New booking: ${n} — ${x}, ${w}`, h: 'New booking', p: 'It is in your calendar feed and the app.' },
    providerRequest: { s: (n: string, x: string, w: string) => `To approve: ${n} — ${x}, ${w}`, h: 'A request is waiting for you', p: 'The time is held until you approve or decline it.' },
    providerRescheduled: { s: (n: string, x: string, w: string) => `Moved: ${n} — ${x}, now ${w}`, h: 'A booking was moved', p: '' },
    providerCancelled: { s: (n: string, x: string, w: string) => `Cancelled: ${n} — ${x}, ${w}`, h: 'A booking was cancelled', p: 'The time is free again.' },
    providerPaid: { s: (n: string, a: string) => `Payment received: ${a} from ${n}`, h: 'Payment received', p: '' },
    offerIntro: 'Fill the time: forward this message to clients who wanted an earlier slot. The first to book gets it.',
    offerShare: 'Offer it on WhatsApp',
  },
  ar: {
    when: 'الموعد', what: 'الخدمة', where: 'المكان', video: 'رابط الفيديو', payment: 'الدفع', ref: 'المرجع',
    client: 'العميل', contact: 'التواصل', notes: 'ملاحظات',
    manage: 'إدارة الحجز أو إلغاؤه', openApp: 'افتح في Slotline', approve: 'قبول', decline: 'رفض',
    remindersOff: 'إيقاف التذكيرات لهذا الحجز', whatsapp: 'راسلنا على واتساب',
    paid: (a: string) => `مدفوع (${a})`, refunded: (a: string) => `مسترد (${a})`, unpaid: 'لم يُدفع بعد',
    refundPending: 'الاسترداد قيد التنفيذ', free: 'مجاني',
    hi: (name: string) => (name ? `مرحباً ${name}،` : 'مرحباً،'),
    footer: 'أرسلتها Slotline نيابةً عن',
    confirmation: { s: (x: string, w: string) => `تم الحجز: ${x}، ${w}`, h: 'تم تأكيد حجزك', p: 'دعوة التقويم مرفقة: أضفها وسيتبع تقويمك أي تغيير.' },
    request: { s: (x: string, w: string) => `تم استلام طلبك: ${x}، ${w}`, h: 'تم إرسال طلبك', p: (p: string) => `سيؤكده ${p} قريباً. لا شيء محجوز حتى ذلك الحين، وستصلك رسالة في الحالتين.` },
    rescheduled: { s: (x: string, w: string) => `تم تغيير الموعد: ${x}، الآن ${w}`, h: 'لحجزك موعد جديد', p: 'الدعوة المرفقة تحدّث الموعد في تقويمك.' },
    cancelled: { s: (x: string, w: string) => `تم الإلغاء: ${x}، ${w}`, h: 'تم إلغاء حجزك', p: 'الإلغاء المرفق يزيل الموعد من تقويمك.' },
    declined: { s: (x: string, w: string) => `لم يُقبل الطلب: ${x}، ${w}`, h: 'لم يُقبل طلبك', p: (p: string) => `لم يتمكن ${p} من قبول هذا الموعد. يمكنك اختيار موعد آخر.` },
    holdExpired: { s: (x: string) => `تم تحرير موعدك: ${x}`, h: 'تم تحرير موعدك', p: 'لم يكتمل الدفع في الوقت المحدد، فأُعيد الموعد. لم يُخصم أي مبلغ. يمكنك الحجز من جديد.' },
    paymentReceived: { s: (a: string) => `تم استلام الدفع: ${a}`, h: 'تم استلام الدفع', p: 'شكراً لك — وصل دفعك لهذا الحجز.' },
    refundIssued: { s: (a: string) => `تم إصدار الاسترداد: ${a}`, h: 'المبلغ المسترد في طريقه إليك', p: 'أُصدر الاسترداد إلى البطاقة التي دفعت بها، ويظهر عادةً خلال ٥–١٠ أيام.' },
    reminder: { s: (x: string, w: string) => `تذكير: ${x}، ${w}`, h: 'نراك قريباً', p: 'تذكير بحجزك:' },
    newBooking: { s: (n: string, x: string, w: string) => `حجز جديد: ${n} — ${x}، ${w}`, h: 'حجز جديد', p: 'تجده في تقويمك وفي التطبيق.' },
    providerRequest: { s: (n: string, x: string, w: string) => `بانتظار موافقتك: ${n} — ${x}، ${w}`, h: 'طلب بانتظارك', p: 'الموعد محجوز إلى أن تقبله أو ترفضه.' },
    providerRescheduled: { s: (n: string, x: string, w: string) => `تم تغيير الموعد: ${n} — ${x}، الآن ${w}`, h: 'تم تغيير موعد حجز', p: '' },
    providerCancelled: { s: (n: string, x: string, w: string) => `تم الإلغاء: ${n} — ${x}، ${w}`, h: 'تم إلغاء حجز', p: 'أصبح الموعد متاحاً من جديد.' },
    providerPaid: { s: (n: string, a: string) => `تم استلام الدفع: ${a} من ${n}`, h: 'تم استلام الدفع', p: '' },
    offerIntro: 'املأ الموعد: أرسل هذه الرسالة إلى العملاء الذين أرادوا موعداً أقرب. الموعد لأول من يحجز.',
    offerShare: 'اعرضه عبر واتساب',
  },
} as const;

/** "Sat 28 Mar 2026, 10:00 (Europe/Berlin)" in the reader's language and zone. */
export function whenLabel(start: string, zone: string, lang: Lang): string {
  const label = new Intl.DateTimeFormat(intlLocale(lang), {
    timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(start));
  return `${label} (${zone})`;
}

export function moneyLabel(cents: number, currency: string, lang: Lang): string {
  return new Intl.NumberFormat(intlLocale(lang), { style: 'currency', currency }).format(cents / 100);
}

function paymentLabel(b: Booking, lang: Lang): string | null {
  const t = T[lang];
  const p = b.payment;
  if (!p) return null;
  const amount = moneyLabel(p.amountCents, p.currency, lang);
  if (p.status === 'paid') return t.paid(amount);
  if (p.status === 'refunded') return t.refunded(amount);
  if (p.status === 'refund_pending') return t.refundPending;
  return t.unpaid;
}

/** The message a template produces, before it becomes text and HTML. */
function compose(input: RenderInput): Email {
  const { kind, lang, booking: b, publicUrl, manageUrl } = input;
  const t = T[lang];
  const visitor = kind.startsWith('visitor.');
  // Visitors read times in their own zone when they gave one; providers in the provider's.
  const zone = (visitor ? b.timezone : null) ?? b.provider.timezone ?? b.timezone ?? 'UTC';
  const when = whenLabel(b.start, zone, lang);
  const service = b.service.title || 'Booking';
  const provider = b.provider.name || 'Slotline';
  const client = b.name || b.email || b.phone || '—';
  const amount = b.payment ? moneyLabel(b.payment.amountCents, b.payment.currency, lang) : '';
  const where = locationLine({ meetingUrl: null, service: b.service });

  const facts: [string, string][] = [[t.what, `${service} — ${provider}`], [t.when, when]];
  if (where) facts.push([t.where, where]);
  if (b.meetingUrl) facts.push([t.video, b.meetingUrl]);
  const paid = paymentLabel(b, lang);
  if (paid) facts.push([t.payment, paid]);
  if (input.credit) facts.push([lang === 'ar' ? 'الباقة' : 'Package', creditLine(input.credit, lang, b.provider.timezone ?? zone)]);
  facts.push([t.ref, bookingRef(b.id)]);

  const visitorActions: Email['actions'] = manageUrl ? [{ label: t.manage, url: manageUrl }] : [];
  const wa = b.provider.whatsapp;
  if (visitor && wa?.enabled && wa.phoneE164) {
    visitorActions.push({ label: t.whatsapp, url: whatsappLink(wa.phoneE164, `${service} — ${bookingRef(b.id)}`) });
  }
  const appUrl = `${publicUrl}/app/bookings/${b.id}`;
  const providerFacts: [string, string][] = [
    [t.client, client],
    ...(b.email || b.phone ? [[t.contact, [b.email, b.phone].filter(Boolean).join(' · ')] as [string, string]] : []),
    ...facts,
    ...(b.notes ? [[t.notes, b.notes] as [string, string]] : []),
  ];
  const forProvider = (subject: string, heading: string, p: string, actions: Email['actions'] = [{ label: t.openApp, url: appUrl }]): Email =>
    ({ subject, heading, paragraphs: p ? [p] : [], facts: providerFacts, actions });
  const forVisitor = (subject: string, heading: string, paragraphs: string[], actions = visitorActions): Email =>
    ({ subject, heading, paragraphs: [t.hi(b.name), ...paragraphs], facts, actions, footer: `${t.footer} ${provider}` });

  switch (kind) {
    case 'visitor.confirmation': return forVisitor(t.confirmation.s(service, when), t.confirmation.h, [t.confirmation.p]);
    case 'visitor.request': return forVisitor(t.request.s(service, when), t.request.h, [t.request.p(provider)]);
    case 'visitor.rescheduled': return forVisitor(t.rescheduled.s(service, when), t.rescheduled.h, [t.rescheduled.p]);
    case 'visitor.cancelled': return forVisitor(t.cancelled.s(service, when), t.cancelled.h, [t.cancelled.p], []);
    case 'visitor.declined': return forVisitor(t.declined.s(service, when), t.declined.h, [t.declined.p(provider)], []);
    case 'visitor.hold-expired': return forVisitor(t.holdExpired.s(service), t.holdExpired.h, [t.holdExpired.p], []);
    case 'visitor.payment-received': return forVisitor(t.paymentReceived.s(amount), t.paymentReceived.h, [t.paymentReceived.p]);
    case 'visitor.refund-issued': return forVisitor(t.refundIssued.s(amount), t.refundIssued.h, [t.refundIssued.p], []);
    case 'visitor.reminder': return forVisitor(t.reminder.s(service, when), t.reminder.h, [t.reminder.p], [
      ...visitorActions,
      ...(input.remindersOffUrl ? [{ label: t.remindersOff, url: input.remindersOffUrl }] : []),
    ]);
    case 'provider.new-booking': return forProvider(t.newBooking.s(client, service, when), t.newBooking.h, t.newBooking.p);
    case 'provider.request': return forProvider(t.providerRequest.s(client, service, when), t.providerRequest.h, t.providerRequest.p, [
      { label: t.approve, url: `${appUrl}?action=approve` },
      { label: t.decline, url: `${appUrl}?action=decline` },
    ]);
    case 'provider.rescheduled': return forProvider(t.providerRescheduled.s(client, service, when), t.providerRescheduled.h, t.providerRescheduled.p);
    case 'provider.cancelled': {
      const e = forProvider(t.providerCancelled.s(client, service, when), t.providerCancelled.h, t.providerCancelled.p);
      const offer = input.freedTime;
      if (!offer) return e;
      return { ...e, paragraphs: [...e.paragraphs, t.offerIntro, offer.text], actions: [{ label: t.offerShare, url: offer.shareUrl }, ...e.actions] };
    }
    case 'provider.payment-received': return forProvider(t.providerPaid.s(client, amount), t.providerPaid.h, t.providerPaid.p);
  }
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** One message as a subject, a plain-text part and an HTML part in the reader's language and direction. */
export function renderEmail(input: RenderInput): RenderedEmail {
  return emailParts(compose(input), input.lang);
}

/** An `Email` as its subject, plain-text part and HTML part (`dir="rtl"` for Arabic). */
function emailParts(e: Email, lang: Lang): RenderedEmail {
  const dir = dirOf(lang);
  const text = [
    e.heading,
    '',
    ...e.paragraphs.flatMap((p) => [p, '']),
    ...e.facts.map(([k, v]) => `${k}: ${v}`),
    '',
    ...e.actions.map((a) => `${a.label}: ${a.url}`),
    ...(e.footer ? ['', '—', e.footer] : []),
  ].join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
  const align = dir === 'rtl' ? 'right' : 'left';
  const html = `<!doctype html>
<html lang="${lang}" dir="${dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(e.subject)}</title></head>
<body dir="${dir}" style="margin:0;padding:24px;font-family:system-ui,-apple-system,'Segoe UI',Tahoma,Arial,sans-serif;color:#1b1b1f;background:#f6f6f8;text-align:${align}">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:12px;padding:24px">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(e.heading)}</h1>
${e.paragraphs.map((p) => `<p style="margin:0 0 12px">${escapeHtml(p)}</p>`).join('\n')}
<table role="presentation" style="border-collapse:collapse;margin:8px 0 16px">
${e.facts.map(([k, v]) => `<tr><th scope="row" style="text-align:${align};padding:4px 12px 4px 0;color:#555;font-weight:600;vertical-align:top">${escapeHtml(k)}</th><td style="padding:4px 0"><bdi>${escapeHtml(v)}</bdi></td></tr>`).join('\n')}
</table>
${e.actions.map((a) => `<p style="margin:0 0 8px"><a href="${escapeHtml(a.url)}" style="display:inline-block;padding:10px 16px;border-radius:8px;background:#3b5bdb;color:#fff;text-decoration:none">${escapeHtml(a.label)}</a></p>`).join('\n')}
${e.footer ? `<p style="margin:16px 0 0;color:#777;font-size:12px">${escapeHtml(e.footer)}</p>` : ''}
</div>
</body>
</html>
`;
  return { subject: e.subject, text, html };
}

const AGENDA = {
  en: { s: (n: number, d: string) => `Tomorrow: ${n} ${n === 1 ? 'client' : 'clients'} (${d})`, h: 'Your clients tomorrow', p: 'Tap "Remind on WhatsApp" to send each client a reminder from your own WhatsApp.', wa: 'Remind on WhatsApp', req: 'waiting for your approval', open: 'Open the agenda' },
  ar: { s: (n: number, d: string) => `غداً: ${n} من العملاء (${d})`, h: 'عملاؤك غداً', p: 'اضغط «تذكير عبر واتساب» لإرسال تذكير لكل عميل من واتساب الخاص بك.', wa: 'تذكير عبر واتساب', req: 'بانتظار موافقتك', open: 'افتح جدول المواعيد' },
} as const;

/** The daily agenda email: tomorrow's clients, each with the time and a one-tap WhatsApp reminder when they gave a number. */
export function renderAgendaEmail(input: {
  lang: Lang;
  publicUrl: string;
  date: string;
  timezone: string;
  items: { start: string; name: string; service: string; phone: string | null; email: string | null; awaitingApproval: boolean; whatsappUrl: string | null }[];
}): RenderedEmail {
  const t = AGENDA[input.lang];
  const time = (start: string) => new Intl.DateTimeFormat(intlLocale(input.lang), { timeZone: input.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(start));
  const line = (i: (typeof input.items)[number]) =>
    `${time(i.start)} — ${i.name || i.email || i.phone || '—'} — ${i.service}${i.awaitingApproval ? ` (${t.req})` : ''}`;
  const subject = t.s(input.items.length, input.date);
  const text = [
    t.h, '', t.p, '',
    ...input.items.flatMap((i) => [line(i), ...(i.whatsappUrl ? [`  ${t.wa}: ${i.whatsappUrl}`] : []), '']),
    `${t.open}: ${input.publicUrl}/app/agenda?date=${input.date}`,
  ].join('\n') + '\n';
  const dir = dirOf(input.lang);
  const html = `<!doctype html>
<html lang="${input.lang}" dir="${dir}">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body dir="${dir}" style="font-family:system-ui,-apple-system,'Segoe UI',Tahoma,Arial,sans-serif;padding:24px">
<h1 style="font-size:20px">${escapeHtml(t.h)}</h1>
<p>${escapeHtml(t.p)}</p>
<ul style="padding:0;list-style:none">
${input.items.map((i) => `<li style="margin:0 0 12px"><bdi>${escapeHtml(line(i))}</bdi>${i.whatsappUrl ? `<br><a href="${escapeHtml(i.whatsappUrl)}">${escapeHtml(t.wa)}</a>` : ''}</li>`).join('\n')}
</ul>
<p><a href="${escapeHtml(`${input.publicUrl}/app/agenda?date=${input.date}`)}">${escapeHtml(t.open)}</a></p>
</body>
</html>
`;
  return { subject, text, html };
}

/** The ready-to-forward offer of a freed time: its words, the booking page on that instant, and a `wa.me` share. */
export interface FreedTimeOffer {
  text: string;
  bookUrl: string;
  shareUrl: string;
}

const OFFER = {
  en: { s: (w: string) => `Freed time to offer: ${w}`, text: (p: string, x: string, w: string, url: string) => `A time just opened up with ${p}: ${x}, ${w}. First to book gets it: ${url}` },
  ar: { s: (w: string) => `موعد متاح لعرضه: ${w}`, text: (p: string, x: string, w: string, url: string) => `أصبح موعد متاحاً لدى ${p}: ${x}، ${w}. الموعد لأول من يحجز: ${url}` },
} as const;

/**
 * The offer of a cancelled booking's time, in the provider's language and zone. The link opens the booking page on
 * exactly that time (`/c/<slug>/<service>?slot=<ISO>`, the page's own deep link to the details step); whoever books
 * first gets it — the database's no-overlap constraint answers everyone else 409 "taken".
 * Example: "A time just opened up with Lina: Video call, Wed 16 Dec 2026, 10:00 (Europe/Berlin). First to book gets
 * it: https://example.com/c/lina/call?slot=2026-12-16T09:00:00.000Z"
 */
export function freedTimeOffer(input: { lang: Lang; publicUrl: string; booking: Booking }): FreedTimeOffer & { subject: string } {
  const { lang, publicUrl, booking: b } = input;
  const when = whenLabel(b.start, b.provider.timezone ?? 'UTC', lang);
  const bookUrl = `${publicUrl}/c/${encodeURIComponent(b.provider.slug ?? '')}/${encodeURIComponent(b.service.slug ?? '')}?slot=${new Date(b.start).toISOString()}`;
  const text = OFFER[lang].text(b.provider.name || 'Slotline', b.service.title || 'Booking', when, bookUrl);
  return { subject: OFFER[lang].s(when), text, bookUrl, shareUrl: whatsappLink(null, text) };
}

const CALENDAR_FAILING = {
  en: {
    s: (n: string) => `Your calendar "${n}" cannot be read`,
    h: 'A calendar cannot be read',
    p: (n: string, since: string) => `Slotline has not been able to read your calendar "${n}" since ${since}.`,
    why: 'Until it can, your booking page uses what it read last, so a new event in that calendar may not block its time.',
    todo: 'Open Settings → Calendars, check the calendar there and connect it again if its password or link changed.',
    err: 'What the calendar answered', open: 'Open calendar settings',
  },
  ar: {
    s: (n: string) => `تعذّرت قراءة تقويمك «${n}»`,
    h: 'تعذّرت قراءة تقويم',
    p: (n: string, since: string) => `لم تتمكن Slotline من قراءة تقويمك «${n}» منذ ${since}.`,
    why: 'إلى أن تنجح القراءة، تستخدم صفحة الحجز آخر ما قرأته، فقد لا يحجب موعدٌ جديد في ذلك التقويم وقته.',
    todo: 'افتح الإعدادات ← التقويمات، وتحقق من التقويم هناك وأعد ربطه إن تغيّرت كلمة مروره أو رابطه.',
    err: 'ردّ التقويم', open: 'افتح إعدادات التقويمات',
  },
} as const;

const KIND_NAMES: Record<string, string> = { google: 'Google Calendar', caldav: 'CalDAV', ics: 'ICS feed', microsoft: 'Microsoft 365' };

/** The provider's email about a calendar source failing for more than an hour, in plain words, with what to do. */
export function renderCalendarFailingEmail(input: {
  lang: Lang; publicUrl: string; timezone: string;
  details: { failingSince: string; lastError?: string | null; kind?: string | null; label?: string | null; account?: string | null };
}): RenderedEmail {
  const { lang, details: d } = input;
  const t = CALENDAR_FAILING[lang];
  const kind = KIND_NAMES[d.kind ?? ''] ?? d.kind ?? 'calendar';
  const name = d.label || (d.account ? `${kind} (${d.account})` : kind);
  const url = `${input.publicUrl}/app/settings/calendars`;
  const e: Email = {
    subject: t.s(name), heading: t.h,
    paragraphs: [t.p(name, whenLabel(d.failingSince, input.timezone, lang)), t.why, t.todo],
    facts: d.lastError ? [[t.err, d.lastError]] : [],
    actions: [{ label: t.open, url }],
  };
  return emailParts(e, lang);
}
