import { createHmac } from 'node:crypto';
import type { Next } from '../../contract/api.ts';
import { checkStart, computeSlots } from '../availability/index.ts';
import { LocalClock, localDayNumber, zoneOf } from '../availability/zone.ts';
import { toBooking, type Booking } from '../bookings/booking.ts';
import { manageTokenFor } from '../bookings/links.ts';
import { cancelBooking, rescheduleBooking, visitorArgs, type BookingServiceDeps, type RescheduleOutcome } from '../bookings/service.ts';
import { policyState } from '../bookings/policy.ts';
import { hashToken, looksLikeToken } from '../bookings/tokens.ts';
import { DbError, isNotFound, isSlotTaken, type Db } from '../db/port.ts';
import { saveLinkCopy } from '../notify/link-copy.ts';
import { createCheckout } from '../payments/checkout.ts';
import type { Provider, ProviderService } from '../providers/public.ts';
import { calendarHealth } from '../slots/calendar-busy.ts';
import { loadBusy, slotQuery } from '../slots/offered.ts';
import type { Lang } from '../whatsapp/template.ts';
import { weeklyOccurrences } from './occurrences.ts';
import type { SeriesOptions, SeriesRow } from './series.ts';

/**
 * Weekly series (README "Weekly series"): preview every planned date with the availability engine, book the dates the
 * visitor keeps in ONE SQL call (`create_series_if_free`: all or nothing under the exclusion constraint), one Stripe
 * Checkout for the total, and the series' manage link. Each occurrence is an ordinary booking whose manage token is
 * derived from the series token (`occurrenceToken`), so cancelling or moving one occurrence is the single-booking code
 * path (`cancelBooking` / `rescheduleBooking`) with its policy windows, engine check and atomic SQL.
 */

/** What the visitor may see of one planned date. `alternative`: the nearest free start that same local day, if any. */
export interface PreviewItem {
  index: number;
  date: string;
  start: string;
  status: 'free' | 'taken' | 'outside-hours';
  alternative: string | null;
}

export interface SeriesRequest {
  /** The first start the visitor picked (occurrence 1; it fixes the weekday and the wall time). */
  start: Date;
  intervalWeeks: number;
  occurrences: number;
}

export type SeriesCheck = { ok: true; options: { maxOccurrences: number; maxIntervalWeeks: number } } | { ok: false; field: string; message: string };

/** The service's series options, and whether the request fits them (the SQL checks again). */
export async function seriesAllowed(db: Db, provider: Provider, service: ProviderService, req: SeriesRequest): Promise<SeriesCheck> {
  const options: SeriesOptions = await db.rpc('get_series_options', { p_provider_id: provider.id });
  const o = options[service.slug];
  if (!o) return { ok: false, field: 'service', message: 'does not offer weekly series' };
  if (req.occurrences > o.maxOccurrences) return { ok: false, field: 'occurrences', message: `must be at most ${o.maxOccurrences}` };
  if (req.intervalWeeks > o.maxIntervalWeeks) return { ok: false, field: 'intervalWeeks', message: `must be at most ${o.maxIntervalWeeks}` };
  return { ok: true, options: o };
}

/** The zone the engine reads working hours in (slotQuery's rule; SQL `provider_hours_zone`). */
const hoursZone = (provider: Provider) => provider.settings.workingHours?.timezone || provider.timezone;

/** Every planned date of the series, judged by the engine against the busy time of the whole span (one query). */
export async function previewSeries(
  deps: Pick<BookingServiceDeps, 'db' | 'now'>,
  provider: Provider,
  service: ProviderService,
  req: SeriesRequest,
): Promise<PreviewItem[]> {
  const zone = hoursZone(provider);
  const planned = weeklyOccurrences(req.start, zone, req.intervalWeeks, req.occurrences);
  const busy = await loadBusy(deps.db, provider.id, planned[0].start, planned[planned.length - 1].start);
  const query = slotQuery(provider, service, busy, deps.now());
  const clock = new LocalClock(zoneOf(query.timezone));
  return planned.map((o) => {
    const verdict = checkStart(query, o.start);
    if (verdict === 'available') return { index: o.index, date: o.date, start: o.start.toISOString(), status: 'free', alternative: null };
    const day = localDayNumber(zoneOf(query.timezone), o.start.getTime());
    const slots = computeSlots({ ...query, from: new Date(clock.startOfDay(day)), to: new Date(clock.startOfDay(day + 1)) });
    const nearest = slots
      .map((s) => Date.parse(s.start))
      .sort((a, b) => Math.abs(a - o.start.getTime()) - Math.abs(b - o.start.getTime()) || a - b)[0];
    return {
      index: o.index,
      date: o.date,
      start: o.start.toISOString(),
      status: verdict === 'taken' ? 'taken' : 'outside-hours',
      alternative: nearest === undefined ? null : new Date(nearest).toISOString(),
    };
  });
}

