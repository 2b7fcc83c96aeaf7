import type { Context, Hono } from 'hono';
import type { AppEnv } from '../auth/session.ts';
import { hashToken, newManageToken } from '../bookings/tokens.ts';
import { bookingRef, locationLine } from '../bookings/view.ts';
import { notFound, problem } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { templateVars, whatsappLink } from '../whatsapp/template.ts';
import { ownerCheckStart, ownerProvider } from './engine-check.ts';
import { owner } from './errors.ts';
import type { OwnerDeps } from './routes.ts';
import { readQuery } from './routes.ts';
import {
  bookingListQuery, cancelSchema, manualBookingSchema, outcomeSchema, reasonSchema, rescheduleSchema, uuid,
} from './schemas.ts';
import { HOUR } from '../time/units.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/** A booking as the owner functions return it (`app_booking_json`, plus details from `app_get_booking`). */
export interface OwnerBooking {
  id: string;
  status: string;
  start: string;
  end: string;
  name: string;
  email: string | null;
  phone: string | null;
  providerId: string;
  serviceId: string;
  service: { id: string; slug: string; title: string; durationMinutes: number } | null;
  payment: {
    status: string; amountCents: number; currency: string; txnId: string | null; refundTxnId: string | null;
    /** The refund deadline frozen when the client paid (null for payments made before it was recorded). */
    refundUntil?: string | null;
  } | null;
  providerPolicy?: { refundUntilHoursBefore?: number };
  providerTimezone?: string;
  location?: { type?: string; address?: string } | null;
  meetingUrl?: string | null;
  notes?: string;
  [field: string]: unknown;
}

/**
 * What the provider's cancel does with a payment: the refund window of the terms the client paid under (frozen at
 * payment, as `cancel_booking` judges it) unless the provider says otherwise.
 */
export function refundDecision(b: OwnerBooking, now: Date, override: boolean | undefined): { refund: boolean; byPolicy: boolean } {
  const paid = b.payment?.status === 'paid' && Boolean(b.payment.txnId);
  const deadline = b.payment?.refundUntil
    ? Date.parse(b.payment.refundUntil)
    : Date.parse(b.start) - (b.providerPolicy?.refundUntilHoursBefore ?? 0) * HOUR;
  const byPolicy = paid && now.getTime() <= deadline;
  return { refund: paid && (override ?? byPolicy), byPolicy };
}

/** One-tap WhatsApp to the client (their number), pre-filled in the provider's zone. Null without a phone. */
export function clientWhatsapp(b: OwnerBooking, providerName: string, timezone: string): string | null {
  if (!b.phone) return null;
  const v = templateVars({
    start: new Date(b.start), durationMinutes: b.service?.durationMinutes ?? 0, timezone, lang: 'en',
    service: b.service?.title ?? '', name: b.name, ref: bookingRef(b.id),
  });
  return whatsappLink(b.phone, `Hi${b.name ? ` ${b.name}` : ''}, this is ${providerName} about your ${v.service} on ${v.date} at ${v.time} (ref ${v.ref}).`);
}

