import { checkStart } from '../availability/index.ts';
import type { Db } from '../db/port.ts';
import type { Provider, ProviderService } from '../providers/public.ts';
import { loadBusy, slotQuery } from '../slots/offered.ts';
import type { WorkingHours } from '../availability/working-hours.ts';
import { DAY } from '../time/units.ts';
import type { TimeOff } from './hours.ts';

/** A provider as the owner functions return it (`app_provider_json`). */
export interface OwnerProviderJson {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  isPublic: boolean;
  profile: { personName?: string; [field: string]: unknown };
  booking: NonNullable<Provider['settings']['booking']>;
  whatsapp: NonNullable<Provider['settings']['whatsapp']>;
  appearance: NonNullable<Provider['settings']['appearance']>;
  embed: NonNullable<Provider['settings']['embed']>;
  workingHours: WorkingHours;
  timeOff: TimeOff;
  createdAt: string;
  updatedAt: string;
}

/** A service as the owner functions return it (`app_service_json`): its own buffers (null: the policy's) and the effective ones. */
export type OwnerServiceJson = Omit<ProviderService, 'bufferBeforeMinutes' | 'bufferAfterMinutes'> & {
  bufferBeforeMinutes: number | null;
  bufferAfterMinutes: number | null;
  bookingMode: string | null;
  position: number;
  hidden: boolean;
  effectiveBufferBeforeMinutes: number;
  effectiveBufferAfterMinutes: number;
};

/**
 * The owner's provider in the shape the availability engine takes (`get_public_provider`'s), also when the page
 * is not public. Hidden services are left out, as create_booking_if_free refuses them.
 */
export async function ownerProvider(db: Db, userId: string, providerId: string): Promise<Provider> {
  const p = await db.rpc('app_get_provider', { p_user_id: userId, p_provider_id: providerId });
  const services = await db.rpc('app_list_services', { p_user_id: userId, p_provider_id: providerId });
  return {
    id: p.id, slug: p.slug, name: p.name, timezone: p.timezone,
    settings: { workingHours: p.workingHours, booking: p.booking, whatsapp: p.whatsapp },
    // The engine takes the effective buffers (SQL's effective_buffers), as get_public_provider hands them out.
    services: services.filter((s) => !s.hidden).map(({ effectiveBufferBeforeMinutes, effectiveBufferAfterMinutes, ...s }) => ({
      ...s, bufferBeforeMinutes: effectiveBufferBeforeMinutes, bufferAfterMinutes: effectiveBufferAfterMinutes,
    })),
  };
}

/**
 * The visitor's engine check for a start the owner picked — the same rule the booking and manage-link endpoints
 * apply. When moving a booking (`own`), the database leaves its own time out of the busy list and the booking keeps
 * its stored buffers (app_busy_for_move, as get_busy_for_move does for a manage link). `available`, `taken` or
 * `unavailable`.
 */
export async function ownerCheckStart(
  db: Db,
  provider: Provider,
  service: ProviderService,
  start: Date,
  now: Date,
  own?: { id: string; userId: string },
): Promise<'available' | 'taken' | 'unavailable'> {
  if (!own) return checkStart(slotQuery(provider, service, await loadBusy(db, provider.id, start, start), now), start);
  const move = await db.rpc('app_busy_for_move', {
    p_user_id: own.userId, p_provider_id: provider.id, p_booking_id: own.id,
    p_from: new Date(start.getTime() - DAY), p_to: new Date(start.getTime() + DAY),
  });
  const query = { ...slotQuery(provider, service, move, now), bufferBeforeMinutes: move.bufferBeforeMinutes, bufferAfterMinutes: move.bufferAfterMinutes };
  return checkStart(query, start);
}
