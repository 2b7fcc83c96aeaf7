/**
 * As data grows (issue 16): the same providers measured in a large database and in a small one on the same
 * PostgreSQL, same run. Both databases are seeded by the same SQL (`seedScale`, `generate_series`) with the same
 * per-provider data — a busiest provider and typical ones, each with bookings over two years back and two months
 * ahead and a connected calendar with cached busy rows — and differ only in how many providers (and so rows) the
 * tables hold. Reported, large ÷ small (goal ≥ 0.9):
 * - uncached month slots (`SLOTS_CACHE_MS=0`) of the busiest and of a typical provider: median latency of requests
 *   sent in pairs (one to each database's server, in turns), so load from elsewhere on the cores hits both alike;
 * - bookings through `POST /api/bookings` (`benchBookings`, fewer rows than the main run);
 * plus the hold sweep (`expire_holds()`) on the large database with and without its partial index, and the time per
 * call of each SQL function on the slots path (200 calls in a loop from postgres.js, busiest provider).
 *
 * Size: `BENCH_SCALE` = number of providers in the large database (default 2000 ≈ 1,000,000 bookings and as many
 * cached busy rows); the small one has 50. Runnable alone: `npx tsx bench/scale.ts`.
 */
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { openPostgresDb } from '../server/db/postgres.ts';
import { makeProvider } from '../tests/support/fixtures.ts';
import { startPostgres, type PostgresServer } from '../tests/support/postgres.ts';
import { benchBookings } from './bookings.ts';
import { startBenchServer, type BenchServer } from './process.ts';

const DAY = 86_400_000;
/** Bookings (and cached busy rows) of a typical provider; 2,000 providers × this ≈ 1,000,000 rows. */
const PER_PROVIDER = 488;
/** The busiest provider has this many times a typical one's rows (≈ 24,000: a booking every 46 minutes for 790 days). */
const BUSIEST_FACTOR = 50;
const SMALL_PROVIDERS = 50;

export interface ScaleDbFigures {
  providers: number;
  bookings: number;
  externalBusy: number;
  seedSeconds: number;
  /** Uncached month slots, median latency in ms (paired requests, see `pairedMedians`). */
  busiestP50Ms: number;
  typicalP50Ms: number;
  bookingsPerSec: number;
}

export interface ScaleFigures {
  large: ScaleDbFigures;
  small: ScaleDbFigures;
  /** Speed large ÷ small (for slots: small p50 ÷ large p50). */
  busiestRatio: number;
  typicalRatio: number;
  bookingsRatio: number;
  /** `select expire_holds()` on the large database, median ms: with the partial index, and with it dropped (rolled back). */
  sweepMs: { indexed: number; withoutIndex: number };
  /** Average ms per call over 200 calls (one connection, after a warm-up), busiest provider, large database. */
  perCallMs: Record<string, number>;
  /** Concurrent workers of the paired slots requests, and seconds per provider. */
  workers: number;
  seconds: number;
}

