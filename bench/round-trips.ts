/**
 * Round trips per visitor booking (issue 16): the real app, in this process, on the bench's PostgreSQL, through a
 * counting wrapper around the real database port (`tests/support/counting-db.ts`): every `rpc` is one statement sent
 * and answered. The bench's case — a free service, no wallet, no calendars, rate limits off as on the bench server.
 * The first booking (reading the manage-link secret and filling the provider cache once per process) is left out:
 * the figure is the steady state a busy server sees.
 */
import { createApp } from '../server/app.ts';
import { readConfig } from '../server/config.ts';
import { openPostgresDb } from '../server/db/postgres.ts';
import { countingDb } from '../tests/support/counting-db.ts';
import { makeProvider } from '../tests/support/fixtures.ts';

export interface RoundTripFigures {
  bookings: number;
  /** Database round trips per booking (steady state). */
  perBooking: number;
  /** The SQL functions one booking calls, in order. */
  calls: string[];
}

const HOUR = 3_600_000;

/** @example const r = await benchRoundTrips(databaseUrl); r.perBooking // 1 */
export async function benchRoundTrips(databaseUrl: string, options: { bookings?: number } = {}): Promise<RoundTripFigures> {
  const count = options.bookings ?? 20;
  const raw = await openPostgresDb({ url: databaseUrl, max: 2, migrate: false });
  const db = countingDb(raw);
  try {
    const provider = await makeProvider(raw, { slug: `bench-trips-${Date.now()}`, settings: { booking: { slotStepMinutes: 60, horizonDays: 60 } } });
    const config = readConfig({ HOST: '127.0.0.1', NODE_ENV: 'production', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' });
    const app = createApp({ db, config, log: () => {} });
    const base = Math.ceil((Date.now() + HOUR) / 86_400_000) * 86_400_000 + 3 * 86_400_000;
    const book = async (i: number) => {
      const res = await app.request('/api/bookings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: provider.slug, service: provider.services[0].slug, start: new Date(base + i * HOUR).toISOString(), name: `Trips ${i}`, email: `trips-${i}@example.com` }),
      });
      if (res.status !== 201) throw new Error(`booking ${i} answered ${res.status}: ${await res.text()}`);
    };
    await book(0);
    db.reset();
    let calls: string[] = [];
    for (let i = 1; i <= count; i++) {
      const before = db.calls.length;
      await book(i);
      calls = db.calls.slice(before);
    }
    return { bookings: count, perBooking: Math.round((db.calls.length / count) * 100) / 100, calls };
  } finally {
    await raw.close();
  }
}
