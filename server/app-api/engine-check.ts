import { checkStart } from '../availability/index.ts';
import type { Db } from '../db/port.ts';
import type { Provider, ProviderService } from '../providers/public.ts';
import { loadBusy, slotQuery } from '../slots/offered.ts';

interface OwnerProviderJson {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  booking: Provider['settings']['booking'];
  workingHours: Provider['settings']['workingHours'];
  whatsapp: Provider['settings']['whatsapp'];
}

/**
 * The owner's provider in the shape the availability engine takes (`get_public_provider`'s), also when the page
 * is not public. Hidden services are left out, as create_booking_if_free refuses them.
 */
export async function ownerProvider(db: Db, userId: string, providerId: string): Promise<Provider> {
  const p = await db.rpc<OwnerProviderJson>('app_get_provider', { p_user_id: userId, p_provider_id: providerId });
  const services = await db.rpc<(ProviderService & { hidden: boolean })[]>('app_list_services', { p_user_id: userId, p_provider_id: providerId });
  return {
    id: p.id, slug: p.slug, name: p.name, timezone: p.timezone,
    settings: { workingHours: p.workingHours, booking: p.booking, whatsapp: p.whatsapp },
    services: services.filter((s) => !s.hidden),
  };
}

/**
 * The visitor's engine check for a start the owner picked — the same rule the booking and manage-link endpoints
 * apply — with the booking being moved (`own`) not counted as busy. `available`, `taken` or `unavailable`.
 */
export async function ownerCheckStart(
  db: Db,
  provider: Provider,
  service: ProviderService,
  start: Date,
  now: Date,
  own?: { start: string; end: string },
): Promise<'available' | 'taken' | 'unavailable'> {
  const busy = await loadBusy(db, provider.id, start, start);
  if (own) {
    const ownStart = Date.parse(own.start);
    const ownFrom = ownStart - service.bufferBeforeMinutes * 60_000;
    const ownTo = Date.parse(own.end) + service.bufferAfterMinutes * 60_000;
    let skipped = false;
    busy.busy = busy.busy.filter((b) => {
      const mine = !skipped && Date.parse(b.start) === ownFrom && Date.parse(b.end) === ownTo;
      if (mine) skipped = true;
      return !mine;
    });
    busy.bookings = busy.bookings.filter((s) => Date.parse(s) !== ownStart);
  }
  return checkStart(slotQuery(provider, service, busy, now), start);
}
