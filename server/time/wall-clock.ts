/**
 * The one rule that turns a local wall-clock time into an instant, shared by the availability engine (IANA zones)
 * and calendar expansion (IANA zones and VTIMEZONE blocks).
 *
 * Wall-clock times are carried as "wall milliseconds": the local date and time read as if it were UTC
 * (`Date.UTC(y, m - 1, d, h, mi, s)`). A zone is an `OffsetAt` function: UTC instant → offset in milliseconds.
 */

/** UTC instant (ms) → UTC offset of the zone at that instant (ms). */
export type OffsetAt = (utcMs: number) => number;
import { HOUR } from './units.ts';

// Every UTC offset in the tz database lies within [-12h, +14h], so the instant for a wall time W lies within
// [W - 14h, W + 12h]; a window a little wider also holds for VTIMEZONE offsets up to ±18h (RFC 5545 allows them).
const EARLIEST = 18 * HOUR;
const LATEST = 18 * HOUR;

/**
 * The instant of a wall time, following RFC 5545 §3.3.5: a wall time inside a spring-forward gap is read with the
 * offset in force before the gap (02:30 New York on the switch day → 07:30Z = 03:30 EDT); a wall time that occurs
 * twice (fall back) means its first occurrence. luxon's own `DateTime.fromObject` picks the later occurrence,
 * hence this function.
 *
 * @example wallToInstant(Date.UTC(2026, 2, 8, 2, 30), ianaOffset('America/New_York')) // 07:30Z (03:30 EDT)
 */
export function wallToInstant(wall: number, offsetAt: OffsetAt): number {
  const before = offsetAt(wall - EARLIEST);
  const after = offsetAt(wall + LATEST);
  if (before === after) return wall - before;
  // One transition in the window (no zone changes offset twice within a day and a half).
  const early = wall - before;
  const late = wall - after;
  const earlyOk = early + offsetAt(early) === wall;
  const lateOk = late + offsetAt(late) === wall;
  if (earlyOk && lateOk) return Math.min(early, late); // repeated: first occurrence
  if (lateOk) return late;
  return early; // valid with the earlier offset, or in the gap: offset before the gap
}
