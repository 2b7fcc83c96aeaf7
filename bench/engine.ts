/**
 * Benchmark of the availability engine (issue 3): 60 days of a provider with 3 ranges a day
 * and 1,000 busy intervals, 15-minute step, against the same provider computed for 1 day.
 * Target: under 2 ms per 60-day computation. Timings are printed, never asserted in tests.
 *
 * Run: `npx tsx bench/engine.ts` (prints a table, writes bench/engine.json).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { computeSlots, type SlotQuery } from '../server/availability/index.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const BUSY = 1_000;

// Berlin, so the 60 days include a DST switch (25 October 2026).
const FROM = Date.parse('2026-10-01T00:00:00+02:00');

function query(days: number, busyCount: number): SlotQuery {
  // Deterministic pseudo-random busy time (a linear congruential generator), 15–120 minutes
  // long, spread over the window, as ISO strings the way the database hands them over.
  let seed = 42;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const busy = Array.from({ length: busyCount }, () => {
    const start = FROM + Math.floor(next() * days * 96) * 15 * MIN;
    const end = start + (1 + Math.floor(next() * 8)) * 15 * MIN;
    return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  });
  return {
    timezone: 'Europe/Berlin',
    workingHours: {
      intervals: [
        { days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '12:00' },
        { days: [1, 2, 3, 4, 5, 6, 7], start: '13:00', end: '17:00' },
        { days: [1, 2, 3, 4, 5, 6, 7], start: '18:00', end: '21:30' },
      ],
    },
    durationMinutes: 45,
    stepMinutes: 15,
    bufferBeforeMinutes: 5,
    bufferAfterMinutes: 10,
    horizonDays: 90,
    busy,
    now: new Date(FROM - DAY).toISOString(),
    from: new Date(FROM).toISOString(),
    to: new Date(FROM + days * DAY).toISOString(),
  };
}

/** Median wall time in ms of `computeSlots(q)` over `runs` runs, after `warmup` runs. */
function median(q: SlotQuery, warmup: number, runs: number): { ms: number; slots: number } {
  let slots = 0;
  for (let i = 0; i < warmup; i++) slots = computeSlots(q).length;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    computeSlots(q);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], slots };
}

/**
 * 60-day and 1-day computations, median ms each. The 1-day query gets the busy intervals
 * that fall in its day (what the API would load for that window).
 *
 * @example const { msPer60Days, ratio } = await benchEngine();
 */
export async function benchEngine(): Promise<{ msPer60Days: number; msPer1Day: number; ratio: number; busy: number }> {
  const long = query(60, BUSY);
  const short = query(1, 0);
  const end = FROM + DAY;
  short.busy = long.busy.filter((b) => new Date(b.start).getTime() < end && new Date(b.end).getTime() > FROM);
  const a = median(long, 100, 301);
  const b = median(short, 500, 3001);
  return { msPer60Days: round(a.ms), msPer1Day: round(b.ms), ratio: round(a.ms / b.ms), busy: long.busy.length };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchEngine();
  console.table({
    '60 days, 3 ranges/day, 1,000 busy, step 15': { 'median ms': r.msPer60Days },
    '1 day': { 'median ms': r.msPer1Day },
    'ratio 60 days / 1 day': { 'median ms': r.ratio },
  });
  console.log(r.msPer60Days < 2 ? 'target met: under 2 ms per 60-day computation' : 'target missed: 2 ms per 60-day computation');
  const out = fileURLToPath(new URL('./engine.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify({ ...r, node: process.version, measuredAt: new Date().toISOString() }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
