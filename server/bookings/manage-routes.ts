import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { isNotFound, isSlotTaken, type Db } from '../db/port.ts';
import { bookingIcs } from '../ics/booking-ics.ts';
import { notFound, problem } from '../http/problem.ts';
import { CONTROL_CHARS, parseInstant, readJson } from '../http/validate.ts';
import { loadProvider } from '../providers/public.ts';
import { loadBusyForMove, slotQuery } from '../slots/offered.ts';
import { checkStart } from '../availability/index.ts';
import { hashToken, looksLikeToken } from './tokens.ts';
import { locationLine, manageView, policyState, type ManageRecord } from './view.ts';

const cancelSchema = z.object({
  reason: z.string().trim().max(500, 'must be at most 500 characters')
    .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters').optional(),
});
const rescheduleSchema = z.object({
  start: z.string().max(40).refine((s) => parseInstant(s) !== null, 'must be an ISO 8601 instant with an offset'),
});

/**
 * What a booking's secret link can do: `GET /api/bookings/:token`, `…/cancel`, `…/reschedule`,
 * `…/ics`. Unknown, expired and malformed tokens all get the same 404, so a wrong token never
 * reveals whether a booking exists. Policy windows come from the provider's settings. Calendar write-back and
 * refunds are jobs the database enqueues with the change itself; `wake` tells this instance's worker to start now.
 */
export function manageRoutes({ db, config, now = () => new Date(), wake = () => {} }: {
  db: Db;
  config: Pick<Config, 'publicUrl'>;
  now?: () => Date;
  wake?: () => void;
}) {
  const app = new Hono();
  const limit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => problem(c, 413, 'body-too-large', 'The body is over 16 KB') });

  async function find(token: string): Promise<ManageRecord | null> {
    if (!looksLikeToken(token)) return null;
    return (await db.rpc('get_booking_by_token', { p_token_hash: hashToken(token) })) ?? null;
  }
  const urls = (token: string) => ({
    manageUrl: `${config.publicUrl}/b/${token}`,
    icsUrl: `${config.publicUrl}/api/bookings/${token}/ics`,
  });
  const view = async (c: Context, token: string, status: 200 = 200) => {
    const record = await find(token);
    if (!record) return notFound(c, 'Booking');
    return c.json(manageView(record, urls(token), now()), status, { 'cache-control': 'no-store' });
  };

  app.get('/api/bookings/:token', (c) => view(c, c.req.param('token')));

  app.get('/api/bookings/:token/ics', async (c) => {
    const token = c.req.param('token');
    const r = await find(token);
    if (!r) return notFound(c, 'Booking');
    const body = bookingIcs([{
      id: r.id,
      start: new Date(r.start),
      end: new Date(r.end),
      title: `${r.serviceTitle} — ${r.providerName}`,
      description: `${r.serviceTitle} with ${r.providerName}. Manage or cancel: ${urls(token).manageUrl}`,
      location: locationLine(r),
      url: urls(token).manageUrl,
      organizer: { name: r.providerName },
      attendee: { name: r.name, email: r.email },
      cancelled: !(r.status === 'confirmed' || r.status === 'pending'),
    }], 'Slotline booking');
    return c.body(body, 200, {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': `attachment; filename="booking-${r.id.slice(0, 8)}.ics"`,
      'cache-control': 'no-store',
    });
  });

  app.post('/api/bookings/:token/cancel', limit, async (c) => {
    const token = c.req.param('token');
    const record = await find(token);
    if (!record) return notFound(c, 'Booking');
    const raw = (await c.req.raw.clone().text()).trim();
    let reason = '';
    if (raw) {
      const parsed = await readJson(c, cancelSchema);
      if (!parsed.ok) return parsed.response;
      reason = parsed.value.reason ?? '';
    }
    const policy = policyState(record, now());
    if (!policy.canCancel) {
      if (record.status !== 'confirmed' && record.status !== 'pending') return view(c, token);
      return problem(c, 409, 'too-late-to-cancel', 'It is too late to cancel online', {
        detail: `Cancellations close ${record.providerPolicy.cancelUntilHoursBefore ?? 0} hours before the start. Please contact the provider.`,
      });
    }
    try {
      // Cancels, and for a paid booking still inside the refund deadline frozen at payment, marks the refund pending
      // and enqueues its job, all in one transaction (the database judges the deadline).
      await db.rpc('cancel_booking', { p_token_hash: hashToken(token), p_reason: reason });
    } catch (error) {
      if (isNotFound(error)) return view(c, token);
      throw error;
    }
    wake();
    return view(c, token);
  });

  app.post('/api/bookings/:token/reschedule', limit, async (c) => {
    const token = c.req.param('token');
    const record = await find(token);
    if (!record) return notFound(c, 'Booking');
    const parsed = await readJson(c, rescheduleSchema);
    if (!parsed.ok) return parsed.response;
    if (!policyState(record, now()).canReschedule) {
      return problem(c, 409, 'too-late-to-reschedule', 'This booking cannot be moved online', {
        detail: `Changes close ${record.providerPolicy.rescheduleUntilHoursBefore ?? 0} hours before the start. Please contact the provider.`,
      });
    }
    const provider = await loadProvider(db, record.provider);
    const service = provider?.services.find((s) => s.slug === record.service);
    if (!provider || !service) return notFound(c, 'Booking');

    const start = new Date(parsed.value.start);
    // The database leaves the booking's own time out of the busy list, and the booking keeps its stored buffers
    // when it moves (reschedule_booking rebuilds its range from them).
    const move = await loadBusyForMove(db, hashToken(token), start, start);
    if (!move) return notFound(c, 'Booking');
    const query = { ...slotQuery(provider, service, move, now()), bufferBeforeMinutes: move.bufferBeforeMinutes, bufferAfterMinutes: move.bufferAfterMinutes };
    const verdict = checkStart(query, start);
    if (verdict === 'unavailable') {
      return problem(c, 409, 'slot-unavailable', 'This time cannot be booked', { detail: 'Please pick another time.' });
    }
    if (verdict === 'taken') {
      return problem(c, 409, 'slot-taken', 'Someone just took this time', { detail: 'Please pick another time.' });
    }
    try {
      await db.rpc('reschedule_booking', { p_token_hash: hashToken(token), p_starts_at: start });
      wake(); // the calendar write-back job the move enqueued
    } catch (error) {
      if (isSlotTaken(error)) return problem(c, 409, 'slot-taken', 'Someone just took this time', { detail: 'Please pick another time.' });
      if (isNotFound(error)) return notFound(c, 'Booking');
      throw error;
    }
    return view(c, token);
  });

  return app;
}
