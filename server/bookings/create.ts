import type { Db } from '../db/port.ts';
import { isSlotTaken } from '../db/port.ts';
import type { Provider, ProviderService } from '../providers/public.ts';
import { checkOffered } from '../slots/offered.ts';
import { calendarHealth } from '../slots/calendar-busy.ts';
import type { BookingRequest } from './schema.ts';
import { hashToken, newManageToken } from './tokens.ts';

export interface StoredBooking {
  id: string;
  status: string;
  start: string;
  end: string;
  holdExpiresAt: string | null;
  [field: string]: unknown;
}

export type CreateOutcome =
  | { kind: 'created'; booking: StoredBooking; manageToken: string; replayed: boolean }
  | { kind: 'taken' }
  | { kind: 'unavailable' };

/**
 * Books a start for a visitor: re-checks that the engine offers it now (rules, then busy
 * time), then lets `create_booking_if_free` decide atomically. Paid services become holds.
 */
export async function createBooking(
  db: Db,
  provider: Provider,
  service: ProviderService,
  request: BookingRequest,
  options: { holdMinutes: number | null; now?: Date },
): Promise<CreateOutcome> {
  const start = new Date(request.start);
  // A stale calendar is refreshed before booking; a calendar we cannot read blocks ("hide").
  const health = await calendarHealth(db, provider.id, { from: start, to: start }, { forBooking: true });
  if (health.hide) return { kind: 'unavailable' };
  const offered = await checkOffered(db, provider, service, start, options.now);
  if (offered === 'unavailable') return { kind: 'unavailable' };
  if (offered === 'taken') {
    // Idempotent retry of a booking that already went through: answer with it.
    if (!request.idempotencyKey) return { kind: 'taken' };
  }

  const manageToken = newManageToken();
  try {
    const result = await db.rpc<{ booking: StoredBooking; replayed: boolean }>('create_booking_if_free', {
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
    return { kind: 'created', booking: result.booking, manageToken, replayed: result.replayed };
  } catch (error) {
    if (isSlotTaken(error)) return { kind: 'taken' };
    throw error;
  }
}
