import type { BookingRow } from '../bookings/booking.ts';

/** `get_series_options`: service slug → the series it allows (only services that allow one are listed). */
export type SeriesOptions = Record<string, { maxOccurrences: number; maxIntervalWeeks: number }>;

/** What `series_json` answers: the series, its provider and service, its payment and every occurrence with its index. */
export interface SeriesRow {
  id: string;
  intervalWeeks: number;
  occurrences: number;
  timezone: string;
  provider: string;
  providerName: string;
  providerTimezone: string;
  providerPolicy: Record<string, unknown>;
  service: string;
  serviceTitle: string;
  durationMinutes: number;
  totalCents: number;
  payment: { status: string; amountCents: number; currency: string; checkoutUrl: string | null } | null;
  bookings: (BookingRow & { index: number })[];
}