/** The manage token of occurrence `index`, derived from the series token (never stored; only its hash is). */
export function occurrenceToken(seriesToken: string, index: number): string {
  return createHmac('sha256', seriesToken).update(`slotline series occurrence\n${index}`, 'utf8').digest('base64url');
}

/** The visitor's link to the whole series. */
export function seriesLinks(publicUrl: string, token: string): { manageUrl: string; icsUrl: string } {
  return { manageUrl: `${publicUrl}/s/${token}`, icsUrl: `${publicUrl}/api/series/${token}/ics` };
}

export interface SeriesBookingInput extends SeriesRequest {
  /** Per date: a replacement start the same local day, or null to skip it; dates not listed keep their planned start. */
  choices: { index: number; start: string | null }[];
  name: string;
  email?: string | null;
  phone?: string | null;
  notes?: string | null;
  timezone?: string | null;
  lang?: Lang;
  idempotencyKey?: string;
}

export type SeriesOutcome =
  | { kind: 'created'; series: SeriesRow; manageToken: string | null; next: Next; replayed: boolean }
  /** The engine or the database refused these dates (nothing was written). */
  | { kind: 'taken' | 'unavailable'; indexes: number[] }
  | { kind: 'invalid'; field: string; message: string }
  | { kind: 'key-reused' }
  | { kind: 'too-many-holds'; limit: number }
  | { kind: 'payments-unavailable'; stage: 'before' | 'checkout' };

/**
 * Books a series for a visitor: the engine checks every kept date now (a stale calendar refreshed first), then
 * `create_series_if_free` inserts them all or none. A paid service: every occurrence is held, and one Checkout for the
 * total is made; when it cannot be made every hold is released at once.
 */
