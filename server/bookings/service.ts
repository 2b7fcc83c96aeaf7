import type { CalendarsConfig } from '../config.ts';
import type { Next } from '../../contract/api.ts';
import { checkStart } from '../availability/index.ts';
import { DbError, isNotFound, isSlotTaken, type Db } from '../db/port.ts';
import { createCheckout } from '../payments/checkout.ts';
import type { StripeSetup } from '../payments/stripe.ts';
import { stripeForBooking, stripeForProvider, type PaymentAccountsOptions } from '../payments/accounts.ts';
import { ownerProvider } from '../providers/owner.ts';
import { loadProvider, type Provider, type ProviderService } from '../providers/public.ts';
import { calendarHealth } from '../slots/calendar-busy.ts';
import { checkOffered, loadBusyForMove, loadBusyForOwnerMove, slotQuery, withServiceBookings } from '../slots/offered.ts';
import type { Lang } from '../whatsapp/template.ts';
import { isLive, toBooking, type Booking, type BookingRow } from './booking.ts';
import { bookingLinks, manageTokenFor } from './links.ts';
import { policyState, refundDecision } from './policy.ts';
import { hashToken, looksLikeToken, newManageToken } from './tokens.ts';
import { saveLinkCopy, sealLinkCopy } from '../notify/link-copy.ts';
import { confirmationWhatsapp } from './view.ts';
import type { BookingCredit } from '../../contract/credit-line.ts';

/**
 * The booking service: every change to a booking — create, cancel, reschedule, confirm, release — for the visitor
 * (public API, manage link) and the provider (app) alike. Routes parse the request, call one function here with an
 * actor, and shape the answer. The rules that protect bookings stay in SQL (overlap with buffers, idempotency, hold
 * limits, the refund deadline, enqueuing write-back and refunds in the same transaction); this layer adds the
 * availability engine's check, the policy windows a visitor is held to, Stripe Checkout and the WhatsApp link.
 *
 * Visitor outcomes come back as values (`{ kind: 'taken' }`, …). An owner's typed SQL errors (SL404 another
 * provider's booking, SL409 not live, …) are thrown as `DbError`, as the owner API maps them in one place
 * (`server/app-api/errors.ts`).
 */

export interface BookingServiceDeps {
  db: Db;
  /** Base of the manage and `.ics` links handed to visitors. */
  publicUrl: string;
  /** The server's Stripe (env keys); null: only providers who connected their own Stripe take payments. */
  payments: StripeSetup | null;
  /** `STRIPE_API_BASE`: the host providers' own Stripe keys are used against (server/payments/accounts.ts). */
  stripeApiBase?: string | null;
  now: () => Date;
  /** Tells this instance's job worker that the change enqueued work (write-back, refund), so it starts at once. */
  wake: () => void;
  /** The secrets key and Google client calendar refresh needs (from `Config.calendars`). */
  calendars: CalendarsConfig;
  log?: (line: string) => void;
}

/** Who creates a booking: a visitor on the public page, or the provider adding one by hand in the app. */
export type Actor = { kind: 'visitor' } | { kind: 'owner'; userId: string };

/** One booking as an actor reaches it: the visitor through its secret manage link, the owner by id at a provider they own. */
export type BookingAccess =
  | { kind: 'visitor'; token: string }
  | { kind: 'owner'; userId: string; providerId: string; bookingId: string };

/** The visitor's contact details and the rest of a booking request, validated by the caller's schema. */
export interface BookingInput {
  start: Date;
  name: string;
  email?: string | null;
  phone?: string | null;
  notes?: string | null;
  timezone?: string | null;
  /** The visitor's language for the WhatsApp note. */
  lang?: Lang;
  /** Visitor only: same key, same request → the same booking (bound to the request by `create_booking_if_free`). */
  idempotencyKey?: string;
  /** Owner only: a time the public page would not offer (outside hours, inside the notice); overlaps are still refused. */
  outsideHours?: boolean;
  /** Visitor only: pay with one credit of this wallet (`book_with_credit`): confirmed without payment. */
  walletToken?: string;
}

