import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../config.ts';
import type { Db } from '../db/port.ts';
import { isNotFound } from '../db/port.ts';
import { notFound, problem } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { loadProvider } from '../providers/public.ts';
import { createBooking } from './create.ts';
import { bookingRequestSchema } from './schema.ts';
import { hashToken, looksLikeToken } from './tokens.ts';

export const MAX_BODY_BYTES = 16 * 1024;

export interface BookingRoutesOptions {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'holdMinutes'>;
  now?: () => Date;
}

/**
 * `POST /api/bookings` and the manage API behind a booking's secret link.
 *
 * @example
 * app.route('/', bookingRoutes({ db, config }));
 */
export function bookingRoutes({ db, config, now = () => new Date() }: BookingRoutesOptions) {
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
    const outcome = await createBooking(db, provider, service, request, {
      holdMinutes: paid ? (provider.settings.booking?.holdMinutes ?? config.holdMinutes) : null,
      now: now(),
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

    const { booking, manageToken } = outcome;
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
        manageUrl: `${config.publicUrl}/b/${manageToken}`,
        next: { type: 'confirmed' as const },
      },
      outcome.replayed ? 200 : 201,
      { 'cache-control': 'no-store' },
    );
  });

  app.get('/api/bookings/:token', async (c) => {
    const token = c.req.param('token');
    const booking = looksLikeToken(token)
      ? await db.rpc<Record<string, unknown> | null>('get_booking_by_token', { p_token_hash: hashToken(token) })
      : null;
    if (!booking) return notFound(c, 'Booking');
    return c.json(manageView(booking), 200, { 'cache-control': 'no-store' });
  });

  app.post('/api/bookings/:token/cancel', tooLarge, async (c) => {
    const token = c.req.param('token');
    if (!looksLikeToken(token)) return notFound(c, 'Booking');
    let reason = '';
    const raw = await c.req.text();
    if (raw.trim()) {
      try {
        const body = JSON.parse(raw) as { reason?: unknown };
        if (body.reason !== undefined && typeof body.reason !== 'string') {
          return problem(c, 400, 'invalid-request', 'The request has invalid fields', {
            errors: [{ field: 'reason', message: 'must be a string' }],
          });
        }
        reason = String(body.reason ?? '').slice(0, 500);
      } catch {
        return problem(c, 400, 'invalid-request', 'The request has invalid fields', {
          errors: [{ field: 'body', message: 'is not valid JSON' }],
        });
      }
    }
    try {
      const booking = await db.rpc<Record<string, unknown>>('cancel_booking', {
        p_token_hash: hashToken(token),
        p_reason: reason,
      });
      return c.json({ booking: { id: booking.id, status: booking.status } }, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      if (isNotFound(error)) return notFound(c, 'Booking');
      throw error;
    }
  });

  return app;
}

/** A booking as its visitor sees it on the manage page. */
function manageView(b: Record<string, unknown>) {
  return {
    booking: {
      id: b.id,
      status: b.status,
      start: new Date(String(b.start)).toISOString(),
      end: new Date(String(b.end)).toISOString(),
      provider: b.provider,
      providerName: b.providerName,
      providerTimezone: b.providerTimezone,
      service: b.service,
      serviceTitle: b.serviceTitle,
      name: b.name,
      timezone: b.timezone,
      holdExpiresAt: b.holdExpiresAt ? new Date(String(b.holdExpiresAt)).toISOString() : null,
      meetingUrl: b.meetingUrl ?? null,
      cancelReason: b.cancelReason ?? null,
    },
  };
}
