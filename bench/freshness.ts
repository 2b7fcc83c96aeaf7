/**
 * Issue 16, every instance fresh: how long a booking made on instance A stays invisible to instance B's cached
 * slots. Two bench servers (their own processes, default settings) on the same PostgreSQL; per trial B's month of
 * `demo` slots is warm in its cache, one of its offered slots is booked through A, and B is asked again every few
 * ms until its answer changes. The delay runs from A's `201` to B's first changed answer. Without notifications
 * (before LISTEN/NOTIFY, or on Supabase) the answer would change only when B's cache entry expires: up to the
 * cache TTL (`SLOTS_CACHE_MS`, 5,000 ms by default) — the reference printed beside it.
 *
 * Alone: `npx tsx -e "import('./bench/freshness.ts').then(m => m.benchFreshnessAlone())"`.
 */
import { performance } from 'node:perf_hooks';
import { readConfig } from '../server/config.ts';
import { startPostgres } from '../tests/support/postgres.ts';
import { startBenchServer, type BenchServer } from './process.ts';

const DAY = 86_400_000;

export interface FreshnessFigures {
  trials: number;
  /** Delay from A's 201 to B's first answer without the slot, per trial (ms). */
  medianMs: number;
  maxMs: number;
  /** Median time B took for its first changed answer (a cache miss: the month computed again), part of the delay. */
  recomputeMedianMs: number;
  /** How often B was asked while waiting (ms between one answer and the next question). */
  pollEveryMs: number;
  /** B's cache TTL: how stale an answer could be without notifications. */
  cacheTtlMs: number;
}

function localDate(at: number, zone: string): string {
  return new Date(at).toLocaleDateString('en-CA', { timeZone: zone });
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return res.text();
}

/**
 * @example const f = await benchFreshness(databaseUrl); f.medianMs // a few ms; f.cacheTtlMs // 5000
 */
export async function benchFreshness(
  databaseUrl: string,
  options: { trials?: number; pollEveryMs?: number } = {},
): Promise<FreshnessFigures> {
  const trials = options.trials ?? 20;
  const pollEveryMs = options.pollEveryMs ?? 2;
  const cacheTtlMs = readConfig({ ...process.env, HOST: '127.0.0.1' }).readCacheMs;
  const servers: BenchServer[] = [];
  try {
    // One after the other: the first seeds the demo provider when the database has none.
    servers.push(await startBenchServer({ databaseUrl }));
    servers.push(await startBenchServer({ databaseUrl }));
    const [a, b] = servers;
    const zone = 'Asia/Dubai';
    const path = `/api/providers/demo/slots?service=intro&from=${localDate(Date.now() + DAY, zone)}&to=${localDate(Date.now() + 31 * DAY, zone)}`;
    const delays: number[] = [];
    const recomputes: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const warm = await text(b.url + path);
      if ((await text(b.url + path)) !== warm) throw new Error('B answered differently twice in a row before any booking');
      const { slots } = JSON.parse(warm) as { slots: { start: string }[] };
      const start = slots[Math.floor(slots.length / 2)]?.start;
      if (!start) throw new Error('the demo provider has no free slot left in the month');
      const booked = await fetch(`${a.url}/api/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'demo', service: 'intro', start, name: `Fresh ${trial}`, email: `fresh-${trial}-${Date.now()}@example.com` }),
      });
      const t0 = performance.now();
      if (booked.status !== 201) throw new Error(`booking through A answered ${booked.status}: ${await booked.text()}`);
      for (;;) {
        const asked = performance.now();
        if ((await text(b.url + path)) !== warm) {
          recomputes.push(performance.now() - asked);
          break;
        }
        if (performance.now() - t0 > cacheTtlMs + 2_000) throw new Error(`B still offered ${start} after ${cacheTtlMs + 2_000} ms`);
        await new Promise((r) => setTimeout(r, pollEveryMs));
      }
      delays.push(performance.now() - t0);
    }
    delays.sort((x, y) => x - y);
    return { trials, medianMs: median(delays), maxMs: delays[delays.length - 1], recomputeMedianMs: median(recomputes), pollEveryMs, cacheTtlMs };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** This figure alone, on a throwaway PostgreSQL (prints the JSON). */
export async function benchFreshnessAlone(): Promise<void> {
  const pg = await startPostgres();
  try {
    const figures = await benchFreshness(await pg.createDatabase('slotline_fresh'));
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    await pg.stop();
  }
}