type Verdict = 'taken' | 'unavailable';

export type CreateOutcome =
  | {
    kind: 'created';
    booking: Booking;
    /** Null only for a replay of a booking made before links were derived from the key (its link cannot be given again). */
    manageToken: string | null;
    links: { manageUrl: string; icsUrl: string } | null;
    next: Next;
    /** A prepared WhatsApp note to the provider (confirmed bookings of providers with WhatsApp on). */
    whatsappUrl: string | null;
    replayed: boolean;
  }
  | { kind: Verdict }
  /** The idempotency key was already used for a different request; nothing was written. */
  | { kind: 'key-reused' }
  /** The contact already holds `limit` unpaid bookings at this provider. */
  | { kind: 'too-many-holds'; limit: number }
  /** A paid service without Stripe (`before`: nothing written), or Checkout failed and the hold was released (`checkout`). */
  | { kind: 'payments-unavailable'; stage: 'before' | 'checkout' }
  /** Booking with a wallet: the link is unknown, no credit of this service is left, or those left have expired. */
  | { kind: 'wallet-not-found' | 'no-credit' | 'credit-expired' }
  /** Visitor: the provider (settings, hours, services) changed since the caller read it; nothing was written. Read it again and retry. */
  | { kind: 'provider-changed' };

export type CancelOutcome =
  | { kind: 'cancelled'; booking: Booking; refund: { pending: boolean; issued: boolean; byPolicy: boolean } }
  /** Already not live (cancelled, expired, …): nothing changed. */
  | { kind: 'unchanged'; booking: Booking }
  | { kind: 'too-late'; hoursBefore: number }
  | { kind: 'not-found' }
  /** The owner asked for a refund (or the policy gives one) and Stripe is not set up: nothing changed. */
  | { kind: 'payments-unavailable' };

export type RescheduleOutcome =
  | { kind: 'moved'; booking: Booking }
  | { kind: Verdict }
  | { kind: 'too-late'; hoursBefore: number }
  | { kind: 'not-found' }
  /** The owner moves a booking of a hidden service without `outsideHours`. */
  | { kind: 'service-hidden' };

const SQL_KEY_REUSED = 'SL422';
const SQL_TOO_MANY_HOLDS = 'SL429';
/** `book_visitor`: the provider changed since it was read (settings, hours, services): read it again and retry. */
const SQL_PROVIDER_CHANGED = 'SL412';
/** `book_visitor`: the provider has connected calendars whose health was not checked for this booking. */
const SQL_CALENDARS_UNCHECKED = 'SL428';

/** Reads one booking as the actor may see it; null for an unknown/expired link. An owner's unknown id throws SL404. */
export async function findBooking(deps: Pick<BookingServiceDeps, 'db'>, access: BookingAccess): Promise<Booking | null> {
  if (access.kind === 'owner') {
    return toBooking(await deps.db.rpc('app_get_booking', {
      p_user_id: access.userId, p_provider_id: access.providerId, p_booking_id: access.bookingId,
    }));
  }
  if (!looksLikeToken(access.token)) return null;
  const row = await deps.db.rpc('get_booking_by_token', { p_token_hash: hashToken(access.token) });
  return row ? toBooking(row) : null;
}

/** The booking row `create_booking_if_free` answers, with the provider and service the caller already holds. */
function withDetails(row: BookingRow, provider: Provider, service: ProviderService): Booking {
  const b = toBooking(row);
  return {
    ...b,
    provider: { ...b.provider, slug: provider.slug, name: provider.name, timezone: provider.timezone, policy: provider.settings.booking ?? {}, whatsapp: provider.settings.whatsapp ?? null },
    service: { ...b.service, slug: service.slug, title: service.title, durationMinutes: service.durationMinutes, location: service.location ?? null },
  };
}

