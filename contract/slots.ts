import type { CompactSlotsResponse, Slot } from './api';

/**
 * The free times of a compact slots answer (`GET /api/v2/providers/:slug/slots`) as `{ start, end }` ISO pairs,
 * ascending — the page's only decoder, and the test's check that v1 and v2 say the same thing. No zod: pages import it.
 * @example decodeSlots({ timezone: 'UTC', durationMinutes: 30, calendar, days: { '2026-12-01': { start: '2026-12-01T00:00:00.000Z', minutes: [540] } } })
 *   // [{ start: '2026-12-01T09:00:00.000Z', end: '2026-12-01T09:30:00.000Z' }]
 */
export function decodeSlots(answer: Pick<CompactSlotsResponse, 'days' | 'durationMinutes'>): Slot[] {
  const out: Slot[] = [];
  // The server writes the days in ascending order, each day's minutes ascending.
  for (const day of Object.values(answer.days)) {
    for (const m of day.minutes) {
      const start = Date.parse(day.start) + m * 6e4;
      out.push({ start: new Date(start).toISOString(), end: new Date(start + answer.durationMinutes * 6e4).toISOString() });
    }
  }
  return out;
}
