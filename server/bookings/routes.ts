import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { BookingResponse } from '../../contract/api.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/port.ts';
import { notFound, problem } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import type { StripeSetup } from '../payments/stripe.ts';
import { loadProvider, type Provider, type ProviderService } from '../providers/public.ts';
import { bookingProvider, forgetBookingProvider } from './provider-cache.ts';
import { bookingRequestSchema } from './schema.ts';
import { createBooking, type CreateOutcome } from './service.ts';

export const MAX_BODY_BYTES = 16 * 1024;

export interface BookingRoutesOptions {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'holdMinutes' | 'calendars'> & Partial<Pick<Config, 'stripeApiBase'>>;
  payments?: StripeSetup | null;
  now?: () => Date;
  /** Tells this instance's job worker that the booking enqueued work (calendar write-back). */
  wake?: () => void;
}

/**
 * `POST /api/bookings`: parses the request (the contract's schema), books through the booking service
 * (`service.ts`), and answers with the contract's `BookingResponse` or a problem naming what went wrong.
 *
 * @example
 * app.route('/', bookingRoutes({ db, config }));
 */
export function bookingRoutes({ db, config, payments = null, now = () => new Date(), wake = () => {} }: BookingRoutesOptions) {
  const app = new Hono();
  const tooLarge = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => problem(c, 413, 'body-too-large', `The body is over ${MAX_BODY_BYTES / 1024} KB`),
  });

  app.post('/api/bookings', tooLarge, async (c) => {
    const parsed = await readJson(c, bookingRequestSchema);
    if (!parsed.ok) return parsed.response;
    const request = parsed.value;

    // The provider as this process keeps it (read once; the booking refuses it if it changed since: then read it
    // again and judge the start once more). A wallet booking reads it fresh, as it reads busy time (book_with_credit).
    const load = (fresh: boolean) => {
      if (request.walletToken) return loadProvider(db, request.provider);
      if (fresh) forgetBookingProvider(db, request.provider);
      return bookingProvider(db, request.provider);
    };
    let provider: Provider | null = null;
    let service: ProviderService | undefined;
    let outcome: CreateOutcome = { kind: 'provider-changed' };
    for (let attempt = 0; attempt < 3 && outcome.kind === 'provider-changed'; attempt++) {
      provider = await load(attempt > 0);
      if (!provider) return notFound(c, 'Provider');
      service = provider.services.find((s) => s.slug === request.service);
      // A service added since the provider was kept is not in the kept copy: read it fresh before saying 404.
      if (!service && attempt === 0 && !request.walletToken) continue;
      if (!service) return notFound(c, 'Service');
      outcome = await createBooking(
        { db, publicUrl: config.publicUrl, payments, now, wake, calendars: config.calendars, stripeApiBase: config.stripeApiBase },
        { kind: 'visitor' },
        { provider, service, holdMinutes: config.holdMinutes },
        { ...request, start: new Date(request.start) },
      );
    }
    if (!provider || !service) return notFound(c, 'Provider');
    switch (outcome.kind) {
      case 'provider-changed':
        // Changed under three attempts in a row: the provider is being edited right now.
        return problem(c, 503, 'provider-changing', 'This provider is changing their settings', {
          detail: 'Please try again in a moment.',
        }, { 'retry-after': '1' });
      case 'payments-unavailable':
        return outcome.stage === 'before'
          ? problem(c, 503, 'payments-unavailable', 'This provider cannot take payments right now', {
            detail: 'Online payment is not set up. Please contact the provider.',
          })
          : problem(c, 503, 'payments-unavailable', 'Payment could not be started', {
            detail: 'The payment service did not answer. Your time was not booked; please try again.',
          }, { 'retry-after': '10' });
      case 'unavailable':
        return problem(c, 409, 'slot-unavailable', 'This time cannot be booked', {
          detail: 'The provider does not offer this time. Please pick another time.',
        });
      case 'taken':
        return problem(c, 409, 'slot-taken', 'Someone just took this time', {
          detail: 'This time was booked a moment ago. Please pick another time.',
        });
      case 'key-reused':
        return problem(c, 422, 'idempotency-key-reused', 'This idempotency key was used for another request', {
          detail: 'A booking was already made with this idempotencyKey from a different request. Send a new key for a new booking, or the same request to get the same booking.',
          errors: [{ field: 'idempotencyKey', message: 'was already used for a different request' }],
        });
      case 'wallet-not-found':
        return problem(c, 404, 'not-found', 'Wallet not found', {
          errors: [{ field: 'walletToken', message: 'is not a wallet link' }],
        });
      case 'no-credit':
        return problem(c, 409, 'no-credit', 'No credit left for this service', {
          detail: 'Your package has no session left for this service. Buy a new package, or book and pay as usual.',
        });
      case 'credit-expired':
        return problem(c, 409, 'credit-expired', 'Your package has expired', {
          detail: 'The sessions left in your package are past their expiry date. Please contact the provider.',
        });
      case 'too-many-holds':
        return problem(c, 429, 'too-many-holds', 'Too many unpaid bookings', {
          detail: `You already have ${outcome.limit} unpaid ${outcome.limit === 1 ? 'booking' : 'bookings'} waiting for payment with this provider. Pay for one, or wait until one expires, then try again.`,
        });
    }
    const { booking, links } = outcome;
    // `links` is null only when replaying a booking made before manage links were derived from the key: its link
    // cannot be given again, and the answer says so with nulls rather than a wrong link.
    const body: Omit<BookingResponse, 'manageUrl' | 'icsUrl'> & { manageUrl: string | null; icsUrl: string | null } = {
      booking: {
        id: booking.id,
        status: booking.status,
        start: booking.start,
        end: booking.end,
        provider: provider.slug,
        service: service.slug,
        holdExpiresAt: booking.holdExpiresAt,
      },
      manageUrl: links?.manageUrl ?? null,
      icsUrl: links?.icsUrl ?? null,
      next: outcome.next,
      whatsappUrl: outcome.whatsappUrl,
    };
    return c.json(body, outcome.replayed ? 200 : 201, { 'cache-control': 'no-store' });
  });

  return app;
}
