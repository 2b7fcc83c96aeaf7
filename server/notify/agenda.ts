import { hashToken } from '../bookings/tokens.ts';
import { creditLine } from '../../contract/credit-line.ts';
import type { Lang } from '../../contract/i18n/index.ts';
import { locationLine, toBooking, type BookingRow } from '../bookings/booking.ts';
import { bookingLinks } from '../bookings/links.ts';
import type { Db } from '../db/port.ts';
import type { EncryptedSecret } from '../secrets/crypto.ts';
import { whatsappLink } from '../whatsapp/template.ts';
import { openLinkCopy } from './link-copy.ts';
import { whenLabel } from './render.ts';

/** One client on the provider's agenda, with the reminder the provider can send from their own WhatsApp. */
export interface AgendaItem {
  bookingId: string;
  start: string;
  end: string;
  status: string;
  awaitingApproval: boolean;
  name: string;
  email: string | null;
  phone: string | null;
  service: string;
  lang: Lang;
  /** The reminder text in the client's language: time, place or video link, manage link when it can be recovered. */
  message: string;
  /** `https://wa.me/<client's number>?text=…`; null when the client gave no phone number. */
  whatsappUrl: string | null;
}

export interface Agenda {
  date: string;
  timezone: string;
  providerName: string;
  items: AgendaItem[];
}

const MESSAGE: Record<Lang, (v: { name: string; service: string; provider: string; when: string; where: string | null; link: string | null }) => string> = {
  en: (v) => [
    `Hi${v.name ? ` ${v.name}` : ''}! A reminder of your ${v.service} with ${v.provider}: ${v.when}.`,
    v.where ? `Where: ${v.where}` : null,
    v.link ? `Manage or cancel: ${v.link}` : null,
  ].filter(Boolean).join('\n'),
  ar: (v) => [
    `مرحباً${v.name ? ` ${v.name}` : ''}! تذكير بموعدك (${v.service}) مع ${v.provider}: ${v.when}.`,
    v.where ? `المكان: ${v.where}` : null,
    v.link ? `لإدارة الحجز أو إلغائه: ${v.link}` : null,
  ].filter(Boolean).join('\n'),
};

/** "YYYY-MM-DD" of the day after `now` in `zone`. */
export function tomorrowIn(zone: string, now: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const d = new Date(`${parts}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export interface AgendaRows {
  date: string;
  timezone: string;
  providerName: string;
  lang?: string;
  bookings: (BookingRow & { awaitingApproval?: boolean; link: { sealed: EncryptedSecret; lang: string } | null })[];
}

/** A package client's reminder also says where they stand ("Session 5 of 10 · 5 left, valid until 12 March"). */
async function creditNote(db: Db, token: string | null, lang: Lang, zone: string): Promise<string> {
  const credit = token ? await db.rpc('get_booking_credit', { p_token_hash: hashToken(token) }) : null;
  return credit ? `\n${creditLine(credit, lang, zone)}` : '';
}

/** Each booking of the day with its WhatsApp reminder (the manage link opened from its sealed copy). */
async function build(db: Db, data: AgendaRows, publicUrl: string): Promise<Agenda> {
  const items: AgendaItem[] = [];
  for (const row of data.bookings) {
    const b = toBooking({ ...row, providerName: data.providerName, providerTimezone: data.timezone });
    const lang: Lang = row.link?.lang === 'ar' ? 'ar' : 'en';
    const token = row.link ? await openLinkCopy(db, row.link.sealed) : null;
    const message = MESSAGE[lang]({
      name: b.name, service: b.service.title, provider: data.providerName,
      when: whenLabel(b.start, b.timezone ?? data.timezone, lang), where: b.meetingUrl ?? locationLine(b),
      link: token ? bookingLinks(publicUrl, token).manageUrl : null,
    }) + await creditNote(db, token, lang, data.timezone);
    items.push({
      bookingId: b.id, start: b.start, end: b.end, status: b.status, awaitingApproval: row.awaitingApproval === true,
      name: b.name, email: b.email, phone: b.phone, service: b.service.title, lang, message,
      whatsappUrl: b.phone ? whatsappLink(b.phone, message) : null,
    });
  }
  return { date: String(data.date).slice(0, 10), timezone: data.timezone, providerName: data.providerName, items };
}

/**
 * The provider's clients for one local day (`app_get_agenda`, owner-checked in SQL), each with a one-tap `wa.me`
 * reminder in the client's language — sent from the provider's own WhatsApp, no API account needed.
 */
export async function loadAgenda(db: Db, userId: string, providerId: string, date: string, publicUrl: string): Promise<Agenda> {
  return build(db, await db.rpc('app_get_agenda', { p_user_id: userId, p_provider_id: providerId, p_date: date }), publicUrl);
}

/** The same for the daily agenda email (the job acts for the provider; no user session). */
export async function loadProviderAgenda(db: Db, providerId: string, date: string, publicUrl: string): Promise<Agenda> {
  return build(db, await db.rpc('get_agenda', { p_provider_id: providerId, p_date: date }), publicUrl);
}
