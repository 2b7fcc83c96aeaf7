/**
 * `npm run bench`: every performance figure of issues 3 and 7, each measured in the same run as
 * its reference, on loopback only. Prints the figures as they come, writes `bench/results.json`
 * and ends with a Markdown table for the README's Performance section. See `bench/README.md`.
 *
 * Order: build (only when `dist/` is missing) → slot engine →
 * a real PostgreSQL 15 and the bench server on it → slots vs hello → bookings vs INSERT and
 * double bookings → sizes → Lighthouse → the same slots vs hello on the embedded database.
 * Every server and PostgreSQL is stopped in `finally` (and on Ctrl-C or the time limit).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../tests/support/postgres.ts';
import { benchBookings, type BookingFigures } from './bookings.ts';
import { benchRoundTrips, type RoundTripFigures } from './round-trips.ts';
import { benchEngine } from './engine.ts';
import { benchSlotsVsHello, type SlotsVsHello } from './http.ts';
import { CHROME_PATH, runLighthouse, type LighthouseFigures } from './lighthouse.ts';
import { markdownTable } from './table.ts';
import { startBenchServer } from './process.ts';
import { benchSizes, type SizeFigures } from './sizes.ts';
import { benchFreshness, type FreshnessFigures } from './freshness.ts';
import { benchScale, type ScaleFigures } from './scale.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
/** The whole run is cut off after this long (it normally takes about five minutes, two of them seeding the scale run). */
const TIME_LIMIT_MS = 14 * 60_000;

export interface Results {
  measuredAt: string;
  machine: { node: string; cpu: string; cores: number };
  engine: Awaited<ReturnType<typeof benchEngine>> | null;
  http: { postgres: SlotsVsHello | null; embedded: SlotsVsHello | null };
  bookings: BookingFigures | null;
  sizes: SizeFigures | null;
  lighthouse: LighthouseFigures | null;
  /** Database round trips per visitor booking, counted through the real port (`bench/round-trips.ts`). */
  roundTrips?: RoundTripFigures | null;
  /** True when `dist/` was older than its sources (see `ensureBuild`). */
  distStale: boolean;
  errors: Record<string, string>;
  /** A booking on instance A seen by instance B's cached slots (issue 16). */
  freshness: FreshnessFigures | null;
  /** As data grows (issue 16): large ÷ small database, `bench/scale.ts`. */
  scale?: ScaleFigures | null;
}

const log = (line: string) => console.log(`[bench] ${line}`);

// ---- stopping whatever was started, whichever way the run ends ---------------------------
const cleanups: (() => Promise<void>)[] = [];
async function cleanUp() {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      console.error(`[bench] clean-up failed: ${(error as Error).message}`);
    }
  }
}
async function abort(reason: string): Promise<never> {
  console.error(`[bench] ${reason}: stopping servers and PostgreSQL`);
  await cleanUp();
  process.exit(1);
}

// ---- tools and build ------------------------------------------------------------------
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds when `dist/` is missing (a fresh clone). A build older than its sources is measured
 * as it is, with a warning: rebuilding here could pull files from under another process
 * serving this checkout.
 */
function ensureBuild(): boolean {
  const outputs = ['dist/pages/index.html', 'dist/widget/widget.js'].map((p) => join(root, p));
  if (outputs.some((p) => !existsSync(p))) {
    log('dist/ is missing: npm run build');
    const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed');
    return false;
  }
  const sources = Math.max(newestMtime(join(root, 'pages')), newestMtime(join(root, 'widget')));
  const stale = outputs.some((p) => statSync(p).mtimeMs < sources);
  if (stale) log('warning: dist/ is older than pages/ or widget/; sizes and Lighthouse measure that older build (npm run build first)');
  return stale;
}

/** PostgreSQL's server binaries live outside PATH on Debian; Chromium and PostgreSQL come from scripts/setup.sh. */
function ensureTools() {
  const pgBin = () => {
    const base = '/usr/lib/postgresql';
    if (!existsSync(base)) return null;
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin/initdb')));
    versions.sort((a, b) => Number(a) - Number(b));
    return versions.length ? join(base, versions[versions.length - 1], 'bin') : null;
  };
  if (!pgBin() || !existsSync(CHROME_PATH)) {
    log('PostgreSQL or Chromium is missing: bash scripts/setup.sh');
    spawnSync('bash', ['scripts/setup.sh'], { cwd: root, stdio: 'inherit' });
  }
  const bin = pgBin();
  if (bin && !(process.env.PATH ?? '').split(':').includes(bin)) process.env.PATH = `${process.env.PATH}:${bin}`;
}