export async function bookSeries(
  deps: BookingServiceDeps,
  target: { provider: Provider; service: ProviderService; holdMinutes?: number },
  input: SeriesBookingInput,
): Promise<SeriesOutcome> {
  const { db, now } = deps;
  const { provider, service } = target;
  const allowed = await seriesAllowed(db, provider, service, input);
  if (!allowed.ok) return { kind: 'invalid', field: allowed.field, message: allowed.message };
  const paid = service.priceCents > 0;
  if (paid && !deps.payments) return { kind: 'payments-unavailable', stage: 'before' };

  const zone = hoursZone(provider);
  const planned = weeklyOccurrences(input.start, zone, input.intervalWeeks, input.occurrences);
  const choice = new Map(input.choices.map((c) => [c.index, c.start]));
  for (const index of choice.keys()) {
    if (index < 1 || index > planned.length) return { kind: 'invalid', field: 'choices', message: `index ${index} is not a date of this series` };
  }
  const kept = planned.flatMap((o) => {
    if (!choice.has(o.index)) return [{ index: o.index, start: o.start, moved: false }];
    const replacement = choice.get(o.index);
    if (replacement === null || replacement === undefined) return [];
    return [{ index: o.index, start: new Date(replacement), moved: Date.parse(replacement) !== o.start.getTime(), date: o.date }];
  });
  if (kept.length === 0) return { kind: 'invalid', field: 'choices', message: 'skip every date: nothing to book' };
  const tz = zoneOf(zone);
  for (const k of kept) {
    const day = localDayNumber(tz, k.start.getTime());
    if ('date' in k && day !== localDayNumber(tz, planned[k.index - 1].start.getTime())) {
      return { kind: 'invalid', field: `choices.${k.index}`, message: 'must be a time on the same day' };
    }
  }

  const from = kept[0].start;
  const to = kept[kept.length - 1].start;
  const health = await calendarHealth(db, provider.id, { from, to }, { forBooking: true, calendars: deps.calendars, at: now() });
  if (health.hide) return { kind: 'unavailable', indexes: kept.map((k) => k.index) };
  const busy = await loadBusy(db, provider.id, from, to);
  const query = slotQuery(provider, service, busy, now());
  const taken: number[] = [];
  const unavailable: number[] = [];
  for (const k of kept) {
    const verdict = checkStart(query, k.start);
    if (verdict === 'taken') taken.push(k.index);
    if (verdict === 'unavailable') unavailable.push(k.index);
  }
  if (unavailable.length) return { kind: 'unavailable', indexes: unavailable };
  // Taken, yet with a key: maybe the retry of a series that went through; the database answers with it.
  if (taken.length && !input.idempotencyKey) return { kind: 'taken', indexes: taken };

  const token = await manageTokenFor(db, provider.id, input.idempotencyKey ? `series\n${input.idempotencyKey}` : undefined);
  // Before the bookings exist, so their outbox rows (same transaction) find each occurrence's link.
  for (const k of kept) await saveLinkCopy(db, occurrenceToken(token, k.index), input.lang);
  let result: { series: SeriesRow; replayed: boolean; manageTokenMatches: boolean };
  try {
    result = await db.rpc('create_series_if_free', {
      p_provider_id: provider.id,
      p_service_id: service.id,
      p_interval_weeks: input.intervalWeeks,
      p_occurrences: input.occurrences,
      p_first_start: input.start,
      p_items: kept.map((k) => ({ index: k.index, start: k.start.toISOString(), tokenHash: hashToken(occurrenceToken(token, k.index)), moved: k.moved })),
      ...visitorArgs(input, token),
      p_hold_minutes: paid ? (provider.settings.booking?.holdMinutes ?? target.holdMinutes ?? null) : null,
    });
  } catch (error) {
    if (isSlotTaken(error)) return { kind: 'taken', indexes: parseIndexes((error as DbError).detail) };
    if (error instanceof DbError && error.code === 'SL422') {
      if (error.message.includes('idempotency_key_reused')) return { kind: 'key-reused' };
      return { kind: 'invalid', field: String(error.detail ?? 'occurrences').split(':')[0], message: 'is not a valid weekly series for this service' };
    }
    if (error instanceof DbError && error.code === 'SL429') return { kind: 'too-many-holds', limit: Number(error.detail) || 0 };
    throw error;
  }
  let series = result.series;
  const manageToken = result.manageTokenMatches ? token : null;
  let next: Next = { type: 'confirmed' };
  const anchor = series.bookings[0];
  if (paid && manageToken && anchor && anchor.status === 'pending') {
    if (result.replayed && series.payment?.checkoutUrl) {
      next = { type: 'payment', url: series.payment.checkoutUrl };
    } else if (deps.payments) {
      try {
        const session = await createCheckout(db, deps.payments.stripe, {
          bookingId: anchor.id,
          seriesId: series.id,
          serviceTitle: `${service.title} × ${series.bookings.length}`,
          providerName: provider.name,
          amountCents: series.totalCents,
          currency: service.currency,
          customerEmail: input.email ?? undefined,
          manageUrl: seriesLinks(deps.publicUrl, manageToken).manageUrl,
          holdExpiresAt: new Date(String(anchor.holdExpiresAt)),
        });
        next = { type: 'payment', url: session.url };
        series = (await findSeries(db, manageToken)) ?? series; // now with its payment
      } catch (error) {
        await db.rpc('abandon_series', { p_token_hash: hashToken(manageToken), p_reason: 'checkout could not be created' });
        (deps.log ?? console.error)(`[slotline] Stripe checkout failed for series ${series.id}: ${(error as Error).message}`);
        return { kind: 'payments-unavailable', stage: 'checkout' };
      }
    }
  }
  if (series.bookings.some((b) => b.status === 'confirmed')) deps.wake(); // write-back jobs of confirmed occurrences
  return { kind: 'created', series, manageToken, next, replayed: result.replayed };
}

function parseIndexes(detail: unknown): number[] {
  try {
    const parsed: unknown = JSON.parse(String(detail));
    return Array.isArray(parsed) ? parsed.filter((n): n is number => typeof n === 'number') : [];
  } catch {
    return [];
  }
}

