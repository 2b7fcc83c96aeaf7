/**
 * The booking path alone (issue 16): round trips per booking, then bookings via HTTP vs plain INSERT with the race
 * and the double-booking check, on a fresh PostgreSQL and bench server — the `bookings` and `round trips` parts of
 * `npm run bench` without the rest. `npx tsx bench/booking-path.ts` (PostgreSQL's binaries on PATH).
 */
import { startPostgres } from '../tests/support/postgres.ts';
import { benchBookings } from './bookings.ts';
import { startBenchServer } from './process.ts';
import { benchRoundTrips } from './round-trips.ts';

const pg = await startPostgres();
try {
  const url = await pg.createDatabase('slotline_bench');
  const server = await startBenchServer({ databaseUrl: url });
  try {
    console.log(JSON.stringify({ roundTrips: await benchRoundTrips(url) }));
    console.log(JSON.stringify({ bookings: await benchBookings(server.url, url) }));
  } finally {
    await server.stop();
  }
} finally {
  await pg.stop();
}
