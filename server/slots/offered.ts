import { checkStart, computeSlots, type Slot, type SlotQuery } from '../availability/index.ts';
import type { Db } from '../db/port.ts';
import type { Provider, ProviderService } from '../providers/public.ts';
import { DAY } from '../time/units.ts';

export interface BusyData {
  busy: { start: string; end: string }[];
  bookings: string[];
  /** Starts of the service's own live bookings, when it has a daily limit (rule 8). */
  serviceBookings?: string[];
}

/** Busy time around a window; a day either side covers buffers and whole local days. */
export async function loadBusy(db: Db, providerId: string, from: Date, to: Date): Promise<BusyData> {
  return db.rpc('get_busy', {
    p_provider_id: providerId,
    p_from: new Date(from.getTime() - DAY),
    p_to: new Date(to.getTime() + DAY),
  });
}

/** Busy time around a window for moving the booking behind a manage link: its own time left out, and its stored buffers. Null when the link no longer names a live booking. */
export async function loadBusyForMove(
  db: Db,
  tokenHash: string,
  from: Date,
  to: Date,
): Promise<(BusyData & { bufferBeforeMinutes: number; bufferAfterMinutes: number }) | null> {
  return (await db.rpc('get_busy_for_move', {
    p_token_hash: tokenHash,
    p_from: new Date(from.getTime() - DAY),
    p_to: new Date(to.getTime() + DAY),
  })) ?? null;
}

/** The same for a booking the provider moves from the app (`app_busy_for_move`: only the owner's own bookings). */
export async function loadBusyForOwnerMove(
  db: Db,
  owner: { userId: string; providerId: string; bookingId: string },
  from: Date,
  to: Date,
): Promise<BusyData & { bufferBeforeMinutes: number; bufferAfterMinutes: number }> {
  return db.rpc('app_busy_for_move', {
    p_user_id: owner.userId,
    p_provider_id: owner.providerId,
    p_booking_id: owner.bookingId,
    p_from: new Date(from.getTime() - DAY),
    p_to: new Date(to.getTime() + DAY),
  });
}

/**
 * Adds the service's own live booking starts around a window when it has a daily limit (one more query only then).
 * `movingFrom`: the start of a booking being moved, which must not count against its own new day.
 */
export async function withServiceBookings<B extends BusyData>(
  db: Db,
  service: ProviderService,
  window: { from: Date; to: Date },
  busy: B,
  movingFrom?: string | Date,
): Promise<B> {
  if (service.maxPerDay == null) return busy;
  const starts = await db.rpc('service_booked_starts', {
    p_service_id: service.id,
    p_from: new Date(window.from.getTime() - DAY),
    p_to: new Date(window.to.getTime() + DAY),
  });
  const own = movingFrom === undefined ? -1 : starts.findIndex((s) => new Date(s).getTime() === new Date(movingFrom).getTime());
  return { ...busy, serviceBookings: own < 0 ? starts : starts.filter((_, i) => i !== own) };
}

/**
 * The engine's query for a provider's service: rules from settings, busy from the database.
 * The service's buffers are already the effective ones: `get_public_provider` computes them with the SQL function
 * `effective_buffers` (service value if set, an explicit 0 included, else the provider's policy, else 0), the same
 * function `create_booking_if_free` uses to store them on the booking. No buffer rule is written in TypeScript.
 */
export function slotQuery(
  provider: Provider,
  service: ProviderService,
  busy: BusyData,
  now: Date,
): Omit<SlotQuery, 'from' | 'to'> {
  const policy = provider.settings.booking ?? {};
  return {
    timezone: provider.settings.workingHours?.timezone ?? provider.timezone,
    workingHours: provider.settings.workingHours ?? { intervals: [] },
    durationMinutes: service.durationMinutes,
    stepMinutes: policy.slotStepMinutes ?? service.durationMinutes,
    bufferBeforeMinutes: service.bufferBeforeMinutes,
    bufferAfterMinutes: service.bufferAfterMinutes,
    // A service's own notice and horizon replace the provider's (null: the policy's).
    minNoticeMinutes: service.minNoticeMinutes ?? policy.minNoticeMinutes ?? 0,
    horizonDays: service.horizonDays ?? policy.horizonDays ?? 60,
    maxPerDay: policy.maxPerDay,
    serviceMaxPerDay: service.maxPerDay ?? undefined,
    serviceBookedStarts: service.maxPerDay != null ? busy.serviceBookings ?? [] : undefined,
    busy: busy.busy,
    bookedStarts: busy.bookings,
    now,
  };
}

/** The slots a visitor can book in `[from, to)`, as the booking endpoint will accept them. */
export async function offeredSlots(
  db: Db,
  provider: Provider,
  service: ProviderService,
  window: { from: Date; to: Date },
  now = new Date(),
): Promise<Slot[]> {
  const busy = await withServiceBookings(db, service, window, await loadBusy(db, provider.id, window.from, window.to));
  return computeSlots({ ...slotQuery(provider, service, busy, now), ...window });
}

/** Whether one start can be booked now: `available`, `taken` (busy) or `unavailable` (rules). */
export async function checkOffered(
  db: Db,
  provider: Provider,
  service: ProviderService,
  start: Date,
  now = new Date(),
): Promise<'available' | 'taken' | 'unavailable'> {
  const busy = await withServiceBookings(db, service, { from: start, to: start }, await loadBusy(db, provider.id, start, start));
  return checkStart(slotQuery(provider, service, busy, now), start);
}
