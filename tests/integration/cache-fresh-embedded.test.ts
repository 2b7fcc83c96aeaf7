import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import type { Provider } from '../../server/providers/public.ts';
import { daysAfter, mondayAfterTwoWeeks } from '../support/clock.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';
import { until } from '../support/until.ts';

/**
 * The embedded database (PGlite) is one process, but not every write goes through the HTTP app: the job worker,
 * the hold sweep and the provider CLI (through the admin listener) write too. Their changes reach the app's read
 * cache through PGlite's LISTEN/NOTIFY (server/db/embedded.ts listenForChanges), like another instance's on PostgreSQL.
 */
let db: Awaited<ReturnType<typeof openEmbeddedDb>>;
let app: ReturnType<typeof createApp>;
let reference: ReturnType<typeof createApp>;
let provider: Provider;

const at = mondayAfterTwoWeeks();
const now = () => at;
const { day, at: instant } = daysAfter(at);
const month = `/api/providers/solo/slots?service=call&from=${day(1)}&to=${day(30)}&tz=UTC`;
const CONFIG = { HOST: '127.0.0.1', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' };

beforeAll(async () => {
  db = await openEmbeddedDb();
  app = createApp({ db, config: readConfig({ ...CONFIG, SLOTS_CACHE_MS: '60000' }), now, log: () => {} });
  reference = createApp({ db, config: readConfig({ ...CONFIG, SLOTS_CACHE_MS: '0' }), now, log: () => {} });
  provider = await makeProvider(db, { slug: 'solo' });
});
afterAll(() => db?.close());

async function body(a: ReturnType<typeof createApp>): Promise<string> {
  const res = await a.request(month);
  expect(res.status).toBe(200);
  return res.text();
}

describe('every write fresh on the embedded database (PGlite)', () => {
  it('a change outside the HTTP app (SQL, the hold sweep) clears the 60 s cache; one with triggers off does not', async () => {
    const warm = await body(app);
    // A write nobody announces: the cache keeps answering.
    await db.pg.transaction(async (tx) => {
      await tx.query('set local session_replication_role = replica');
      await tx.query(`insert into external_busy (provider_id, source, starts_at, ends_at) values ($1, 'ics:silent', $2, $3)`,
        [provider.id, instant(2, '10:00'), instant(2, '11:00')]);
    });
    expect(await body(reference)).not.toBe(warm);
    expect(await body(app)).toBe(warm);

    // A hold taken and expired by the sweep, as the job worker and sweep do it: straight through the Db.
    const hold = await bookSql(db, provider, instant(3, '09:00'), { p_hold_minutes: 10 });
    await until(async () => (await body(app)) === (await body(reference)), 'the hold to reach the cache', 5_000);
    const held = await body(app);
    // Its time runs out (time passing announces nothing) ...
    await db.pg.transaction(async (tx) => {
      await tx.query('set local session_replication_role = replica');
      await tx.query(`update bookings set hold_expires_at = now() - interval '1 second' where id = $1`, [hold.booking.id]);
    });
    expect(await body(app)).toBe(held);
    // ... and the sweep's write is announced.
    expect(await db.rpc('expire_holds', { p_provider_id: null })).toBe(1);
    await until(async () => (await body(app)) === (await body(reference)), 'the swept hold to reach the cache', 5_000);
    expect(await body(app)).not.toBe(held);
  });
});
