import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cancelRequestSchema, rescheduleRequestSchema } from '../../contract/api.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/port.ts';
import { visitorIcs } from '../ics/booking-ics.ts';
import { notFound, problem } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import type { StripeSetup } from '../payments/stripe.ts';
import type { Booking } from './booking.ts';
import { bookingLinks } from './links.ts';
import { hashToken } from './tokens.ts';
import { cancelBooking, findBooking, rescheduleBooking, type BookingServiceDeps } from './service.ts';
import { manageView } from './view.ts';

/**
 * What a booking's secret link can do: `GET /api/bookings/:token`, `…/cancel`, `…/reschedule`, `…/ics`. Unknown,
 * expired and malformed tokens all get the same 404, so a wrong token never reveals whether a booking exists. The
 * booking service (`service.ts`) applies the provider's policy windows and the engine's check; calendar write-back and
 * refunds are jobs the database enqueues with the change itself, and `wake` tells this instance's worker to start now.
 */
export function manageRoutes({ db, config, payments = null, now = () => new Date(), wake = () => {} }: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'calendars'> & Partial<Pick<Config, 'stripeApiBase'>>;
  payments?: StripeSetup | null;
  now?: () => Date;
  wake?: () => void;
}) {
  const app = new Hono();
  const limit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => problem(c, 413, 'body-too-large', 'The body is over 16 KB') });
  const deps: BookingServiceDeps = { db, publicUrl: config.publicUrl, payments, now, wake, calendars: config.calendars, stripeApiBase: config.stripeApiBase };
  const visitor = (c: Context) => ({ kind: 'visitor' as const, token: c.req.param('token') ?? '' });
  const show = async (c: Context, token: string, booking: Booking) => {
    // A booking paid with a package credit says where the client stands ("session 5 of 10 · 5 left").
    const credit = await db.rpc('get_booking_credit', { p_token_hash: hashToken(token) });
    const view = manageView(booking, bookingLinks(config.publicUrl, token), now());
    return c.json(credit ? { ...view, credit } : view, 200, { 'cache-control': 'no-store' });
  };
  const tryAgain = { detail: 'Please pick another time.' };

  app.get('/api/bookings/:token', async (c) => {
    const access = visitor(c);
    const booking = await findBooking(deps, access);
    return booking ? show(c, access.token, booking) : notFound(c, 'Booking');
  });

  app.get('/api/bookings/:token/ics', async (c) => {
    const access = visitor(c);
    const booking = await findBooking(deps, access);
    if (!booking) return notFound(c, 'Booking');
    return c.body(visitorIcs(booking, bookingLinks(config.publicUrl, access.token).manageUrl, now()), 200, {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': `attachment; filename="booking-${booking.id.slice(0, 8)}.ics"`,
      'cache-control': 'no-store',
    });
  });

  app.post('/api/bookings/:token/cancel', limit, async (c) => {
    const access = visitor(c);
    // A wrong token is a 404 whatever the body says.
    if (!(await findBooking(deps, access))) return notFound(c, 'Booking');
    // An empty body is a cancel without a reason.
    let reason = '';
    if ((await c.req.raw.clone().text()).trim()) {
      const parsed = await readJson(c, cancelRequestSchema);
      if (!parsed.ok) return parsed.response;
      reason = parsed.value.reason ?? '';
    }
    const outcome = await cancelBooking(deps, access, { reason });
    switch (outcome.kind) {
      case 'not-found':
        return notFound(c, 'Booking');
      case 'too-late':
        return problem(c, 409, 'too-late-to-cancel', 'It is too late to cancel online', {
          detail: `Cancellations close ${outcome.hoursBefore} hours before the start. Please contact the provider.`,
        });
      case 'payments-unavailable': // owner-only outcome
        return problem(c, 503, 'payments-unavailable', 'Refunds cannot be made right now');
      default:
        return show(c, access.token, outcome.booking);
    }
  });

  app.post('/api/bookings/:token/reschedule', limit, async (c) => {
    const access = visitor(c);
    if (!(await findBooking(deps, access))) return notFound(c, 'Booking');
    const parsed = await readJson(c, rescheduleRequestSchema);
    if (!parsed.ok) return parsed.response;
    const outcome = await rescheduleBooking(deps, access, { start: new Date(parsed.value.start) });
    switch (outcome.kind) {
      case 'moved':
        return show(c, access.token, outcome.booking);
      case 'too-late':
        return problem(c, 409, 'too-late-to-reschedule', 'This booking cannot be moved online', {
          detail: `Changes close ${outcome.hoursBefore} hours before the start. Please contact the provider.`,
        });
      case 'unavailable':
        return problem(c, 409, 'slot-unavailable', 'This time cannot be booked', tryAgain);
      case 'taken':
        return problem(c, 409, 'slot-taken', 'Someone just took this time', tryAgain);
      default: // not-found; service-hidden is owner-only
        return notFound(c, 'Booking');
    }
  });

  return app;
}