/**
 * Books a start. A visitor: the engine must offer the start now by the provider's rules, then `book_visitor` checks
 * that the provider did not change since it was read (else `provider-changed`: the caller reloads and calls again),
 * that connected calendars were checked (a stale one is refreshed first, an unreadable one hides the time) and
 * decides atomically (`create_booking_if_free`) — one database call in the common case; a paid service becomes a hold with a Stripe Checkout,
 * and when Checkout cannot be made the hold is released at once (and its idempotency key freed). An owner: the
 * engine's check unless `outsideHours`, then `app_create_booking` (confirmed, no payment, a fresh manage link).
 */
export async function createBooking(
  deps: BookingServiceDeps,
  actor: Actor,
  target: { provider: Provider; service: ProviderService; holdMinutes?: number },
  input: BookingInput,
): Promise<CreateOutcome> {
  const { db, now } = deps;
  const { provider, service } = target;
  if (actor.kind === 'owner') {
    if (!input.outsideHours) {
      const verdict = await checkOffered(db, provider, service, input.start, now());
      if (verdict !== 'available') return { kind: verdict };
    }
    const token = newManageToken();
    // The sealed copy the confirmation and reminders read their manage link from (server/notify/link-copy.ts).
    await saveLinkCopy(db, token, input.lang);
    // An overlap is refused by the database (SL409 slot_taken, thrown to the owner API like its other errors).
    const row = await db.rpc('app_create_booking', {
      p_user_id: actor.userId, p_provider_id: provider.id, p_service_id: service.id, p_starts_at: input.start,
      p_customer_name: input.name, p_customer_email: input.email ?? null, p_customer_phone: input.phone ?? null,
      p_notes: input.notes ?? '', p_customer_timezone: input.timezone ?? null, p_manage_token_hash: hashToken(token),
    });
    deps.wake(); // the write-back job of a confirmed booking
    return {
      kind: 'created', booking: withDetails(row, provider, service), manageToken: token,
      links: bookingLinks(deps.publicUrl, token), next: { type: 'confirmed' }, whatsappUrl: null, replayed: false,
    };
  }

  const paid = service.priceCents > 0 && !input.walletToken;
  // The provider's own Stripe when they connected one in the app, else the server's.
  const payments = paid ? await stripeForProvider(db, paymentAccounts(deps), provider.id) : null;
  if (paid && !payments) return { kind: 'payments-unavailable', stage: 'before' };
  const holdMinutes = paid ? (provider.settings.booking?.holdMinutes ?? target.holdMinutes ?? null) : null;
  let result: { booking: BookingRow; replayed: boolean; manageTokenMatches: boolean; credit?: BookingCredit };
  let token: string;
  try {
    if (input.walletToken) {
      // With a wallet: checked as before, then the same booking insert and one credit spent, in one SQL
      // transaction (book_with_credit).
      const health = await calendarHealth(db, provider.id, { from: input.start, to: input.start }, { forBooking: true, calendars: deps.calendars, at: now() });
      if (health.hide) return { kind: 'unavailable' };
      const offered = await checkOffered(db, provider, service, input.start, now());
      if (offered === 'unavailable') return { kind: 'unavailable' };
      if (offered === 'taken' && !input.idempotencyKey) return { kind: 'taken' };
      token = await manageTokenFor(db, provider.id, input.idempotencyKey);
      // Before the booking exists, so its outbox rows (same transaction as the booking) always find the link.
      await saveLinkCopy(db, token, input.lang);
      result = await bookWithCredit(deps, provider, service, input, token);
    } else {
      const verdict = await offeredByRules(db, provider, service, input, now());
      if (verdict !== 'available') return { kind: verdict };
      token = await manageTokenFor(db, provider.id, input.idempotencyKey);
      const booked = await bookVisitor(deps, provider, service, input, token, holdMinutes);
      if (!booked) return { kind: 'unavailable' };
      result = booked;
    }
  } catch (error) {
    if (error instanceof DbError && error.code === SQL_PROVIDER_CHANGED) return { kind: 'provider-changed' };
    // book_with_credit's own refusals (SL404 / SL409 with their reason) before the booking's.
    if (isNotFound(error) && (error as DbError).message === 'wallet_not_found') return { kind: 'wallet-not-found' };
    if (error instanceof DbError && error.code === 'SL409' && error.message === 'no_credit') return { kind: 'no-credit' };
    if (error instanceof DbError && error.code === 'SL409' && error.message === 'credit_expired') return { kind: 'credit-expired' };
    if (isSlotTaken(error)) return { kind: 'taken' };
    if (error instanceof DbError && error.code === SQL_KEY_REUSED) return { kind: 'key-reused' };
    if (error instanceof DbError && error.code === SQL_TOO_MANY_HOLDS) return { kind: 'too-many-holds', limit: Number(error.detail) || 0 };
    throw error;
  }
  const booking = withDetails(result.booking, provider, service);
  const manageToken = result.manageTokenMatches ? token : null;
  const links = manageToken ? bookingLinks(deps.publicUrl, manageToken) : null;

  let next: Next = { type: 'confirmed' };
  if (paid && booking.status === 'pending' && manageToken && links) {
    // A replayed hold keeps the checkout made the first time (its return link is the same manage link).
    const existing = result.replayed ? (await findBooking(deps, { kind: 'visitor', token: manageToken }))?.payment?.checkoutUrl : null;
    if (existing) {
      next = { type: 'payment', url: existing };
    } else if (payments) {
      try {
        const session = await createCheckout(db, payments.stripe, {
          account: payments.source,
          bookingId: booking.id,
          serviceTitle: service.title,
          providerName: provider.name,
          amountCents: service.priceCents,
          currency: service.currency,
          customerEmail: input.email ?? undefined,
          manageUrl: links.manageUrl,
          holdExpiresAt: new Date(String(booking.holdExpiresAt)),
        });
        next = { type: 'payment', url: session.url };
      } catch (error) {
        // No checkout, no hold: give the time back at once, and free the idempotency key so that the retry the
        // answer asks for makes a new attempt (instead of replaying a cancelled booking).
        await releaseHold(deps, manageToken, 'checkout could not be created');
        (deps.log ?? console.error)(`[slotline] Stripe checkout failed for booking ${booking.id}: ${(error as Error).message}`);
        return { kind: 'payments-unavailable', stage: 'checkout' };
      }
    }
  }
  const whatsappUrl = booking.status === 'confirmed' && links
    ? confirmationWhatsapp(provider, service, booking, links.manageUrl, { name: input.name, lang: input.lang, credit: result.credit })
    : null;
  return { kind: 'created', booking, manageToken, links, next, whatsappUrl, replayed: result.replayed };
}

