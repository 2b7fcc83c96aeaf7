import type { Provider, ProviderService } from '../providers/public.ts';
import { addToCalendarLinks } from '../ics/booking-ics.ts';
import { DEFAULT_TEMPLATES, fillTemplate, templateVars, whatsappLink, type Lang } from '../whatsapp/template.ts';

/** A short reference visitors can quote in a chat: the booking id's first 8 characters. */
export const bookingRef = (id: string) => id.slice(0, 8).toUpperCase();

/** The "Message on WhatsApp" link offered on confirmation (provider's zone and language). */
export function confirmationWhatsapp(
  provider: Provider,
  service: ProviderService,
  booking: { id: string; start: string },
  manageUrl: string,
  visitor: { name?: string; lang?: Lang },
): string | null {
  const wa = provider.settings.whatsapp;
  if (!wa?.enabled || !wa.phoneE164) return null;
  const lang = visitor.lang ?? 'en';
  const template = wa.messageTemplate || DEFAULT_TEMPLATES[lang].confirm;
  const vars = templateVars({
    start: new Date(booking.start),
    durationMinutes: service.durationMinutes,
    timezone: provider.timezone,
    lang,
    service: service.title,
    name: visitor.name,
    link: manageUrl,
    ref: bookingRef(booking.id),
  });
  return whatsappLink(wa.phoneE164, fillTemplate(template, vars));
}

export interface ManageRecord {
  id: string;
  status: string;
  start: string;
  end: string;
  provider: string;
  providerName: string;
  providerTimezone: string;
  providerPolicy: { cancelUntilHoursBefore?: number; rescheduleUntilHoursBefore?: number; refundUntilHoursBefore?: number };
  whatsapp: { enabled?: boolean; phoneE164?: string; messageTemplate?: string } | null;
  service: string;
  serviceTitle: string;
  durationMinutes: number;
  location: { type?: string; address?: string } | null;
  name: string;
  email: string | null;
  timezone: string | null;
  holdExpiresAt: string | null;
  meetingUrl: string | null;
  cancelReason: string | null;
  payment: {
    status: string; amountCents: number; currency: string; txnId: string | null; refundTxnId: string | null;
    checkoutUrl?: string | null;
    /** Refund deadline frozen when the payment confirmed the booking (moving the booking does not move it). */
    refundUntil?: string | null;
  } | null;
}

/** Where the meeting happens, as one line for calendars. */
export function locationLine(r: Pick<ManageRecord, 'location' | 'meetingUrl'>): string | null {
  if (r.meetingUrl) return r.meetingUrl;
  if (r.location?.type === 'in_person') return r.location.address ?? null;
  if (r.location?.type === 'phone') return 'Phone call';
  if (r.location?.type === 'whatsapp') return 'WhatsApp call';
  return null;
}

/**
 * Hours left before the start, and what the provider's policy still allows. A refund is judged on the terms the
 * visitor paid under: the deadline frozen on the payment, not the booking's current start (`cancel_booking` applies
 * the same rule in SQL and decides; this is what the page says beforehand).
 */
export function policyState(r: ManageRecord, now: Date) {
  const hoursLeft = (Date.parse(r.start) - now.getTime()) / 3_600_000;
  const live = r.status === 'confirmed' || r.status === 'pending';
  const p = r.providerPolicy ?? {};
  return {
    // An unpaid hold can always be let go (e.g. "Cancel" on the checkout page); the window is for confirmed bookings.
    canCancel: r.status === 'pending' || (live && hoursLeft >= (p.cancelUntilHoursBefore ?? 0)),
    canReschedule: live && r.status === 'confirmed' && hoursLeft >= (p.rescheduleUntilHoursBefore ?? 0),
    refundable: r.payment?.status === 'paid' && !!r.payment.refundUntil && now.getTime() <= Date.parse(r.payment.refundUntil),
  };
}

/** A booking as its visitor sees it on the manage page (no internal ids beyond the booking's own). */
export function manageView(r: ManageRecord, urls: { manageUrl: string; icsUrl: string }, now: Date) {
  const start = new Date(r.start);
  const end = new Date(r.end);
  const description = `${r.serviceTitle} with ${r.providerName}\nManage: ${urls.manageUrl}`;
  return {
    booking: {
      id: r.id,
      ref: bookingRef(r.id),
      status: r.status,
      start: start.toISOString(),
      end: end.toISOString(),
      provider: r.provider,
      providerName: r.providerName,
      providerTimezone: r.providerTimezone,
      service: r.service,
      serviceTitle: r.serviceTitle,
      durationMinutes: r.durationMinutes,
      name: r.name,
      timezone: r.timezone,
      holdExpiresAt: r.holdExpiresAt ? new Date(r.holdExpiresAt).toISOString() : null,
      location: locationLine(r),
      meetingUrl: r.meetingUrl ?? null,
      cancelReason: r.cancelReason ?? null,
      // status: pending | paid | refund_pending (cancelled, the refund is on its way) | refunded | failed | expired.
      payment: r.payment ? {
        status: r.payment.status, amountCents: r.payment.amountCents, currency: r.payment.currency,
        refundUntil: r.payment.refundUntil ? new Date(r.payment.refundUntil).toISOString() : null,
      } : null,
    },
    policy: policyState(r, now),
    links: withoutEmpty({
      manage: urls.manageUrl,
      ics: urls.icsUrl,
      whatsapp: manageWhatsapp(r, urls.manageUrl),
      // A visitor who closed the checkout can go back to it while the hold lasts.
      payment: r.status === 'pending' && r.payment?.status === 'pending' ? r.payment.checkoutUrl : null,
      ...addToCalendarLinks({ start, end, title: `${r.serviceTitle} — ${r.providerName}`, description, location: locationLine(r) }),
    }),
  };
}

/** "Message on WhatsApp" from the manage page: the provider's template filled with this booking. */
function manageWhatsapp(r: ManageRecord, manageUrl: string): string | null {
  const wa = r.whatsapp;
  if (!wa?.enabled || !wa.phoneE164) return null;
  const text = fillTemplate(wa.messageTemplate || DEFAULT_TEMPLATES.en.confirm, templateVars({
    start: new Date(r.start),
    durationMinutes: r.durationMinutes,
    timezone: r.providerTimezone,
    lang: 'en',
    service: r.serviceTitle,
    name: r.name,
    link: manageUrl,
    ref: bookingRef(r.id),
  }));
  return whatsappLink(wa.phoneE164, text);
}

/** Links that do not apply are left out rather than sent as null: every value present is a URL. */
function withoutEmpty(links: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(links).filter((entry): entry is [string, string] => Boolean(entry[1])));
}
