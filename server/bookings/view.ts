import type { ManageView } from '../../contract/api.ts';
import { addToCalendarLinks } from '../../contract/calendar-links.ts';
import { creditLine, type BookingCredit } from '../../contract/credit-line.ts';
import type { Provider, ProviderService } from '../providers/public.ts';
import { DEFAULT_TEMPLATES, fillTemplate, templateVars, whatsappLink, type Lang } from '../whatsapp/template.ts';
import { bookingRef, locationLine, type Booking } from './booking.ts';
import { policyState } from './policy.ts';

/**
 * How a booking is shown to its visitor: the manage view (`GET /api/bookings/:token`, also the answer of cancel and
 * reschedule) and the WhatsApp notes. Typed against the contract's response types.
 */

/** The "Message on WhatsApp" link offered on confirmation (provider's zone and language). */
export function confirmationWhatsapp(
  provider: Provider,
  service: ProviderService,
  booking: Pick<Booking, 'id' | 'start'>,
  manageUrl: string,
  visitor: { name?: string; lang?: Lang; credit?: BookingCredit | null },
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
  const credit = visitor.credit ? `\n${creditLine(visitor.credit, lang, provider.timezone)}` : '';
  return whatsappLink(wa.phoneE164, fillTemplate(template, vars) + credit);
}

/** A booking as its visitor sees it on the manage page (no internal ids beyond the booking's own). */
export function manageView(b: Booking, urls: { manageUrl: string; icsUrl: string }, now: Date): ManageView {
  const title = `${b.service.title} — ${b.provider.name}`;
  const description = `${b.service.title} with ${b.provider.name}\nManage: ${urls.manageUrl}`;
  return {
    booking: {
      id: b.id,
      ref: bookingRef(b.id),
      status: b.status,
      start: b.start,
      end: b.end,
      provider: b.provider.slug ?? '',
      providerName: b.provider.name,
      providerTimezone: b.provider.timezone ?? '',
      service: b.service.slug ?? '',
      serviceTitle: b.service.title,
      durationMinutes: b.service.durationMinutes,
      name: b.name,
      timezone: b.timezone,
      holdExpiresAt: b.holdExpiresAt,
      location: locationLine(b),
      meetingUrl: b.meetingUrl,
      cancelReason: b.cancelReason,
      // status: pending | paid | refund_pending (cancelled, the refund is on its way) | refunded | failed | expired.
      payment: b.payment ? {
        status: b.payment.status, amountCents: b.payment.amountCents, currency: b.payment.currency, refundUntil: b.payment.refundUntil,
      } : null,
    },
    policy: policyState(b, now),
    links: withoutEmpty({
      manage: urls.manageUrl,
      ics: urls.icsUrl,
      whatsapp: manageWhatsapp(b, urls.manageUrl),
      // A visitor who closed the checkout can go back to it while the hold lasts.
      payment: b.status === 'pending' && b.payment?.status === 'pending' ? b.payment.checkoutUrl : null,
      ...addToCalendarLinks({ start: b.start, end: b.end, title, description, location: locationLine(b) }),
    }) as ManageView['links'],
  };
}

/** "Message on WhatsApp" from the manage page: the provider's template filled with this booking. */
function manageWhatsapp(b: Booking, manageUrl: string): string | null {
  const wa = b.provider.whatsapp;
  if (!wa?.enabled || !wa.phoneE164) return null;
  const text = fillTemplate(wa.messageTemplate || DEFAULT_TEMPLATES.en.confirm, templateVars({
    start: new Date(b.start),
    durationMinutes: b.service.durationMinutes,
    timezone: b.provider.timezone ?? 'UTC',
    lang: 'en',
    service: b.service.title,
    name: b.name,
    link: manageUrl,
    ref: bookingRef(b.id),
  }));
  return whatsappLink(wa.phoneE164, text);
}

/** Links that do not apply are left out rather than sent as null: every value present is a URL. */
function withoutEmpty(links: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(links).filter((entry): entry is [string, string] => Boolean(entry[1])));
}