/**
 * The engine's verdict on a visitor's start before booking it. Hours, grid, notice and horizon are judged from the
 * provider's settings alone: whether the time is free is the database's answer anyway (overlaps, buffers, holds:
 * SL409), so no busy time is read. Only a daily limit needs the day's bookings (the engine's rule 8), and only then
 * is busy time read: a full day answers 'unavailable' as the slots never offered it.
 */
async function offeredByRules(db: Db, provider: Provider, service: ProviderService, input: BookingInput, now: Date): Promise<'available' | Verdict> {
  if (service.maxPerDay != null || provider.settings.booking?.maxPerDay != null) {
    const offered = await checkOffered(db, provider, service, input.start, now);
    // Taken, yet with a key: maybe the idempotent retry of a booking that went through; the database answers with it.
    return offered === 'taken' && input.idempotencyKey ? 'available' : offered;
  }
  return checkStart(slotQuery(provider, service, { busy: [], bookings: [] }, now), input.start) === 'available' ? 'available' : 'unavailable';
}

/** Providers whose connected calendars `book_visitor` asked about: their health is checked before the call. */
const withCalendars = new WeakSet<Provider>();

/**
 * The visitor's booking in one call (`book_visitor`): it refuses a provider whose settings changed since `provider`
 * was read (SL412, thrown: the caller reloads), stores the link's sealed copy and books, in one transaction. A provider
 * with connected calendars gets their health checked first — a stale one refreshed (`calendarHealth` forBooking) —
 * and null answers "unreadable calendar, time hidden".
 */
