/**
 * The availability engine (issue 3): pure functions from working hours, policy and busy
 * time to bookable slots. No I/O, no clock reads; zone math with luxon.
 */
export { computeSlots, type Instant, type Slot, type SlotQuery } from './slots.ts';
export { checkStart } from './check.ts';
export { compactByLocalDay, countByLocalDay, localDayOf, startOfLocalDay } from './local-day.ts';
export { workingHoursSchema, weeklyRanges, type WorkingHours } from './working-hours.ts';
