import type { Db } from '../db/port.ts';
import type { Provider, ProviderService } from './public.ts';
import type { WorkingHours } from '../availability/working-hours.ts';
import type { TimeOff } from '../app-api/hours.ts';

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
  /** `settings.notifications` (20261130001000_app_outbox.sql): who gets provider mail, reminders, the agenda hour. */
  notifications: { email?: string; lang?: 'en' | 'ar'; providerEmails?: boolean; reminders?: number[]; agendaHour?: number };
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
 * A provider the signed-in user owns, in the shape the availability engine and the booking service take
 * (`get_public_provider`'s), also when the page is not public. Hidden services are left out, as
 * create_booking_if_free refuses them (`includeHidden`: kept, for the owner's preview). Another user's provider
 * throws SL404 (`app_get_provider`).
 */
export async function ownerProvider(db: Db, userId: string, providerId: string, options: { includeHidden?: boolean } = {}): Promise<Provider> {
  const p = await db.rpc('app_get_provider', { p_user_id: userId, p_provider_id: providerId });
  const services = await db.rpc('app_list_services', { p_user_id: userId, p_provider_id: providerId });
  return {
    id: p.id, slug: p.slug, name: p.name, timezone: p.timezone,
    settings: { workingHours: p.workingHours, booking: p.booking, whatsapp: p.whatsapp },
    // The engine takes the effective buffers (SQL's effective_buffers), as get_public_provider hands them out.
    services: services.filter((s) => options.includeHidden || !s.hidden).map(({ effectiveBufferBeforeMinutes, effectiveBufferAfterMinutes, ...s }) => ({
      ...s, bufferBeforeMinutes: effectiveBufferBeforeMinutes, bufferAfterMinutes: effectiveBufferAfterMinutes,
    })),
  };
}