async function bookVisitor(
  deps: BookingServiceDeps, provider: Provider, service: ProviderService, input: BookingInput, token: string,
  holdMinutes: number | null,
) {
  const { db, now } = deps;
  const link = await sealLinkCopy(db, token, input.lang);
  let calendarsChecked = false;
  for (;;) {
    if (withCalendars.has(provider) && !calendarsChecked) {
      const health = await calendarHealth(db, provider.id, { from: input.start, to: input.start }, { forBooking: true, calendars: deps.calendars, at: now() });
      if (health.hide) return null;
      calendarsChecked = true;
    }
    try {
      return await db.rpc('book_visitor', {
        p_provider_id: provider.id,
        p_service_id: service.id,
        p_starts_at: input.start,
        ...visitorArgs(input, token),
        p_hold_minutes: holdMinutes,
        p_version: provider.version ?? null,
        p_calendars_checked: calendarsChecked,
        p_link_sealed: link.p_sealed,
        p_link_lang: link.p_lang,
      });
    } catch (error) {
      if (!(error instanceof DbError && error.code === SQL_CALENDARS_UNCHECKED) || calendarsChecked) throw error;
      withCalendars.add(provider);
    }
  }
}

/**
 * The visitor's details and the new manage link's hash, as every booking insert takes them (`create_booking_if_free`,
 * `book_with_credit`, `create_series_if_free`).
 */
export function visitorArgs(input: Pick<BookingInput, 'name' | 'email' | 'phone' | 'notes' | 'timezone' | 'idempotencyKey'>, manageToken: string) {
  return {
    p_customer_name: input.name ?? '',
    p_customer_email: input.email ?? null,
    p_customer_phone: input.phone ?? null,
    p_notes: input.notes ?? '',
    p_customer_timezone: input.timezone ?? null,
    p_idempotency_key: input.idempotencyKey ?? null,
    p_manage_token_hash: hashToken(manageToken),
  };
}

/** `book_with_credit`: the wallet link's hash, never the link; a malformed link is as unknown as a wrong one. */
async function bookWithCredit(deps: BookingServiceDeps, provider: Provider, service: ProviderService, input: BookingInput, token: string) {
  if (!looksLikeToken(input.walletToken ?? '')) throw new DbError('wallet_not_found', 'SL404');
  return deps.db.rpc('book_with_credit', {
    p_wallet_token_hash: hashToken(input.walletToken!),
    p_service_id: service.id,
    p_starts_at: input.start,
    ...visitorArgs(input, token),
    p_now: deps.now(),
  });
}

/**
 * Cancels. A visitor is held to the provider's cancellation window (an unpaid hold can always be let go), and
 * `cancel_booking` decides the refund on the terms paid under, enqueuing it with the cancellation. An owner may
 * cancel any live booking; the refund is the policy's unless `refund` says otherwise (`app_cancel_booking`).
 */
