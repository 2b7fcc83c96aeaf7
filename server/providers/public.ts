import type { Db } from '../db/port.ts';
import type { WorkingHours } from '../availability/working-hours.ts';
import { isSlug } from '../../contract/rules.ts';
import type { Provider as PublicProvider } from '../../contract/api.ts';
import type { SeriesOptions } from '../series/series.ts';

export interface ProviderService {
  id: string;
  slug: string;
  title: string;
  description: string;
  durationMinutes: number;
  priceCents: number;
  currency: string;
  /** Effective buffers (SQL `effective_buffers`): the service's own value if set, else the provider's policy, else 0. */
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  location: { type?: string; address?: string };
  /** The service's own notice, horizon and daily limit (20261201000400_service_limits.sql); null: the provider's policy. */
  minNoticeMinutes?: number | null;
  horizonDays?: number | null;
  maxPerDay?: number | null;
}

export interface BookingPolicy {
  minNoticeMinutes?: number;
  horizonDays?: number;
  slotStepMinutes?: number;
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  maxPerDay?: number;
  holdMinutes?: number;
  /** Live unpaid holds one contact (email or phone) may have at once; enforced by create_booking_if_free (default 2). */
  maxHoldsPerContact?: number;
  cancelUntilHoursBefore?: number;
  rescheduleUntilHoursBefore?: number;
  refundUntilHoursBefore?: number;
}

/** What `get_public_provider` returns: the provider as the server needs it to take bookings. */
export interface Provider {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  settings: {
    workingHours?: WorkingHours;
    booking?: BookingPolicy;
    whatsapp?: { enabled: boolean; phoneE164?: string; messageTemplate?: string; bookingMode?: 'confirm' | 'request' };
    embed?: { allowedOrigins?: string[] };
    appearance?: { accentColor?: string };
    calendarOnError?: 'hide' | 'ignore';
    /** `settings.profile.personName`: "Layla", where `name` is "Layla Haddad — Personal Training". */
    personName?: string;
  };
  services: ProviderService[];
  /**
   * `providers.booking_version` when read for the booking path (`get_booking_provider`): `book_visitor` refuses a
   * booking judged with an older version (server/bookings/provider-cache.ts).
   */
  version?: number;
}

/** The public, bookable provider by slug, or null when unknown or not public. */
export async function loadProvider(db: Db, slug: string): Promise<Provider | null> {
  if (!isSlug(slug)) return null;
  return db.rpc('get_public_provider', { p_slug: slug });
}

const policyNotice = (p: Provider) => p.settings.booking?.minNoticeMinutes ?? 0;
const policyHorizon = (p: Provider) => p.settings.booking?.horizonDays ?? 60;

/** The fields a visitor may see — never the owner, calendar settings or secrets. */
export function publicProviderJson(p: Provider, series: SeriesOptions = {}): PublicProvider {
  return {
    slug: p.slug,
    name: p.name,
    personName: p.settings.personName ?? null,
    timezone: p.timezone,
    accentColor: p.settings.appearance?.accentColor ?? null,
    embedAllowedOrigins: p.settings.embed?.allowedOrigins ?? null,
    services: p.services.map((s) => ({
      slug: s.slug,
      title: s.title,
      description: s.description,
      durationMinutes: s.durationMinutes,
      priceCents: s.priceCents,
      currency: s.currency,
      location: s.location?.type ? { type: s.location.type, address: s.location.address ?? null } : null,
      ...(series[s.slug] ? { series: series[s.slug] } : {}),
    })),
    whatsapp: {
      enabled: Boolean(p.settings.whatsapp?.enabled && p.settings.whatsapp.phoneE164),
      bookingMode: p.settings.whatsapp?.bookingMode ?? 'confirm',
    },
    // How far the page lets visitors navigate: the widest any service allows (a service may have its own notice and
    // horizon; its slots decide within that).
    booking: {
      minNoticeMinutes: Math.min(...p.services.map((s) => s.minNoticeMinutes ?? policyNotice(p)), policyNotice(p)),
      horizonDays: Math.max(...p.services.map((s) => s.horizonDays ?? policyHorizon(p)), policyHorizon(p)),
    },
  };
}