/** The series behind a manage link, or null (unknown, malformed or long over). */
export async function findSeries(db: Db, token: string): Promise<SeriesRow | null> {
  if (!looksLikeToken(token)) return null;
  return db.rpc('get_series_by_token', { p_token_hash: hashToken(token) });
}

/** The occurrences of a series as bookings, with their index. */
export function seriesBookings(series: SeriesRow): (Booking & { index: number })[] {
  return series.bookings.map((row) => ({ ...toBooking(row), index: row.index }));
}

export type SeriesCancelOutcome =
  | { kind: 'cancelled'; series: SeriesRow }
  | { kind: 'too-late'; hoursBefore: number }
  | { kind: 'not-found' };

/**
 * Cancels occurrence `index`, or it and every later live one (`andLater`), in one transaction
 * (`cancel_series_occurrences`, each through `cancel_booking`). The visitor is held to the provider's cancellation
 * window for the first date cancelled (later dates start later, so they are inside it too).
 */
export async function cancelSeries(
  deps: BookingServiceDeps,
  token: string,
  input: { index: number; andLater: boolean; reason?: string },
): Promise<SeriesCancelOutcome> {
  const series = await findSeries(deps.db, token);
  if (!series) return { kind: 'not-found' };
  if (!input.andLater) {
    // One date: exactly the single booking's path (policy, refund rule, link).
    const outcome = await cancelBooking(deps, { kind: 'visitor', token: occurrenceToken(token, input.index) }, { reason: input.reason });
    if (outcome.kind === 'too-late') return outcome;
    if (outcome.kind !== 'cancelled') return { kind: 'not-found' };
    return { kind: 'cancelled', series: (await findSeries(deps.db, token)) ?? series };
  }
  const first = seriesBookings(series).find((b) => b.index >= input.index && (b.status === 'pending' || b.status === 'confirmed'));
  if (!first) return { kind: 'not-found' };
  const withPolicy = { ...first, provider: { ...first.provider, policy: series.providerPolicy } };
  if (!policyState(withPolicy, deps.now()).canCancel) {
    return { kind: 'too-late', hoursBefore: Number(series.providerPolicy.cancelUntilHoursBefore ?? 0) };
  }
  try {
    await deps.db.rpc('cancel_series_occurrences', {
      p_token_hash: hashToken(token), p_index: input.index, p_and_later: true, p_reason: input.reason ?? '',
    });
  } catch (error) {
    if (isNotFound(error)) return { kind: 'not-found' };
    throw error;
  }
  deps.wake();
  return { kind: 'cancelled', series: (await findSeries(deps.db, token)) ?? series };
}

/** Moves one occurrence: the single booking's reschedule (policy window, engine check, one atomic UPDATE). */
export async function rescheduleOccurrence(
  deps: BookingServiceDeps,
  token: string,
  input: { index: number; start: Date },
): Promise<RescheduleOutcome> {
  if (!(await findSeries(deps.db, token))) return { kind: 'not-found' };
  return rescheduleBooking(deps, { kind: 'visitor', token: occurrenceToken(token, input.index) }, { start: input.start });
}

/**
 * Applies a Stripe Checkout event to a series (`apply_series_payment_event`, once per event): confirms every
 * occurrence or none; a payment after any occurrence was lost ends `refund_pending` with its refund job queued.
 */
export async function confirmSeriesPayment(
  deps: Pick<BookingServiceDeps, 'db' | 'wake'>,
  event: { eventId: string; eventType: string; paymentKind: 'paid' | 'failed' | 'expired'; seriesId: string;
    sessionId: string; paymentIntent: string | null; amountCents: number | null; currency: string | null },
): Promise<{ outcome: string }> {
  const result = await deps.db.rpc('apply_series_payment_event', {
    p_event_id: event.eventId,
    p_event_type: event.eventType,
    p_kind: event.paymentKind,
    p_series_id: event.seriesId,
    p_session_id: event.sessionId,
    p_payment_intent: event.paymentIntent,
    p_amount_cents: event.amountCents,
    p_currency: event.currency,
  });
  if (result.outcome === 'refund_pending' || result.outcome === 'confirmed') deps.wake();
  return result;
}