export async function cancelBooking(
  deps: BookingServiceDeps,
  access: BookingAccess,
  input: { reason?: string; refund?: boolean; returnCredit?: boolean } = {},
): Promise<CancelOutcome> {
  const { db, now } = deps;
  const before = await findBooking(deps, access);
  if (!before) return { kind: 'not-found' };
  const reason = input.reason ?? '';

  if (access.kind === 'owner') {
    const decision = refundDecision(before, now(), input.refund);
    if (decision.refund && !(await refundsPossible(deps, before.id))) return { kind: 'payments-unavailable' };
    // The refund (if any) is queued in the same transaction as the cancellation; the job worker makes it.
    const ids = { p_user_id: access.userId, p_provider_id: access.providerId, p_booking_id: access.bookingId };
    // A package credit goes back by the refund window unless the provider decides (app_cancel_booking_credit).
    const row = input.returnCredit === undefined
      ? await db.rpc('app_cancel_booking', { ...ids, p_reason: reason, p_refund: input.refund ?? null })
      : await db.rpc('app_cancel_booking_credit', { ...ids, p_reason: reason, p_refund: input.refund ?? null, p_return_credit: input.returnCredit });
    deps.wake();
    const after = toBooking(row);
    const status = after.payment?.status;
    return { kind: 'cancelled', booking: after, refund: { pending: status === 'refund_pending', issued: status === 'refunded', byPolicy: decision.byPolicy } };
  }

  const policy = policyState(before, now());
  if (!policy.canCancel) {
    if (!isLive(before)) return { kind: 'unchanged', booking: before };
    return { kind: 'too-late', hoursBefore: before.provider.policy.cancelUntilHoursBefore ?? 0 };
  }
  try {
    // Cancels, and for a paid booking still inside the refund deadline frozen at payment, marks the refund pending
    // and enqueues its job, all in one transaction (the database judges the deadline).
    await db.rpc('cancel_booking', { p_token_hash: hashToken(access.token), p_reason: reason });
  } catch (error) {
    if (isNotFound(error)) return { kind: 'unchanged', booking: (await findBooking(deps, access)) ?? before };
    throw error;
  }
  deps.wake();
  const after = (await findBooking(deps, access)) ?? before;
  const status = after.payment?.status;
  return { kind: 'cancelled', booking: after, refund: { pending: status === 'refund_pending', issued: status === 'refunded', byPolicy: policy.refundable } };
}

/**
 * Moves a booking. The engine checks the new start as it would for a new booking, except that the booking's own time
 * is left out of the busy list and it keeps its stored buffers (`get_busy_for_move` / `app_busy_for_move`; the SQL
 * rebuilds its range from them). A visitor is held to the reschedule window; an owner may skip the engine with
 * `outsideHours` (overlaps are still refused by the database).
 */
export async function rescheduleBooking(
  deps: BookingServiceDeps,
  access: BookingAccess,
  input: { start: Date; outsideHours?: boolean },
): Promise<RescheduleOutcome> {
  const { db, now } = deps;
  const before = await findBooking(deps, access);
  if (!before) return { kind: 'not-found' };
  const start = input.start;

  if (access.kind === 'owner') {
    if (!input.outsideHours) {
      const provider = await ownerProvider(db, access.userId, access.providerId);
      const service = provider.services.find((s) => s.id === before.service.id);
      if (!service) return { kind: 'service-hidden' };
      const move = await withServiceBookings(db, service, { from: start, to: start }, await loadBusyForOwnerMove(db, access, start, start), before.start);
      const verdict = checkStart({ ...slotQuery(provider, service, move, now()), bufferBeforeMinutes: move.bufferBeforeMinutes, bufferAfterMinutes: move.bufferAfterMinutes }, start);
      if (verdict !== 'available') return { kind: verdict };
    }
    const row = await db.rpc('app_reschedule_booking', {
      p_user_id: access.userId, p_provider_id: access.providerId, p_booking_id: access.bookingId, p_starts_at: start,
    });
    deps.wake(); // the calendar write-back job the move enqueued
    return { kind: 'moved', booking: toBooking(row) };
  }

  if (!policyState(before, now()).canReschedule) {
    return { kind: 'too-late', hoursBefore: before.provider.policy.rescheduleUntilHoursBefore ?? 0 };
  }
  const provider = before.provider.slug ? await loadProvider(db, before.provider.slug) : null;
  const service = provider?.services.find((s) => s.slug === before.service.slug);
  if (!provider || !service) return { kind: 'not-found' };
  const tokenHash = hashToken(access.token);
  const found = await loadBusyForMove(db, tokenHash, start, start);
  if (!found) return { kind: 'not-found' };
  const move = await withServiceBookings(db, service, { from: start, to: start }, found, before.start);
  const verdict = checkStart({ ...slotQuery(provider, service, move, now()), bufferBeforeMinutes: move.bufferBeforeMinutes, bufferAfterMinutes: move.bufferAfterMinutes }, start);
  if (verdict !== 'available') return { kind: verdict };
  try {
    await db.rpc('reschedule_booking', { p_token_hash: tokenHash, p_starts_at: start });
  } catch (error) {
    if (isSlotTaken(error)) return { kind: 'taken' };
    if (isNotFound(error)) return { kind: 'not-found' };
    throw error;
  }
  deps.wake(); // the calendar write-back job the move enqueued
  const after = await findBooking(deps, access);
  return after ? { kind: 'moved', booking: after } : { kind: 'not-found' };
}