/** Provider `scale-<i>`; `scale-0` is the busiest. The month view asked for is from tomorrow to +30 days. */
export async function seedScale(databaseUrl: string, providers: number): Promise<{ bookings: number; externalBusy: number; seconds: number }> {
  const t0 = performance.now();
  const db = await openPostgresDb({ url: databaseUrl, max: 1 });
  try {
    await makeProvider(db, { slug: 'scale-template', settings: { booking: { slotStepMinutes: 30, horizonDays: 90 } } });
  } finally {
    await db.close();
  }
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      // Bulk rows as a restore would load them: no triggers (no jobs, mail or write-back for history). The
      // exclusion constraint still holds (it is an index, not a trigger), so the rows must not overlap.
      await tx`set local session_replication_role = replica`;
      await tx`
        create temp table scale_p on commit drop as
        select g as idx,
               md5('scale-provider-' || g)::uuid as id,
               md5('scale-user-' || g)::uuid as user_id,
               md5('scale-service-' || g)::uuid as service_id,
               md5('scale-int-' || g)::uuid as integration_id,
               case when g = 0 then ${PER_PROVIDER * BUSIEST_FACTOR}::int else ${PER_PROVIDER}::int end as n
          from generate_series(0, ${providers - 1}::int) g`;
      // Two years back to 60 days ahead, rows evenly spread; a booking lasts 30 minutes.
      await tx`alter table scale_p add column spacing int`;
      await tx`update scale_p set spacing = greatest(45, (790 * 1440) / n)`;
      await tx`insert into auth.users (id, email) select user_id, 'scale-' || idx || '@example.com' from scale_p`;
      await tx`
        insert into providers (id, owner_user_id, public_slug, display_name, is_public, timezone, settings)
        select p.id, p.user_id, 'scale-' || p.idx, 'Scale ' || p.idx, true, t.timezone,
               t.settings || '{"calendar": {"maxAgeMinutes": 100000, "maxStaleMinutes": 100000}}'::jsonb
          from scale_p p, providers t where t.public_slug = 'scale-template'`;
      await tx`
        insert into services (id, provider_id, slug, title, description, duration_minutes, price_cents, currency,
                              buffer_before_minutes, buffer_after_minutes, location, is_active, position)
        select p.id_s, p.id, s.slug, s.title, s.description, s.duration_minutes, s.price_cents, s.currency,
               s.buffer_before_minutes, s.buffer_after_minutes, s.location, s.is_active, s.position
          from (select service_id as id_s, id from scale_p) p,
               services s join providers t on t.id = s.provider_id and t.public_slug = 'scale-template'`;
      await tx`
        insert into bookings (provider_id, service_id, starts_at, ends_at, occupied, status, hold_expires_at,
                              customer_name, customer_email, customer_timezone)
        select p.id, p.service_id, b.at, b.at + interval '30 minutes', tstzrange(b.at, b.at + interval '30 minutes', '[)'),
               b.status, case when b.status in ('pending', 'expired') then least(b.at, now() + interval '1 day') end,
               'Visitor ' || i, 'v' || i || '@example.com', 'UTC'
          from scale_p p
          cross join lateral generate_series(0, p.n - 1) i
          cross join lateral (
            select at,
                   case when i % 10 = 0 then 'cancelled' when i % 10 = 5 then 'expired'
                        when i % 50 = 7 and at > now() then 'pending' else 'confirmed' end as status
              from (select date_trunc('hour', now()) - interval '730 days' + make_interval(mins => i * p.spacing) as at) a
          ) b`;
      // A connected ICS calendar per provider, synced, with its cached busy rows (15 minutes, between bookings).
      await tx`
        insert into integrations (id, user_id, integration_type, label, status)
        select integration_id, user_id, 'ics', 'Scale feed', 'active' from scale_p`;
      await tx`
        insert into integration_secrets (integration_id, user_id, secret)
        select integration_id, user_id, '{"ciphertext": "x", "iv": "x", "tag": "x"}'::jsonb from scale_p`;
      await tx`
        insert into calendar_sync_state (provider_id, source, covered_from, covered_to, last_attempt_at, last_success_at)
        select id, 'ics:' || integration_id, now() - interval '800 days', now() + interval '400 days', now(), now()
          from scale_p`;
      await tx`
        insert into external_busy (provider_id, source, starts_at, ends_at)
        select p.id, 'ics:' || p.integration_id, a.at, a.at + interval '15 minutes'
          from scale_p p
          cross join lateral generate_series(0, p.n - 1) i
          cross join lateral (select date_trunc('hour', now()) - interval '730 days'
                                     + make_interval(mins => i * p.spacing + 30) as at) a`;
    });
    await sql`vacuum analyze`;
    const [{ bookings }] = await sql<{ bookings: number }[]>`select count(*)::int as bookings from bookings`;
    const [{ busy }] = await sql<{ busy: number }[]>`select count(*)::int as busy from external_busy`;
    return { bookings, externalBusy: busy, seconds: Math.round((performance.now() - t0) / 100) / 10 };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** `YYYY-MM-DD` in UTC. */
const utcDate = (at: number) => new Date(at).toISOString().slice(0, 10);

