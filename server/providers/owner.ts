import type { Db } from '../db/port.ts';
import type { Provider, ProviderService } from './public.ts';

interface OwnerProviderJson {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  booking: Provider['settings']['booking'];
  workingHours: Provider['settings']['workingHours'];
  whatsapp: Provider['settings']['whatsapp'];
}

type OwnerServiceJson = Omit<ProviderService, 'bufferBeforeMinutes' | 'bufferAfterMinutes'> & {
  hidden: boolean;
  effectiveBufferBeforeMinutes: number;
  effectiveBufferAfterMinutes: number;
};

/**
 * A provider the signed-in user owns, in the shape the availability engine and the booking service take
 * (`get_public_provider`'s), also when the page is not public. Hidden services are left out, as
 * create_booking_if_free refuses them. Another user's provider throws SL404 (`app_get_provider`).
 */
export async function ownerProvider(db: Db, userId: string, providerId: string): Promise<Provider> {
  const p = await db.rpc<OwnerProviderJson>('app_get_provider', { p_user_id: userId, p_provider_id: providerId });
  const services = await db.rpc<OwnerServiceJson[]>('app_list_services', { p_user_id: userId, p_provider_id: providerId });
  return {
    id: p.id, slug: p.slug, name: p.name, timezone: p.timezone,
    settings: { workingHours: p.workingHours, booking: p.booking, whatsapp: p.whatsapp },
    // The engine takes the effective buffers (SQL's effective_buffers), as get_public_provider hands them out.
    services: services.filter((s) => !s.hidden).map(({ effectiveBufferBeforeMinutes, effectiveBufferAfterMinutes, ...s }) => ({
      ...s, bufferBeforeMinutes: effectiveBufferBeforeMinutes, bufferAfterMinutes: effectiveBufferAfterMinutes,
    })),
  };
}
