/**
 * Booking throughput through the HTTP API against a plain `INSERT` of the same rows on the same
 * PostgreSQL, from the same client process and with the same concurrency (issue 7), then the
 * number of double bookings (a self-join over live bookings on `occupied &&`; must be 0) and
 * the number of acknowledged (`201`) bookings missing from the table (must be 0).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { openPostgresDb } from '../server/db/postgres.ts';
import type { Provider } from '../server/providers/public.ts';
import { makeProvider } from '../tests/support/fixtures.ts';

const HOUR = 3_600_000;

export interface BookingFigures {
  rows: number;
  providers: number;
  concurrency: number;
  httpPerSec: number;
  insertPerSec: number;
  /** HTTP bookings/s ÷ plain INSERTs/s. */
  ratio: number;
  /** Status code → count for the measured HTTP bookings (all should be 201). */
  httpStatuses: Record<string, number>;
  /** Many requests racing for few slots: exactly one 201 per slot, every other answer a 409. */
  contended: { requests: number; slots: number; created: number; conflicts: number; other: number };
  doubleBookings: number;
  acknowledgedMissing: number;
}

interface Row {
  provider: Provider;
  start: Date;
  name: string;
  email: string;
}

/** Runs `task(i)` for i in [0, n) on `concurrency` workers; resolves with the elapsed ms. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return performance.now() - t0;
}

/**
 * Rows spread over providers so none conflict: row i goes to provider i mod P, at the
 * (i div P)-th whole hour from `base` — on every provider's grid (60-minute service and step).
 */
function rowsFor(providers: Provider[], count: number, base: number, tag: string): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    provider: providers[i % providers.length],
    start: new Date(base + Math.floor(i / providers.length) * HOUR),
    name: `Bench ${tag} ${i}`,
    email: `bench-${tag}-${i}@example.com`,
  }));
}

/**
 * @example const r = await benchBookings(serverUrl, databaseUrl); r.ratio; r.doubleBookings // 0
 */
export async function benchBookings(
  serverUrl: string,
  databaseUrl: string,
  options: { rows?: number; providers?: number; concurrency?: number; warmupRows?: number } = {},
): Promise<BookingFigures> {
  const count = options.rows ?? 2_000;
  const providerCount = options.providers ?? 50;
  const concurrency = options.concurrency ?? 10;
  const warmupCount = options.warmupRows ?? 200;

  const db = await openPostgresDb({ url: databaseUrl, max: 2, migrate: false });
  // The plain-INSERT client gets as many connections as there are concurrent HTTP requests.
  const sql = postgres(databaseUrl, { max: concurrency, onnotice: () => {} });
  try {
    const make = (prefix: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          makeProvider(db, { slug: `${prefix}-${i}`, settings: { booking: { slotStepMinutes: 60, horizonDays: 60 } } }),
        ),
      );
    const warm = await make('bench-warm', 10);
    const measured = await make('bench', providerCount);
    const raced = await make('bench-race', 4);

    // Tomorrow 00:00 UTC: every row is in the future and inside the 60-day horizon.
    const base = Math.ceil((Date.now() + HOUR) / 86_400_000) * 86_400_000;
    const rows = rowsFor(measured, count, base, 'r');

    const insert = (r: Row) => {
      const end = new Date(r.start.getTime() + r.provider.services[0].durationMinutes * 60_000);
      const tokenHash = randomBytes(32).toString('hex');
      return sql`
        insert into bookings (provider_id, service_id, starts_at, ends_at, occupied, status,
                              customer_name, customer_email, customer_timezone, manage_token_hash)
        values (${r.provider.id}, ${r.provider.services[0].id}, ${r.start}, ${end},
                tstzrange(${r.start}::timestamptz, ${end}::timestamptz, '[)'), 'confirmed',
                ${r.name}, ${r.email}, 'UTC', ${tokenHash})`;
    };
    const statuses: Record<string, number> = {};
    const acknowledged: string[] = [];
    const post = async (r: Row, record: boolean): Promise<number> => {
      const res = await fetch(`${serverUrl}/api/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: r.provider.slug, service: r.provider.services[0].slug, start: r.start.toISOString(), name: r.name, email: r.email }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json()) as { booking?: { id: string } };
      if (res.status === 201 && body.booking) acknowledged.push(body.booking.id);
      if (record) statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      return res.status;
    };

    // Warm-up of both paths on their own providers and hours.
    const warmHttp = rowsFor(warm, warmupCount, base, 'wh');
    const warmSql = rowsFor(warm, warmupCount, base + 40 * 86_400_000, 'ws');
    await pool(warmupCount, concurrency, async (i) => void (await post(warmHttp[i], false)));
    await pool(warmupCount, concurrency, async (i) => void (await insert(warmSql[i])));

    // The reference first, on a table that is still small: if anything, that favours the INSERT.
    const insertMs = await pool(count, concurrency, async (i) => void (await insert(rows[i])));
    await sql`delete from bookings where provider_id in ${sql(measured.map((p) => p.id))}`;
    await sql`vacuum analyze bookings`;
    const httpMs = await pool(count, concurrency, async (i) => void (await post(rows[i], true)));

    // The race: 20 visitors at once for each of 20 slots (4 providers × 5 hours), all in flight together.
    const slots = rowsFor(raced, 20, base, 'race');
    const race = await Promise.all(
      Array.from({ length: 400 }, (_, i) => post({ ...slots[i % slots.length], email: `race-${i}@example.com` }, false)),
    );
    const contended = {
      requests: race.length,
      slots: slots.length,
      created: race.filter((s) => s === 201).length,
      conflicts: race.filter((s) => s === 409).length,
      other: race.filter((s) => s !== 201 && s !== 409).length,
    };

    const [{ n: doubleBookings }] = await sql<{ n: number }[]>`
      select count(*)::int as n
        from bookings a
        join bookings b on a.provider_id = b.provider_id and a.id < b.id and a.occupied && b.occupied
       where a.status in ('pending', 'confirmed') and b.status in ('pending', 'confirmed')`;
    const [{ n: found }] = await sql<{ n: number }[]>`
      select count(*)::int as n from bookings
       where id = any(${acknowledged}::uuid[]) and status in ('pending', 'confirmed')`;

    const httpPerSec = count / (httpMs / 1000);
    const insertPerSec = count / (insertMs / 1000);
    return {
      rows: count,
      providers: providerCount,
      concurrency,
      httpPerSec: Math.round(httpPerSec),
      insertPerSec: Math.round(insertPerSec),
      ratio: Math.round((httpPerSec / insertPerSec) * 1000) / 1000,
      httpStatuses: statuses,
      contended,
      doubleBookings,
      acknowledgedMissing: acknowledged.length - found,
    };
  } finally {
    await sql.end({ timeout: 5 });
    await db.close();
  }
}