function monthPath(slug: string): string {
  const now = Date.now();
  return `/api/providers/${slug}/slots?service=call&from=${utcDate(now + DAY)}&to=${utcDate(now + 31 * DAY)}`;
}

/**
 * Month requests to two servers in pairs — each worker asks one, then the other, in turns — so whatever else runs
 * on the shared cores slows both sides alike. Returns each side's median latency (ms) over `seconds`.
 */
async function pairedMedians(a: string, b: string, seconds: number, workers: number): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  const get = async (side: 0 | 1) => {
    const t0 = performance.now();
    const res = await fetch(side === 0 ? a : b);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${side === 0 ? a : b} answered ${res.status}`);
    times[side].push(performance.now() - t0);
  };
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = w; performance.now() < end; i++) {
        const first = (i % 2) as 0 | 1;
        await get(first);
        await get((1 - first) as 0 | 1);
      }
    }),
  );
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return [median(times[0]), median(times[1])];
}

/** Average ms per call of `select <call>` over `n` calls, one at a time on one connection, after 20 warm-up calls. */
async function perCall(sql: postgres.Sql, text: string, params: unknown[], n = 200): Promise<number> {
  for (let i = 0; i < 20; i++) await sql.unsafe(text, params as never[]);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await sql.unsafe(text, params as never[]);
  return Math.round(((performance.now() - t0) / n) * 1000) / 1000;
}

/** Median ms of `select expire_holds()` (10 runs); with `dropIndex`, inside a transaction that drops the partial index and rolls back. */
async function sweepMs(sql: postgres.Sql, dropIndex: boolean): Promise<number> {
  const times: number[] = [];
  const run = async (tx: postgres.TransactionSql) => {
    if (dropIndex) await tx`drop index bookings_pending_hold_idx`;
    for (let i = 0; i < 11; i++) {
      const t0 = performance.now();
      await tx`select public.expire_holds(null)`;
      if (i > 0) times.push(performance.now() - t0);
    }
    throw new Error('rollback');
  };
  await sql.begin(run).catch((e: Error) => {
    if (e.message !== 'rollback') throw e;
  });
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 1000) / 1000;
}

/** The SQL functions a slots request calls, each timed alone (busiest provider, month window, as the route sends them). */
async function slotsPathPerCall(databaseUrl: string): Promise<Record<string, number>> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ id }] = await sql<{ id: string }[]>`select id from providers where public_slug = 'scale-0'`;
    const from = new Date();
    const to = new Date(Date.now() + 32 * DAY);
    const out: Record<string, number> = {};
    out.get_public_provider = await perCall(sql, 'select public.get_public_provider(p_slug => $1) as result', ['scale-0']);
    out.get_calendar_cache = await perCall(sql, 'select public.get_calendar_cache(p_provider_id => $1, p_from => $2, p_to => $3) as result', [id, from, to]);
    const [{ exists }] = await sql<{ exists: boolean }[]>`select exists (select 1 from pg_proc where proname = 'get_calendar_health') as exists`;
    if (exists) out.get_calendar_health = await perCall(sql, 'select public.get_calendar_health(p_provider_id => $1) as result', [id]);
    out.get_busy = await perCall(sql, 'select public.get_busy(p_provider_id => $1, p_from => $2, p_to => $3) as result', [id, from, to]);
    return out;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Seeds both databases, measures both, returns the figures. `pg` is the run's PostgreSQL; servers it starts are
 * stopped before it returns, and `onCleanup` gets each stop so an aborted run stops them too.
 *
 * @example const r = await benchScale(pg); r.busiestRatio // ≥ 0.9 is the goal
 */
export async function benchScale(
  pg: PostgresServer,
  options: { providers?: number; workers?: number; seconds?: number; bookingRows?: number; log?: (line: string) => void; onCleanup?: (stop: () => Promise<void>) => void } = {},
): Promise<ScaleFigures> {
  const providers = options.providers ?? Number(process.env.BENCH_SCALE || 2000);
  const workers = options.workers ?? 4;
  const seconds = options.seconds ?? 10;
  const log = options.log ?? (() => {});
  const sizes = { large: providers, small: SMALL_PROVIDERS };

  const dbs: Record<'large' | 'small', { url: string; seed: Awaited<ReturnType<typeof seedScale>>; server?: BenchServer }> = {} as never;
  const servers: BenchServer[] = [];
  try {
    for (const which of ['small', 'large'] as const) {
      const url = await pg.createDatabase(`slotline_scale_${which}`);
      log(`scale: seeding the ${which} database (${sizes[which]} providers)`);
      const seed = await seedScale(url, sizes[which]);
      log(`scale: ${which}: ${seed.bookings.toLocaleString('en-US')} bookings, ${seed.externalBusy.toLocaleString('en-US')} busy rows in ${seed.seconds} s`);
      // The read cache off: every request computes its month.
      const server = await startBenchServer({ databaseUrl: url, env: { SLOTS_CACHE_MS: '0' } });
      servers.push(server);
      options.onCleanup?.(() => server.stop());
      dbs[which] = { url, seed, server };
    }

    const latency: Record<string, number> = {};
    for (const slug of ['scale-0', 'scale-1']) {
      const [small, large] = [dbs.small.server!.url + monthPath(slug), dbs.large.server!.url + monthPath(slug)];
      await pairedMedians(small, large, 1, workers);
      [latency[`small:${slug}`], latency[`large:${slug}`]] = await pairedMedians(small, large, seconds, workers);
    }
    const round = (n: number) => Math.round(n * 10) / 10;
    log(`scale: month slots p50 ms busiest ${round(latency['small:scale-0'])} → ${round(latency['large:scale-0'])}, typical ${round(latency['small:scale-1'])} → ${round(latency['large:scale-1'])}`);

    const booked: Record<string, number> = {};
    for (const which of ['small', 'large'] as const) {
      const r = await benchBookings(dbs[which].server!.url, dbs[which].url, { rows: options.bookingRows ?? 1000, providers: 50, warmupRows: 100 });
      if (r.doubleBookings !== 0 || r.acknowledgedMissing !== 0) throw new Error(`scale ${which}: ${r.doubleBookings} double bookings, ${r.acknowledgedMissing} acknowledged missing`);
      booked[which] = r.httpPerSec;
    }
    log(`scale: bookings/s ${booked.small} → ${booked.large}`);

    const sql = postgres(dbs.large.url, { max: 1, onnotice: () => {} });
    let sweep: ScaleFigures['sweepMs'];
    try {
      sweep = { indexed: await sweepMs(sql, false), withoutIndex: await sweepMs(sql, true) };
    } finally {
      await sql.end({ timeout: 5 });
    }
    const perCallMs = await slotsPathPerCall(dbs.large.url);

    const figures = (which: 'large' | 'small'): ScaleDbFigures => ({
      providers: sizes[which],
      bookings: dbs[which].seed.bookings,
      externalBusy: dbs[which].seed.externalBusy,
      seedSeconds: dbs[which].seed.seconds,
      busiestP50Ms: round(latency[`${which}:scale-0`]),
      typicalP50Ms: round(latency[`${which}:scale-1`]),
      bookingsPerSec: booked[which],
    });
    const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
    return {
      large: figures('large'),
      small: figures('small'),
      // Speed large ÷ small = latency small ÷ large.
      busiestRatio: ratio(latency['small:scale-0'], latency['large:scale-0']),
      typicalRatio: ratio(latency['small:scale-1'], latency['large:scale-1']),
      bookingsRatio: ratio(booked.large, booked.small),
      sweepMs: sweep,
      perCallMs,
      workers,
      seconds,
    };
  } finally {
    for (const s of servers) await s.stop();
  }
}

if (process.argv[1]?.endsWith('bench/scale.ts')) {
  const pg = await startPostgres();
  try {
    console.log(JSON.stringify(await benchScale(pg, { log: (l) => console.log(`[bench] ${l}`) }), null, 2));
  } finally {
    await pg.stop();
  }
}
