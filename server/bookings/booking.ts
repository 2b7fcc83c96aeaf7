import type { BookingStatus } from '../../contract/api.ts';
import type { BookingPolicy, Provider } from '../providers/public.ts';

/** Where a service takes place, as `services.location` stores it. */
export interface BookingLocation {
  type?: string;
  address?: string;
}

/** The latest payment of a booking. `status`: pending | paid | refund_pending | refunded | failed | expired. */
export interface BookingPayment {
  status: string;
  amountCents: number;
  currency: string;
  txnId: string | null;
  refundTxnId: string | null;
  /** The open Stripe Checkout while the payment is pending (manage link readers only). */
  checkoutUrl: string | null;
  /** Refund deadline frozen when the payment confirmed the booking (moving the booking does not move it). */
  refundUntil: string | null;
}

/**
 * A booking, the one record type the server works with — whichever SQL function read it. Instants are ISO 8601 UTC
 * strings (`2026-12-02T09:00:00.000Z`). The `provider` and `service` details are those the reading function joins;
 * a function that joins less (e.g. `create_booking_if_free`) leaves their text empty and `slug` null, which
 * `toBooking` documents field by field.
 */
export interface Booking {
  id: string;
  status: BookingStatus;
  start: string;
  end: string;
  /** RFC 5545 SEQUENCE, raised by the database on every change of time or status (migration 20261130000600). */
  sequence: number;
  holdExpiresAt: string | null;
  /** The visitor. */
  name: string;
  email: string | null;
  phone: string | null;
  notes: string;
  /** The visitor's time zone, when they gave one. */
  timezone: string | null;
  meetingUrl: string | null;
  cancelReason: string | null;
  provider: {
    id: string;
    /** Public slug (null when the reading function does not join providers). */
    slug: string | null;
    name: string;
    timezone: string | null;
    policy: BookingPolicy;
    whatsapp: Provider['settings']['whatsapp'] | null;
  };
  service: {
    id: string;
    slug: string | null;
    title: string;
    durationMinutes: number;
    location: BookingLocation | null;
  };
  payment: BookingPayment | null;
  /** Owner view only: a request waiting for the provider's approval. */
  awaitingApproval: boolean;
}

/**
 * What the SQL functions that read bookings return: `booking_json`'s columns, plus the details each joins under
 * its own names (`get_booking_by_token`: provider/service slugs, names, policy, payment with checkout;
 * `get_booking_for_write_back` and `get_ics_feed`: service title and location; `app_booking_json`: `service` as an
 * object, `awaitingApproval`; `app_get_booking`: policy and zone). Only `toBooking` reads this shape.
 */
export interface BookingRow {
  id: string;
  status: string;
  start: string;
  end: string;
  sequence?: number | null;
  providerId: string;
  serviceId: string;
  holdExpiresAt?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  notes?: string | null;
  timezone?: string | null;
  meetingUrl?: string | null;
  cancelReason?: string | null;
  provider?: string | null;
  providerName?: string | null;
  providerTimezone?: string | null;
  providerPolicy?: BookingPolicy | null;
  whatsapp?: Provider['settings']['whatsapp'] | null;
  service?: string | { id: string; slug: string; title: string; durationMinutes: number } | null;
  serviceTitle?: string | null;
  durationMinutes?: number | null;
  location?: BookingLocation | null;
  payment?: {
    status: string; amountCents: number; currency: string; txnId?: string | null; refundTxnId?: string | null;
    checkoutUrl?: string | null; refundUntil?: string | null;
  } | null;
  awaitingApproval?: boolean | null;
  /** `app_booking_json`: whether the booking has a manage link (a move goes through it). */
  hasManageLink?: boolean | null;
}

const iso = (t: string) => new Date(t).toISOString();
const isoOrNull = (t: string | null | undefined) => (t ? iso(t) : null);

/**
 * The one mapper from a SQL row to a `Booking`. Details the row does not carry default to: empty names/titles,
 * null slugs/zone/location/payment, an empty policy, and the duration taken from the booking's own times.
 */
export function toBooking(row: BookingRow, extra: { providerName?: string } = {}): Booking {
  const service = typeof row.service === 'object' && row.service ? row.service : null;
  const start = iso(row.start);
  const end = iso(row.end);
  return {
    id: row.id,
    status: row.status as BookingStatus,
    start,
    end,
    sequence: row.sequence ?? 0,
    holdExpiresAt: isoOrNull(row.holdExpiresAt),
    name: row.name ?? '',
    email: row.email ?? null,
    phone: row.phone ?? null,
    notes: row.notes ?? '',
    timezone: row.timezone ?? null,
    meetingUrl: row.meetingUrl ?? null,
    cancelReason: row.cancelReason ?? null,
    provider: {
      id: row.providerId,
      slug: typeof row.provider === 'string' ? row.provider : null,
      name: row.providerName ?? extra.providerName ?? '',
      timezone: row.providerTimezone ?? null,
      policy: row.providerPolicy ?? {},
      whatsapp: row.whatsapp ?? null,
    },
    service: {
      id: row.serviceId,
      slug: typeof row.service === 'string' ? row.service : service?.slug ?? null,
      title: row.serviceTitle ?? service?.title ?? '',
      durationMinutes: row.durationMinutes ?? service?.durationMinutes ?? Math.round((Date.parse(end) - Date.parse(start)) / 60_000),
      location: row.location ?? null,
    },
    payment: row.payment ? {
      status: row.payment.status,
      amountCents: row.payment.amountCents,
      currency: row.payment.currency,
      txnId: row.payment.txnId ?? null,
      refundTxnId: row.payment.refundTxnId ?? null,
      checkoutUrl: row.payment.checkoutUrl ?? null,
      refundUntil: isoOrNull(row.payment.refundUntil),
    } : null,
    awaitingApproval: row.awaitingApproval === true,
  };
}

/** Whether the booking still holds its time (the exclusion constraint's statuses). */
export const isLive = (b: Pick<Booking, 'status'>) => b.status === 'pending' || b.status === 'confirmed';

/** A short reference visitors can quote in a chat: the booking id's first 8 characters. */
export const bookingRef = (id: string) => id.slice(0, 8).toUpperCase();

/** Where the meeting happens, as one line for calendars. */
export function locationLine(b: { meetingUrl: string | null; service: { location: BookingLocation | null } }): string | null {
  const location = b.service.location;
  if (b.meetingUrl) return b.meetingUrl;
  if (location?.type === 'in_person') return location.address ?? null;
  if (location?.type === 'phone') return 'Phone call';
  if (location?.type === 'whatsapp') return 'WhatsApp call';
  return null;
}