/**
 * Confirms a booking: a Checkout payment reported by Stripe's signed webhook (`apply_payment_event` applies each
 * event once; a payment for a time taken meanwhile ends `refund_pending` with its refund job queued), or the provider
 * approving a request. Returns the SQL's outcome (`confirmed`, `refund_pending`, `duplicate`, …).
 */
export async function confirmBooking(
  deps: Pick<BookingServiceDeps, 'db' | 'wake'>,
  by:
    | { kind: 'payment'; eventId: string; eventType: string; paymentKind: 'paid' | 'failed' | 'expired'; bookingId: string;
      sessionId: string; paymentIntent: string | null; amountCents: number | null; currency: string | null }
    | { kind: 'owner'; userId: string; providerId: string; bookingId: string; reason?: string | null },
): Promise<{ outcome: string }> {
  if (by.kind === 'owner') {
    await deps.db.rpc('app_decide_request', {
      p_user_id: by.userId, p_provider_id: by.providerId, p_booking_id: by.bookingId, p_approve: true, p_reason: by.reason ?? null,
    });
    deps.wake();
    return { outcome: 'confirmed' };
  }
  const result = await deps.db.rpc('apply_payment_event', {
    p_event_id: by.eventId,
    p_event_type: by.eventType,
    p_kind: by.paymentKind,
    p_booking_id: by.bookingId,
    p_session_id: by.sessionId,
    p_payment_intent: by.paymentIntent,
    p_amount_cents: by.amountCents,
    p_currency: by.currency,
  });
  if (result.outcome === 'refund_pending' || result.outcome === 'confirmed') deps.wake();
  return result;
}

/**
 * Gives a booking's time back without it having taken place: an unpaid hold whose checkout could not be made
 * (`abandon_hold`, which also frees its idempotency key), or a request the provider declines.
 */
export async function releaseHold(deps: Pick<BookingServiceDeps, 'db'>, token: string, reason: string): Promise<void> {
  await deps.db.rpc('abandon_hold', { p_token_hash: hashToken(token), p_reason: reason });
}

/** The provider declines a request waiting for approval (`app_decide_request`): its time is given back. */
export async function declineRequest(
  deps: Pick<BookingServiceDeps, 'db' | 'wake'>,
  access: Extract<BookingAccess, { kind: 'owner' }>,
  reason: string | null,
): Promise<void> {
  await deps.db.rpc('app_decide_request', {
    p_user_id: access.userId, p_provider_id: access.providerId, p_booking_id: access.bookingId, p_approve: false, p_reason: reason,
  });
  deps.wake();
}

/** What resolving a provider's Stripe account needs, from the service's deps. */
function paymentAccounts(deps: BookingServiceDeps): PaymentAccountsOptions {
  return { server: deps.payments, secretsKey: deps.calendars.secretsKey ?? null, apiBase: deps.stripeApiBase ?? null };
}

/** Whether the account that took this booking's payment can refund it now (its keys are here and readable). */
async function refundsPossible(deps: BookingServiceDeps, bookingId: string): Promise<boolean> {
  try {
    return (await stripeForBooking(deps.db, paymentAccounts(deps), bookingId)) !== null;
  } catch {
    return false;
  }
}
