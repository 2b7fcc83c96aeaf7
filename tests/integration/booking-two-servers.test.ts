import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openPostgresDb } from '../../server/db/postgres.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startServerProcess, type ServerProcess } from '../support/process.ts';
import { makeProvider } from '../support/fixtures.ts';

let pg: PostgresServer;
let url: string;
let servers: ServerProcess[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase('slotline_http');
  // Both processes migrate the same fresh database at once: the advisory lock serialises them.
  servers = await Promise.all([
    startServerProcess({ DATABASE_URL: url, SEED_DEMO: '0' }),
    startServerProcess({ DATABASE_URL: url, SEED_DEMO: '0' }),
  ]);
  const db = await openPostgresDb({ url, migrate: false });
  await makeProvider(db, { slug: 'kim', settings: { booking: { slotStepMinutes: 60 } } });
  await db.close();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await pg?.stop();
});

describe('two server processes on one PostgreSQL', () => {
  it('200 concurrent POST /api/bookings for one slot: exactly one 201, every other 409', async () => {
    const start = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 2 * 86_400_000).toISOString();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${servers[i % 2].url}/api/bookings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ provider: 'kim', service: 'call', start, email: `v${i}@example.com`, name: `Visitor ${i}` }),
        }).then(async (r) => ({ status: r.status, type: r.status === 409 ? (await r.json()).type : null })),
      ),
    );
    expect(statuses.filter((s) => s.status === 201)).toHaveLength(1);
    const conflicts = statuses.filter((s) => s.status === 409);
    expect(conflicts).toHaveLength(199);
    for (const c of conflicts) expect(c.type).toMatch(/\/slot-taken$/);

    const sql = postgres(url, { max: 1 });
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from bookings`;
    await sql.end();
    expect(n).toBe(1);
  });
});
