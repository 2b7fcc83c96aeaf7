import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  seriesCancelRequestSchema, seriesPreviewRequestSchema, seriesRequestSchema, seriesRescheduleRequestSchema,
  type Next, type SeriesView,
} from '../../contract/api.ts';
import { bookingLinks } from '../bookings/links.ts';
import { policyState } from '../bookings/policy.ts';
import type { BookingServiceDeps } from '../bookings/service.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/port.ts';
import { invalid, notFound, problem } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { seriesIcs } from '../ics/booking-ics.ts';
import type { StripeSetup } from '../payments/stripe.ts';
import { loadProvider } from '../providers/public.ts';
import type { SeriesRow } from './series.ts';
import {
  bookSeries, cancelSeries, findSeries, occurrenceToken, previewSeries, rescheduleOccurrence, seriesAllowed, seriesBookings, seriesLinks,
} from './service.ts';

/**
 * The public API of weekly series: `POST /api/series/preview`, `POST /api/series`, and what the series' secret link
 * can do — `GET /api/series/:token`, `…/cancel` (one date or it and every later one), `…/reschedule` (one date),
 * `…/ics`. Unknown, expired and malformed tokens all get the same 404.
 */
export function seriesRoutes({ db, config, payments = null, now = () => new Date(), wake = () => {} }: {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'holdMinutes' | 'calendars'>;
  payments?: StripeSetup | null;
  now?: () => Date;
  wake?: () => void;
}) {
  const app = new Hono();
  const limit = bodyLimit({ maxSize: 32 * 1024, onError: (c) => problem(c, 413, 'body-too-large', 'The body is over 32 KB') });
  const deps: BookingServiceDeps = { db, publicUrl: config.publicUrl, payments, now, wake, calendars: config.calendars };
  const token = (c: Context) => c.req.param('token') ?? '';

  const view = (series: SeriesRow, manageToken: string | null, next: Next = { type: 'confirmed' }): SeriesView => {
    const links = manageToken ? seriesLinks(config.publicUrl, manageToken) : null;
    return {
      series: {
        id: series.id, provider: series.provider, providerName: series.providerName, providerTimezone: series.providerTimezone,
        service: series.service, serviceTitle: series.serviceTitle, durationMinutes: series.durationMinutes,
        intervalWeeks: series.intervalWeeks, occurrences: series.occurrences, totalCents: series.totalCents,
        payment: series.payment ? {
          status: series.payment.status, amountCents: series.payment.amountCents, currency: series.payment.currency,
          checkoutUrl: series.bookings.some((b) => b.status === 'pending') ? series.payment.checkoutUrl : null,
        } : null,
      },
      bookings: seriesBookings(series).map((b) => {
        const policy = policyState({ ...b, provider: { ...b.provider, policy: series.providerPolicy } }, now());
        return {
          index: b.index, id: b.id, status: b.status, start: b.start, end: b.end, canCancel: policy.canCancel, canReschedule: policy.canReschedule,
          manageUrl: manageToken ? bookingLinks(config.publicUrl, occurrenceToken(manageToken, b.index)).manageUrl : null,
        };
      }),
      manageUrl: links?.manageUrl ?? null,
      icsUrl: links?.icsUrl ?? null,
      next,
    };
  };
  const show = (c: Context, series: SeriesRow) => c.json(view(series, token(c)), 200, { 'cache-control': 'no-store' });

  async function target(c: Context, request: { provider: string; service: string }) {
    const provider = await loadProvider(db, request.provider);
    if (!provider) return notFound(c, 'Provider');
    const service = provider.services.find((s) => s.slug === request.service);
    if (!service) return notFound(c, 'Service');
    return { provider, service };
  }

  app.post('/api/series/preview', limit, async (c) => {
    const parsed = await readJson(c, seriesPreviewRequestSchema);
    if (!parsed.ok) return parsed.response;
    const found = await target(c, parsed.value);
    if (found instanceof Response) return found;
    const request = { ...parsed.value, start: new Date(parsed.value.start) };
    const allowed = await seriesAllowed(db, found.provider, found.service, request);
    if (!allowed.ok) return invalid(c, [{ field: allowed.field, message: allowed.message }]);
    const items = await previewSeries(deps, found.provider, found.service, request);
    return c.json({ items }, 200, { 'cache-control': 'no-store' });
  });

  app.post('/api/series', limit, async (c) => {
    const parsed = await readJson(c, seriesRequestSchema);
    if (!parsed.ok) return parsed.response;
    const found = await target(c, parsed.value);
    if (found instanceof Response) return found;
    const outcome = await bookSeries(deps, { ...found, holdMinutes: config.holdMinutes }, { ...parsed.value, start: new Date(parsed.value.start) });
    switch (outcome.kind) {
      case 'invalid':
        return invalid(c, [{ field: outcome.field, message: outcome.message }]);
      case 'taken':
      case 'unavailable':
        return problem(c, 409, outcome.kind === 'taken' ? 'slot-taken' : 'slot-unavailable',
          outcome.kind === 'taken' ? 'Someone just took a date of this series' : 'A date of this series cannot be booked', {
            detail: `Nothing was booked. Dates that need another time or a skip: ${outcome.indexes.join(', ')}.`,
            errors: outcome.indexes.map((i) => ({ field: `occurrences.${i}`, message: outcome.kind === 'taken' ? 'is taken' : 'is not offered' })),
          });
      case 'key-reused':
        return problem(c, 422, 'idempotency-key-reused', 'This idempotency key was used for another request', {
          errors: [{ field: 'idempotencyKey', message: 'was already used for a different request' }],
        });
      case 'too-many-holds':
        return problem(c, 429, 'too-many-holds', 'Too many unpaid bookings', {
          detail: `You already have ${outcome.limit} unpaid bookings waiting for payment with this provider.`,
        });
      case 'payments-unavailable':
        return problem(c, 503, 'payments-unavailable', outcome.stage === 'before' ? 'This provider cannot take payments right now' : 'Payment could not be started', {
          detail: 'Your series was not booked; please try again later.',
        });
    }
    return c.json(view(outcome.series, outcome.manageToken, outcome.next), outcome.replayed ? 200 : 201, { 'cache-control': 'no-store' });
  });

  app.get('/api/series/:token', async (c) => {
    const series = await findSeries(db, token(c));
    return series ? show(c, series) : notFound(c, 'Series');
  });

  app.get('/api/series/:token/ics', async (c) => {
    const series = await findSeries(db, token(c));
    if (!series) return notFound(c, 'Series');
    const bookings = seriesBookings(series).map((b) => ({
      ...b,
      provider: { ...b.provider, name: series.providerName },
      service: { ...b.service, title: series.serviceTitle },
    }));
    return c.body(seriesIcs(bookings, seriesLinks(config.publicUrl, token(c)).manageUrl, now()), 200, {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': `attachment; filename="series-${series.id.slice(0, 8)}.ics"`,
      'cache-control': 'no-store',
    });
  });

  app.post('/api/series/:token/cancel', limit, async (c) => {
    if (!(await findSeries(db, token(c)))) return notFound(c, 'Series');
    const parsed = await readJson(c, seriesCancelRequestSchema);
    if (!parsed.ok) return parsed.response;
    const outcome = await cancelSeries(deps, token(c), parsed.value);
    if (outcome.kind === 'too-late') {
      return problem(c, 409, 'too-late-to-cancel', 'It is too late to cancel online', {
        detail: `Cancellations close ${outcome.hoursBefore} hours before the start. Please contact the provider.`,
      });
    }
    if (outcome.kind === 'not-found') return notFound(c, 'Booking');
    return show(c, outcome.series);
  });

  app.post('/api/series/:token/reschedule', limit, async (c) => {
    if (!(await findSeries(db, token(c)))) return notFound(c, 'Series');
    const parsed = await readJson(c, seriesRescheduleRequestSchema);
    if (!parsed.ok) return parsed.response;
    const outcome = await rescheduleOccurrence(deps, token(c), { index: parsed.value.index, start: new Date(parsed.value.start) });
    switch (outcome.kind) {
      case 'moved': {
        const series = await findSeries(db, token(c));
        return series ? show(c, series) : notFound(c, 'Series');
      }
      case 'too-late':
        return problem(c, 409, 'too-late-to-reschedule', 'This date cannot be moved online', {
          detail: `Changes close ${outcome.hoursBefore} hours before the start. Please contact the provider.`,
        });
      case 'unavailable':
        return problem(c, 409, 'slot-unavailable', 'This time cannot be booked', { detail: 'Please pick another time.' });
      case 'taken':
        return problem(c, 409, 'slot-taken', 'Someone just took this time', { detail: 'Please pick another time.' });
      default:
        return notFound(c, 'Booking');
    }
  });

  return app;
}
