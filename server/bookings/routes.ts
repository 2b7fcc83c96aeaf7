import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../config.ts';
import type { Db } from '../db/port.ts';
import { notFound, problem } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { loadProvider } from '../providers/public.ts';
import { createBooking } from './create.ts';
import { bookingRequestSchema } from './schema.ts';
import { createCheckout } from '../payments/checkout.ts';
import type { StripeSetup } from '../payments/stripe.ts';
import { hashToken } from './tokens.ts';
import { confirmationWhatsapp } from './view.ts';

export const MAX_BODY_BYTES = 16 * 1024;

export interface BookingRoutesOptions {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'holdMinutes' | 'calendars'>;
  payments?: StripeSetup | null;
  now?: () => Date;
}

/**
 * `POST /api/bookings` and the manage API behind a booking's secret link.
 *
 * @example
 * app.route('/', bookingRoutes({ db, config }));
 */
export function bookingRoutes({ db, config, payments = null, now = () => new Date() }: BookingRoutesOptions) {
  const app = new Hono();
  const tooLarge = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => problem(c, 413, 'body-too-large', `The body is over ${MAX_BODY_BYTES / 1024} KB`),
  });

  app.post('/api/bookings', tooLarge, async (c) => {
    const parsed = await readJson(c, bookingRequestSchema);
    if (!parsed.ok) return parsed.response;
    const request = parsed.value;

    const provider = await loadProvider(db, request.provider);
    if (!provider) return notFound(c, 'Provider');
    const service = provider.services.find((s) => s.slug === request.service);
    if (!service) return notFound(c, 'Service');

    const paid = service.priceCents > 0;
    if (paid && !payments) {
      return problem(c, 503, 'payments-unavailable', 'This provider cannot take payments right now', {
        detail: 'Online payment is not set up. Please contact the provider.',
      });
    }
    const outcome = await createBooking(db, provider, service, request, {
      holdMinutes: paid ? (provider.settings.booking?.holdMinutes ?? config.holdMinutes) : null,
      now: now(),
      calendars: config.calendars,
    });
    if (outcome.kind === 'unavailable') {
      return problem(c, 409, 'slot-unavailable', 'This time cannot be booked', {
        detail: 'The provider does not offer this time. Please pick another time.',
      });
    }
    if (outcome.kind === 'taken') {
      return problem(c, 409, 'slot-taken', 'Someone just took this time', {
        detail: 'This time was booked a moment ago. Please pick another time.',
      });
    }
    if (outcome.kind === 'key-reused') {
      return problem(c, 422, 'idempotency-key-reused', 'This idempotency key was used for another request', {
        detail: 'A booking was already made with this idempotencyKey from a different request. Send a new key for a new booking, or the same request to get the same booking.',
        errors: [{ field: 'idempotencyKey', message: 'was already used for a different request' }],
      });
    }
    if (outcome.kind === 'too-many-holds') {
      return problem(c, 429, 'too-many-holds', 'Too many unpaid bookings', {
        detail: `You already have ${outcome.limit} unpaid ${outcome.limit === 1 ? 'booking' : 'bookings'} waiting for payment with this provider. Pay for one, or wait until one expires, then try again.`,
      });
    }

    const { booking, manageToken } = outcome;
    // Null only for a replay of a booking made before manage links were derived from the key (see create.ts).
    const manageUrl = manageToken ? `${config.publicUrl}/b/${manageToken}` : null;
    let next: { type: 'confirmed' } | { type: 'payment'; url: string } = { type: 'confirmed' };
    // A replayed hold keeps the checkout made the first time (its return link is the same manage link).
    const existingCheckout = outcome.replayed && paid && booking.status === 'pending' && manageToken
      ? await db.rpc('get_booking_by_token', { p_token_hash: hashToken(manageToken) })
      : null;
    if (existingCheckout?.payment?.checkoutUrl) {
      next = { type: 'payment', url: existingCheckout.payment.checkoutUrl };
    } else if (paid && payments && booking.status === 'pending' && manageToken && manageUrl) {
      try {
        const session = await createCheckout(db, payments.stripe, {
          bookingId: booking.id,
          serviceTitle: service.title,
          providerName: provider.name,
          amountCents: service.priceCents,
          currency: service.currency,
          customerEmail: request.email,
          manageUrl,
          holdExpiresAt: new Date(String(booking.holdExpiresAt)),
        });
        next = { type: 'payment', url: session.url };
      } catch (error) {
        // No checkout, no hold: give the time back at once, and free the idempotency key so that the retry the
        // answer asks for makes a new attempt (instead of replaying a cancelled booking).
        await db.rpc('abandon_hold', { p_token_hash: hashToken(manageToken), p_reason: 'checkout could not be created' });
        console.error(`[slotline] Stripe checkout failed for booking ${booking.id}: ${(error as Error).message}`);
        return problem(c, 503, 'payments-unavailable', 'Payment could not be started', {
          detail: 'The payment service did not answer. Your time was not booked; please try again.',
        }, { 'retry-after': '10' });
      }
    }
    const whatsapp = booking.status === 'confirmed' && manageUrl ? confirmationWhatsapp(provider, service, booking, manageUrl, request) : null;
    return c.json(
      {
        booking: {
          id: booking.id,
          status: booking.status,
          start: new Date(booking.start).toISOString(),
          end: new Date(booking.end).toISOString(),
          provider: provider.slug,
          service: service.slug,
          holdExpiresAt: booking.holdExpiresAt ? new Date(booking.holdExpiresAt).toISOString() : null,
        },
        manageUrl,
        icsUrl: manageToken ? `${config.publicUrl}/api/bookings/${manageToken}/ics` : null,
        next,
        whatsappUrl: whatsapp,
      },
      outcome.replayed ? 200 : 201,
      { 'cache-control': 'no-store' },
    );
  });

  return app;
}