/** Bookings: lists, one booking's details, and the provider's actions on it. Mounted by `appApiRoutes`. */
export function bookingRoutes(app: Hono<AppEnv>, { db, config, payments, now, jobs }: OwnerDeps): void {
  const user = (c: Context<AppEnv>) => c.get('user').id;
  const pid = (c: Context) => c.req.param('providerId') as string;
  const base = '/api/app/providers/:providerId/bookings';

  const details = async (c: Context<AppEnv>, bookingId: string) => {
    const b = await db.rpc('app_get_booking', { p_user_id: user(c), p_provider_id: pid(c), p_booking_id: bookingId });
    const provider = await db.rpc('app_get_provider', { p_user_id: user(c), p_provider_id: pid(c) });
    const live = b.status === 'pending' || b.status === 'confirmed';
    const refund = refundDecision(b, now(), undefined);
    return {
      ...b,
      whatsappUrl: clientWhatsapp(b, provider.name, provider.timezone),
      locationLine: locationLine({ location: b.location ?? null, meetingUrl: b.meetingUrl ?? null }),
      actions: {
        approve: b.status === 'pending' && b.awaitingApproval === true,
        decline: b.status === 'pending' && b.awaitingApproval === true,
        cancel: live,
        reschedule: live && Boolean(b.hasManageLink),
        complete: ['confirmed', 'no_show'].includes(b.status) && Date.parse(b.start) <= now().getTime(),
        noShow: ['confirmed', 'completed'].includes(b.status) && Date.parse(b.start) <= now().getTime(),
      },
      // What cancelling now would do with the payment under the provider's own policy.
      refundOnCancel: refund.byPolicy,
    };
  };
  const bookingId = (c: Context) => {
    const id = c.req.param('bookingId') ?? '';
    return uuid.test(id) ? id : null;
  };

  app.get(base, (c) => owner(c, async () => {
    const q = readQuery(c, bookingListQuery);
    if (!q.ok) return q.response;
    const { scope, service, status, limit, offset } = q.value;
    return c.json(await db.rpc('app_list_bookings', {
      p_user_id: user(c), p_provider_id: pid(c), p_scope: scope, p_service_id: service ?? null, p_status: status ?? null,
      p_now: now(), p_limit: limit, p_offset: offset,
    }), 200, NO_STORE);
  }));

  app.get(`${base}/:bookingId`, (c) => owner(c, async () => {
    const id = bookingId(c);
    if (!id) return notFound(c, 'Booking');
    return c.json(await details(c, id), 200, NO_STORE);
  }));

  // A booking added by hand: the engine's check (unless outsideHours), then create_booking_if_free.
  app.post(base, async (c) => {
    const parsed = await readJson(c, manualBookingSchema);
    if (!parsed.ok) return parsed.response;
    const input = parsed.value;
    return owner(c, async () => {
      const provider = await ownerProvider(db, user(c), pid(c));
      const service = provider.services.find((s) => s.id === input.serviceId);
      if (!service) return notFound(c, 'Service');
      const start = new Date(input.start);
      if (!input.outsideHours) {
        const verdict = await ownerCheckStart(db, provider, service, start, now());
        if (verdict !== 'available') return slotProblem(c, verdict);
      }
      const token = newManageToken();
      const booking = await db.rpc('app_create_booking', {
        p_user_id: user(c), p_provider_id: pid(c), p_service_id: service.id, p_starts_at: start,
        p_customer_name: input.name, p_customer_email: input.email ?? null, p_customer_phone: input.phone ?? null,
        p_notes: input.notes ?? '', p_customer_timezone: input.timezone ?? null, p_manage_token_hash: hashToken(token),
      });
      const manageUrl = `${config.publicUrl}/b/${token}`;
      return c.json({ booking: await details(c, booking.id), manageUrl }, 201, NO_STORE);
    });
  });

  for (const [action, approve] of [['approve', true], ['decline', false]] as const) {
    app.post(`${base}/:bookingId/${action}`, async (c) => {
      const id = bookingId(c);
      if (!id) return notFound(c, 'Booking');
      const parsed = await readJson(c, reasonSchema);
      if (!parsed.ok) return parsed.response;
      return owner(c, async () => {
        await db.rpc('app_decide_request', {
          p_user_id: user(c), p_provider_id: pid(c), p_booking_id: id, p_approve: approve, p_reason: parsed.value.reason ?? null,
        });
        const b = await details(c, id);
        if (approve) {
        }
        return c.json(b, 200, NO_STORE);
      });
    });
  }

  // Provider-initiated cancel: the visitor's cancellation path, then the refund the policy (or the provider) says.
  app.post(`${base}/:bookingId/cancel`, async (c) => {
    const id = bookingId(c);
    if (!id) return notFound(c, 'Booking');
    const parsed = await readJson(c, cancelSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      const before = await db.rpc('app_get_booking', { p_user_id: user(c), p_provider_id: pid(c), p_booking_id: id });
      const decision = refundDecision(before, now(), parsed.value.refund);
      if (decision.refund && !payments) {
        return problem(c, 503, 'payments-unavailable', 'Refunds cannot be made right now', {
          detail: 'Payments are not set up on this server, so the booking was not cancelled. Try again, or cancel with "refund": false.',
        });
      }
      const reason = parsed.value.reason ?? '';
      // The refund (if any) is queued in the same transaction as the cancellation; the job worker makes it.
      const cancelled = await db.rpc('app_cancel_booking', {
        p_user_id: user(c), p_provider_id: pid(c), p_booking_id: id, p_reason: reason, p_refund: parsed.value.refund ?? null,
      });
      jobs?.wake();
      const status = cancelled.payment?.status;
      return c.json({
        ...(await details(c, id)),
        refund: { pending: status === 'refund_pending', issued: status === 'refunded', byPolicy: decision.byPolicy },
      }, 200, NO_STORE);
    });
  });

  // Reschedule on the client's behalf: the engine's check (unless outsideHours), then reschedule_booking.
  app.post(`${base}/:bookingId/reschedule`, async (c) => {
    const id = bookingId(c);
    if (!id) return notFound(c, 'Booking');
    const parsed = await readJson(c, rescheduleSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      const before = await db.rpc('app_get_booking', { p_user_id: user(c), p_provider_id: pid(c), p_booking_id: id });
      const start = new Date(parsed.value.start);
      if (!parsed.value.outsideHours) {
        const provider = await ownerProvider(db, user(c), pid(c));
        const service = provider.services.find((s) => s.id === before.serviceId);
        if (!service) return problem(c, 409, 'service-hidden', 'This service is hidden', { detail: 'Show the service again, or move the booking with "outsideHours": true.' });
        const verdict = await ownerCheckStart(db, provider, service, start, now(), { id: before.id, userId: user(c) });
        if (verdict !== 'available') return slotProblem(c, verdict);
      }
      const moved = await db.rpc('app_reschedule_booking', { p_user_id: user(c), p_provider_id: pid(c), p_booking_id: id, p_starts_at: start });
      return c.json(await details(c, id), 200, NO_STORE);
    });
  });

  app.post(`${base}/:bookingId/outcome`, async (c) => {
    const id = bookingId(c);
    if (!id) return notFound(c, 'Booking');
    const parsed = await readJson(c, outcomeSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      await db.rpc('app_set_booking_outcome', { p_user_id: user(c), p_provider_id: pid(c), p_booking_id: id, p_outcome: parsed.value.outcome, p_now: now() });
      return c.json(await details(c, id), 200, NO_STORE);
    });
  });
}

function slotProblem(c: Context, verdict: 'taken' | 'unavailable'): Response {
  return verdict === 'taken'
    ? problem(c, 409, 'slot-taken', 'This time is already taken', { detail: 'Pick another time.' })
    : problem(c, 409, 'slot-unavailable', 'This time is outside your bookable hours', {
      detail: 'Pick a time your page offers, or send "outsideHours": true to book it anyway (overlaps are still refused).',
    });
}
