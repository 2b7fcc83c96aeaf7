import { createHmac } from 'node:crypto';
import type { Db } from '../db/port.ts';
import { DbError, isSlotTaken } from '../db/port.ts';
import type { Provider, ProviderService } from '../providers/public.ts';
import { checkOffered } from '../slots/offered.ts';
import { calendarHealth } from '../slots/calendar-busy.ts';
import type { BookingRequest } from './schema.ts';
import { hashToken, newManageToken } from './tokens.ts';
import type { CalendarsConfig } from '../config.ts';

export interface StoredBooking {
  id: string;
  status: string;
  start: string;
  end: string;
  holdExpiresAt: string | null;
  [field: string]: unknown;
}

export type CreateOutcome =
  /** `manageToken` is null only when replaying a booking made before links were derived (its link cannot be given again). */
  | { kind: 'created'; booking: StoredBooking; manageToken: string | null; replayed: boolean }
  | { kind: 'taken' }
  | { kind: 'unavailable' }
  /** The idempotency key was already used for a different request; nothing was written. */
  | { kind: 'key-reused' }
  /** The contact already holds `limit` unpaid bookings at this provider. */
  | { kind: 'too-many-holds'; limit: number };

/** SQLSTATEs raised by `create_booking_if_free` (supabase/migrations/20261130000100_booking_rules.sql). */
const KEY_REUSED = 'SL422';
const TOO_MANY_HOLDS = 'SL429';

const linkKeys = new WeakMap<Db, Promise<string>>();

/**
 * The manage-link secret for a request that carries an idempotency key: HMAC-SHA256 of the provider and the key under
 * the database's `manage_link_keys` secret (made once from a strong random source, readable only by the service role).
 * A replay of the same request therefore answers with the very link handed out the first time — a paid retry never
 * points Stripe's return link at a dead token — while nobody without the secret can compute a link from a guessable
 * key. Requests without a key get a random token, as before.
 */
async function manageTokenFor(db: Db, providerId: string, idempotencyKey: string | undefined): Promise<string> {
  if (!idempotencyKey) return newManageToken();
  let key = linkKeys.get(db);
  if (!key) {
    key = db.rpc('get_manage_link_key', {}).then((k) => {
      if (!k) throw new Error('manage_link_keys is empty: the booking_rules migration did not run');
      return k;
    });
    key.catch(() => linkKeys.delete(db));
    linkKeys.set(db, key);
  }
  return createHmac('sha256', await key).update(`manage-link\n${providerId}\n${idempotencyKey}`, 'utf8').digest('base64url');
}

/**
 * Books a start for a visitor: re-checks that the engine offers it now (rules, then busy
 * time), then lets `create_booking_if_free` decide atomically (overlap with buffers, idempotency
 * fingerprint, unpaid-hold limit). Paid services become holds.
 */
export async function createBooking(
  db: Db,
  provider: Provider,
  service: ProviderService,
  request: BookingRequest,
  options: { holdMinutes: number | null; now?: Date; calendars?: CalendarsConfig },
): Promise<CreateOutcome> {
  const start = new Date(request.start);
  // A stale calendar is refreshed before booking; a calendar we cannot read blocks ("hide").
  const health = await calendarHealth(db, provider.id, { from: start, to: start }, { forBooking: true, calendars: options.calendars });
  if (health.hide) return { kind: 'unavailable' };
  const offered = await checkOffered(db, provider, service, start, options.now);
  if (offered === 'unavailable') return { kind: 'unavailable' };
  if (offered === 'taken') {
    // Idempotent retry of a booking that already went through: answer with it.
    if (!request.idempotencyKey) return { kind: 'taken' };
  }

  const manageToken = await manageTokenFor(db, provider.id, request.idempotencyKey);
  try {
    const result = await db.rpc('create_booking_if_free', {
      p_provider_id: provider.id,
      p_service_id: service.id,
      p_starts_at: start,
      p_customer_name: request.name ?? '',
      p_customer_email: request.email ?? null,
      p_customer_phone: request.phone ?? null,
      p_notes: request.notes ?? '',
      p_customer_timezone: request.timezone ?? null,
      p_idempotency_key: request.idempotencyKey ?? null,
      p_manage_token_hash: hashToken(manageToken),
      p_hold_minutes: options.holdMinutes,
    });
    return {
      kind: 'created',
      booking: result.booking,
      manageToken: result.manageTokenMatches ? manageToken : null,
      replayed: result.replayed,
    };
  } catch (error) {
    if (isSlotTaken(error)) return { kind: 'taken' };
    if (error instanceof DbError && error.code === KEY_REUSED) return { kind: 'key-reused' };
    if (error instanceof DbError && error.code === TOO_MANY_HOLDS) return { kind: 'too-many-holds', limit: Number(error.detail) || 0 };
    throw error;
  }
}
