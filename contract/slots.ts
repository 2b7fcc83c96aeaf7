import type { CompactSlotsResponse, Slot } from './api';

/**
 * The free times of a compact slots answer (`GET /api/v2/providers/:slug/slots`) as `{ start, end }` ISO pairs,
 * ascending — the page's only decoder, and the test's check that v1 and v2 say the same thing. No zod: pages import it.
 * @example decodeSlots({ timezone: 'UTC', durationMinutes: 30, calendar, days: { '2026-12-01': { start: '2026-12-01T00:00:00.000Z', minutes: [540] } } })
 *   // [{ start: '2026-12-01T09:00:00.000Z', end: '2026-12-01T09:30:00.000Z' }]
 */
export function decodeSlots(answer: Pick<CompactSlotsResponse, 'days' | 'durationMinutes'>): Slot[] {
  const out: Slot[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const date of Object.keys(answer.days).sort()) {
    const day = answer.days[date];
    const start = Date.parse(day.start);
    for (const m of day.minutes) out.push({ start: iso(start + m * 6e4), end: iso(start + (m + answer.durationMinutes) * 6e4) });
  }
  return out;
}
