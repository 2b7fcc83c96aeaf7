import type { Context, Hono } from 'hono';
import type { AppEnv } from '../auth/session.ts';
import { bookingRef, locationLine, toBooking, type Booking } from '../bookings/booking.ts';
import { refundDecision } from '../bookings/policy.ts';
import {
  cancelBooking, confirmBooking, createBooking, declineRequest, rescheduleBooking, type BookingAccess, type BookingServiceDeps,
} from '../bookings/service.ts';
import { notFound, problem } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { ownerProvider } from '../providers/owner.ts';
import { templateVars, whatsappLink } from '../whatsapp/template.ts';
import { owner } from './errors.ts';
import type { OwnerDeps } from './routes.ts';
import { readQuery } from './routes.ts';
import {
  bookingListQuery, cancelSchema, manualBookingSchema, seriesCancelSchema, outcomeSchema, reasonSchema, rescheduleSchema, uuid,
} from './schemas.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/** One-tap WhatsApp to the client (their number), pre-filled in the provider's zone. Null without a phone. */
export function clientWhatsapp(b: Booking, providerName: string, timezone: string): string | null {
  if (!b.phone) return null;
  const v = templateVars({
    start: new Date(b.start), durationMinutes: b.service.durationMinutes, timezone, lang: 'en',
    service: b.service.title, name: b.name, ref: bookingRef(b.id),
  });
  return whatsappLink(b.phone, `Hi${b.name ? ` ${b.name}` : ''}, this is ${providerName} about your ${v.service} on ${v.date} at ${v.time} (ref ${v.ref}).`);
}