// ---- the run --------------------------------------------------------------------------
async function section<T>(name: string, results: Results, fn: () => Promise<T>): Promise<T | null> {
  const t0 = Date.now();
  try {
    const value = await fn();
    log(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return value;
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    results.errors[name] = message;
    console.error(`[bench] ${name} failed: ${message}`);
    return null;
  }
}

async function main() {
  const started = Date.now();
  const results: Results = {
    measuredAt: new Date().toISOString(),
    machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
    engine: null,
    http: { postgres: null, embedded: null },
    bookings: null,
    sizes: null,
    lighthouse: null,
    distStale: false,
    errors: {},
    freshness: null,
  };

  ensureTools();
  results.distStale = ensureBuild();

  // Before any server exists, so nothing else competes for the CPU.
  results.engine = await section('slot engine', results, () => benchEngine());

  const pg = await section('PostgreSQL', results, async () => {
    const server = await startPostgres();
    cleanups.push(() => server.stop());
    return server;
  });
  if (pg) {
    const databaseUrl = await pg.createDatabase('slotline_bench');
    const server = await section('bench server (PostgreSQL)', results, async () => {
      const s = await startBenchServer({ databaseUrl });
      cleanups.push(() => s.stop());
      return s;
    });
    if (server) {
      log('slots endpoint vs hello world (PostgreSQL): 2 × (2 s warm-up + 8 s)');
      results.http.postgres = await section('slots vs hello (PostgreSQL)', results, () => benchSlotsVsHello(server.url));
      log('bookings: HTTP API vs plain INSERT');
      results.bookings = await section('bookings vs INSERT', results, () => benchBookings(server.url, databaseUrl));
      results.roundTrips = await section('round trips per booking', results, () => benchRoundTrips(databaseUrl));
      results.sizes = await section('sizes', results, () => benchSizes(server.url));
      log('Lighthouse (mobile) on /c/demo');
      results.lighthouse = await section('lighthouse', results, () => runLighthouse(`${server.url}/c/demo`));
      log('freshness: a booking on instance A seen by instance B (two more servers on the same PostgreSQL)');
      results.freshness = await section('freshness', results, () => benchFreshness(databaseUrl));
    }
    await cleanUp();
  }

  const embedded = await section('bench server (embedded)', results, async () => {
    const s = await startBenchServer();
    cleanups.push(() => s.stop());
    return s;
  });
  if (embedded) {
    log('slots endpoint vs hello world (embedded PGlite): 2 × (2 s warm-up + 8 s)');
    results.http.embedded = await section('slots vs hello (embedded)', results, () => benchSlotsVsHello(embedded.url));
  }
  await cleanUp();

  // As data grows (issue 16): its own PostgreSQL with a large and a small database, seeded in SQL (BENCH_SCALE).
  log(`scale: ${process.env.BENCH_SCALE || 2000} providers (BENCH_SCALE) against 50, seeded in SQL; slots uncached and bookings`);
  results.scale = await section('scale', results, async () => {
    const server = await startPostgres();
    cleanups.push(() => server.stop());
    return benchScale(server, { log, onCleanup: (stop) => cleanups.push(stop) });
  });
  await cleanUp();

  const out = join(root, 'bench/results.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${out} (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
  if (results.lighthouse?.error) log(`Lighthouse gave no figures: ${results.lighthouse.error}`);
  console.log('');
  console.log(markdownTable(results));

  const broken =
    Object.keys(results.errors).length > 0 ||
    (results.bookings &&
      (results.bookings.doubleBookings !== 0 ||
        results.bookings.acknowledgedMissing !== 0 ||
        results.bookings.contended.created !== results.bookings.contended.slots));
  process.exitCode = broken ? 1 : 0;
}

process.once('SIGINT', () => void abort('interrupted'));
process.once('SIGTERM', () => void abort('terminated'));
const limit = setTimeout(() => void abort(`over the ${TIME_LIMIT_MS / 60_000}-minute limit`), TIME_LIMIT_MS);
limit.unref();

try {
  await main();
} catch (error) {
  console.error(`[bench] ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
