import { syncBookingToCalendars } from '../calendars/write-back.ts';
import type { Db } from '../db/port.ts';

export interface WriteBackBooking {
  id: string;
  start: string | Date;
  end: string | Date;
  serviceTitle: string;
  customerName: string;
  customerEmail?: string | null;
  providerName: string;
  manageUrl?: string | null;
  location?: string | null;
  notes?: string | null;
}

/**
 * Mirrors a booking change into the provider's connected CalDAV / Google calendars, in the
 * background. A failed write-back is retried by the calendar module and never undoes a booking,
 * so nothing here is awaited by the request that made the change.
 */
export function writeBackLater(db: Db, providerId: string, b: WriteBackBooking, action: 'upsert' | 'delete', log = console.warn): void {
  syncBookingToCalendars(db, providerId, {
    id: b.id,
    start: b.start,
    end: b.end,
    summary: `${b.serviceTitle}: ${b.customerName || b.customerEmail || 'booking'}`,
    customerName: b.customerName,
    customerEmail: b.customerEmail ?? null,
    manageUrl: b.manageUrl ?? null,
    location: b.location ?? null,
    notes: b.notes ?? null,
    // RFC 5545 SEQUENCE must grow with each change; seconds since 2026 do.
    sequence: Math.max(0, Math.floor((Date.now() - Date.UTC(2026, 0, 1)) / 1000)),
  }, action, { log }).catch((error: unknown) => log(`[slotline] calendar write-back for ${b.id} failed: ${(error as Error).message}`));
}