/** Bookings: lists, one booking's details, and the provider's actions on it. Mounted by `appApiRoutes`. */
export function bookingRoutes(app: Hono<AppEnv>, { db, config, payments, now, jobs }: OwnerDeps): void {
  const user = (c: Context<AppEnv>) => c.get('user').id;
  const pid = (c: Context) => c.req.param('providerId') as string;
  const base = '/api/app/providers/:providerId/bookings';
  // The same booking service the public API uses, with the signed-in owner as the actor.
  const service: BookingServiceDeps = {
    db, publicUrl: config.publicUrl, payments, now, wake: () => jobs?.wake(), calendars: config.calendars, stripeApiBase: config.stripeApiBase,
  };
  const access = (c: Context<AppEnv>, bookingId: string): Extract<BookingAccess, { kind: 'owner' }> =>
    ({ kind: 'owner', userId: user(c), providerId: pid(c), bookingId });

  /** The owner's view of one booking: `app_get_booking`'s JSON as is, plus links and what can be done now. */
  const details = async (c: Context<AppEnv>, bookingId: string) => {
    const row = await db.rpc('app_get_booking', { p_user_id: user(c), p_provider_id: pid(c), p_booking_id: bookingId });
    const provider = await db.rpc('app_get_provider', { p_user_id: user(c), p_provider_id: pid(c) });
    const b = toBooking(row);
    const live = b.status === 'pending' || b.status === 'confirmed';
    const started = Date.parse(b.start) <= now().getTime();
    const status: string = b.status;
    // A date of a weekly series: "3 of 8", and every date of it (app_get_series, owner-checked like the booking).
    const series = await db.rpc('app_get_series', { p_user_id: user(c), p_provider_id: pid(c), p_booking_id: bookingId });
    return {
      ...row,
      series: series && {
        id: series.id, index: series.index, occurrences: series.occurrences, intervalWeeks: series.intervalWeeks,
        dates: series.bookings.map((d) => ({ id: d.id, index: d.index, start: new Date(d.start).toISOString(), status: d.status })),
      },
      whatsappUrl: clientWhatsapp(b, provider.name, provider.timezone),
      locationLine: locationLine(b),
      actions: {
        approve: b.status === 'pending' && b.awaitingApproval,
        decline: b.status === 'pending' && b.awaitingApproval,
        cancel: live,
        reschedule: live && Boolean(row.hasManageLink),
        complete: ['confirmed', 'no_show'].includes(status) && started,
        noShow: ['confirmed', 'completed'].includes(status) && started,
      },
      // What cancelling now would do with the payment under the provider's own policy.
      refundOnCancel: refundDecision(b, now(), undefined).byPolicy,
    };
  };
  const bookingId = (c: Context) => {
    const id = c.req.param('bookingId') ?? '';
    return uuid.test(id) ? id : null;
  };

  app.get(base, (c) => owner(c, async () => {
    const q = readQuery(c, bookingListQuery);
    if (!q.ok) return q.response;
    const { scope, service: serviceId, status, limit, offset } = q.value;
    return c.json(await db.rpc('app_list_bookings', {
      p_user_id: user(c), p_provider_id: pid(c), p_scope: scope, p_service_id: serviceId ?? null, p_status: status ?? null,
      p_now: now(), p_limit: limit, p_offset: offset,
    }), 200, NO_STORE);
  }));

  app.get(`${base}/:bookingId`, (c) => owner(c, async () => {
    const id = bookingId(c);
    if (!id) return notFound(c, 'Booking');
    return c.json(await details(c, id), 200, NO_STORE);
  }));

  // A booking added by hand: the booking service's create with the owner as actor (engine check unless outsideHours).
  app.post(base, async (c) => {
    const parsed = await readJson(c, manualBookingSchema);
    if (!parsed.ok) return parsed.response;
    const input = parsed.value;
    return owner(c, async () => {
      const provider = await ownerProvider(db, user(c), pid(c));
      const offered = provider.services.find((s) => s.id === input.serviceId);
      if (!offered) return notFound(c, 'Service');
      const outcome = await createBooking(service, { kind: 'owner', userId: user(c) }, { provider, service: offered }, {
        ...input, start: new Date(input.start),
      });
      if (outcome.kind === 'taken' || outcome.kind === 'unavailable') return slotProblem(c, outcome.kind);
      if (outcome.kind !== 'created' || !outcome.links) throw new Error(`owner booking ended ${outcome.kind}`);
      return c.json({ booking: await details(c, outcome.booking.id), manageUrl: outcome.links.manageUrl }, 201, NO_STORE);
    });
  });

  for (const [action, approve] of [['approve', true], ['decline', false]] as const) {
    app.post(`${base}/:bookingId/${action}`, async (c) => {
      const id = bookingId(c);
      if (!id) return notFound(c, 'Booking');
      const parsed = await readJson(c, reasonSchema);
      if (!parsed.ok) return parsed.response;
      return owner(c, async () => {
        const reason = parsed.value.reason ?? null;
        if (approve) await confirmBooking(service, { ...access(c, id), reason });
        else await declineRequest(service, access(c, id), reason);
        return c.json(await details(c, id), 200, NO_STORE);
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
      const outcome = await cancelBooking(service, access(c, id), { reason: parsed.value.reason ?? '', refund: parsed.value.refund, returnCredit: parsed.value.returnCredit });
      if (outcome.kind === 'payments-unavailable') {
        return problem(c, 503, 'payments-unavailable', 'Refunds cannot be made right now', {
          detail: 'Payments are not set up on this server, so the booking was not cancelled. Try again, or cancel with "refund": false.',
        });
      }
      if (outcome.kind !== 'cancelled') return notFound(c, 'Booking');
      return c.json({ ...(await details(c, id)), refund: outcome.refund }, 200, NO_STORE);
    });
  });

  // Weekly series: cancel this date or it and every later one, each through app_cancel_booking (same refund rule).
  app.post(`${base}/:bookingId/series/cancel`, async (c) => {
    const id = bookingId(c);
    if (!id) return notFound(c, 'Booking');
    const parsed = await readJson(c, seriesCancelSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      await db.rpc('app_cancel_series', {
        p_user_id: user(c), p_provider_id: pid(c), p_booking_id: id, p_and_later: parsed.value.andLater, p_reason: parsed.value.reason ?? '',
      });
      service.wake();
      return c.json(await details(c, id), 200, NO_STORE);
    });
  });

  // Reschedule on the client's behalf: the booking service's move (engine check unless outsideHours).
  app.post(`${base}/:bookingId/reschedule`, async (c) => {
    const id = bookingId(c);
    if (!id) return notFound(c, 'Booking');
    const parsed = await readJson(c, rescheduleSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => {
      const outcome = await rescheduleBooking(service, access(c, id), { start: new Date(parsed.value.start), outsideHours: parsed.value.outsideHours });
      switch (outcome.kind) {
        case 'moved':
          return c.json(await details(c, id), 200, NO_STORE);
        case 'service-hidden':
          return problem(c, 409, 'service-hidden', 'This service is hidden', { detail: 'Show the service again, or move the booking with "outsideHours": true.' });
        case 'taken':
        case 'unavailable':
          return slotProblem(c, outcome.kind);
        default:
          return notFound(c, 'Booking');
      }
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
