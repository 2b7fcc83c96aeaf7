import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import { openPostgresDb } from '../../server/db/postgres.ts';
import type { Db } from '../../server/db/port.ts';
import type { Provider } from '../../server/providers/public.ts';
import { daysAfter, mondayAfterTwoWeeks } from '../support/clock.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { until } from '../support/until.ts';

/**
 * Issue 16, every instance fresh: two app instances on one PostgreSQL 15, each with its own Db handle (its own pool
 * and LISTEN connection) and a read cache that would keep a month of slots for 60 s. A change made through A, or
 * directly in SQL, reaches B's cached answer only through the database's notification
 * (supabase/migrations/20261201001100_change_notifications.sql → Db.listenForChanges → the app clears its cache).
 *
 * "Fresh" is judged against a third app without a cache on the same database (the reference), and every test first
 * shows that B's cache really holds: a change made with triggers off (`session_replication_role = replica`, so no
 * NOTIFY) is not seen by B while the reference sees it. Waits are bounded polls; nothing asserts a duration.
 */
let pg: PostgresServer;
let dbA: Db & { sql: postgres.Sql };
let dbB: Db & { sql: postgres.Sql };
let apps: { a: ReturnType<typeof createApp>; b: ReturnType<typeof createApp>; reference: ReturnType<typeof createApp> };
let provider: Provider;
let cached: ReturnType<typeof readConfig>;

const at = mondayAfterTwoWeeks();
const now = () => at;
const { day, at: instant } = daysAfter(at);
const month = `/api/providers/fresh/slots?service=call&from=${day(1)}&to=${day(30)}&tz=UTC`;
/** How long B may take to notice: generous for a loaded 2-core machine; the bench measures the real delay. */
const NOTICE_MS = 5_000;

const CONFIG = { HOST: '127.0.0.1', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' };

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase('slotline_fresh');
  dbA = await openPostgresDb({ url });
  dbB = await openPostgresDb({ url, migrate: false });
  cached = readConfig({ ...CONFIG, SLOTS_CACHE_MS: '60000' });
  apps = {
    a: createApp({ db: dbA, config: cached, now, log: () => {} }),
    b: createApp({ db: dbB, config: cached, now, log: () => {} }),
    reference: createApp({ db: dbA, config: readConfig({ ...CONFIG, SLOTS_CACHE_MS: '0' }), now, log: () => {} }),
  };
  provider = await makeProvider(dbA, { slug: 'fresh' });
  // All three apps listen (two handles: dbA's connection is shared by A and the reference).
  await until(async () => (await listeners()).length === 2, 'both Db handles listening');
}, 60_000);
afterAll(async () => {
  await dbA?.close();
  await dbB?.close();
  await pg?.stop();
});

/** Backends that LISTEN on the change channel (postgres.js sends exactly this text). */
async function listeners(): Promise<number[]> {
  const rows = await dbA.sql<{ pid: number }[]>`
    select pid from pg_stat_activity where query = 'listen "slotline_changes"' and datname = current_database()`;
  return rows.map((r) => r.pid);
}

async function body(app: ReturnType<typeof createApp>, path = month): Promise<string> {
  const res = await app.request(path);
  expect(res.status).toBe(200);
  return res.text();
}

/** Runs `statement` with every trigger off, so it sends no notification (as if nobody told the servers). */
async function silently(statement: (tx: postgres.TransactionSql) => Promise<unknown>) {
  await dbA.sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await statement(tx);
  });
}

/** B's cache is warm, and a change nobody announces stays invisible to B while the reference sees it. */
async function warmAndProveCached(silentChange: (tx: postgres.TransactionSql) => Promise<unknown>) {
  const warm = await body(apps.b);
  expect(await body(apps.reference)).toBe(warm);
  await silently(silentChange);
  const changed = await body(apps.reference);
  expect(changed).not.toBe(warm);
  expect(await body(apps.b)).toBe(warm); // the 60 s cache answers
  return { warm, changed };
}

const freshOnB = async () => (await body(apps.b)) === (await body(apps.reference));

describe('every instance fresh (PostgreSQL 15, two app instances, 60 s read cache)', () => {
  it('a booking through A leaves B\'s cached month at once (and a silent change never would)', async () => {
    const { changed } = await warmAndProveCached((tx) => tx`
      insert into external_busy (provider_id, source, starts_at, ends_at)
      values (${provider.id}, 'ics:silent', ${instant(3, '10:00')}, ${instant(3, '11:00')})`);

    const booked = await apps.a.request('/api/bookings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'fresh', service: 'call', start: instant(2, '09:00'), name: 'Ana', email: 'ana@example.com' }),
    });
    expect(booked.status).toBe(201);
    expect(await body(apps.reference)).not.toBe(changed); // the booking took a slot
    await until(freshOnB, 'B to drop the slot booked through A', NOTICE_MS);
  });

  it('a change made directly in SQL (an external busy row; the hold sweep) reaches B', async () => {
    await warmAndProveCached((tx) => tx`delete from external_busy where source = 'ics:silent'`);
    await dbA.sql`
      insert into external_busy (provider_id, source, starts_at, ends_at)
      values (${provider.id}, 'ics:sql', ${instant(4, '12:00')}, ${instant(4, '14:00')})`;
    await until(freshOnB, 'B to see the external busy row', NOTICE_MS);

    // A hold takes a slot; its time runs out (silently: time passing sends nothing) and the sweep expires it.
    const hold = await bookSql(dbA, provider, instant(5, '08:00'), { p_hold_minutes: 10 });
    expect(hold.booking.status).toBe('pending');
    await until(freshOnB, 'B to hide the held slot', NOTICE_MS);
    await warmAndProveCached((tx) => tx`
      update bookings set hold_expires_at = now() - interval '1 second' where id = ${hold.booking.id}`);
    expect(await dbA.rpc('expire_holds', { p_provider_id: null })).toBe(1);
    await until(freshOnB, 'B to offer the slot the hold sweep freed', NOTICE_MS);
  });

  it('after the listening connection is killed, B clears its cache (notices may be lost) and is fresh again', async () => {
    const before = await listeners();
    expect(before).toHaveLength(2);
    // A change B is never told of; only "the listener came back, so anything may have changed" explains seeing it.
    await warmAndProveCached((tx) => tx`
      insert into external_busy (provider_id, source, starts_at, ends_at)
      values (${provider.id}, 'ics:missed', ${instant(6, '10:00')}, ${instant(6, '12:00')})`);
    await dbA.sql`select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen "slotline_changes"'`;
    await until(async () => {
      const after = await listeners();
      return after.length === 2 && after.every((pid) => !before.includes(pid));
    }, 'both handles listening again on new connections', NOTICE_MS * 2);
    await until(freshOnB, 'B to clear its cache after listening again', NOTICE_MS);

    // And B hears notifications again.
    const warm = await body(apps.b);
    await bookSql(dbA, provider, instant(7, '15:00'));
    await until(async () => (await body(apps.b)) !== warm && (await freshOnB()), 'B to drop a slot booked after the reconnect', NOTICE_MS);
  });

  it('an answer still being computed when a change arrived is not kept', async () => {
    // A third instance C on B's Db handle, with one pause: its next get_busy has read its rows and waits to be let go.
    let pause = false;
    let paused = false;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const gated: Db = {
      kind: dbB.kind,
      rpc: (async (fn: string, args: unknown) => {
        const result = await dbB.rpc(fn as never, args as never);
        if (fn === 'get_busy' && pause) {
          pause = false;
          paused = true;
          await released;
        }
        return result;
      }) as Db['rpc'],
      listenForChanges: (onChange) => dbB.listenForChanges!(onChange),
      close: async () => {},
    };
    const c = createApp({ db: gated, config: cached, now, log: () => {} });
    // C listens (through B's connection): a silent change reaches its warm cache once a notice follows.
    const warmC = await body(c);
    await warmAndProveCached((tx) => tx`delete from external_busy where source = 'ics:missed'`);
    expect(await body(c)).toBe(warmC);
    await dbA.sql`select pg_notify('slotline_changes', ${provider.id})`;
    await until(async () => (await body(c)) === (await body(apps.reference)), 'C listening', NOTICE_MS);

    const week = `/api/providers/fresh/slots?service=call&from=${day(8)}&to=${day(15)}&tz=UTC`;
    pause = true;
    const early = body(c, week);
    await until(() => paused, 'C to read the busy time (get_busy)', NOTICE_MS); // C has read the busy time ...
    await dbA.sql`
      insert into external_busy (provider_id, source, starts_at, ends_at)
      values (${provider.id}, 'ics:late', ${instant(9, '10:00')}, ${instant(9, '12:00')})`;
    // ... and the change has been announced on B's connection (B, warm before, sees it), which C shares.
    await until(freshOnB, 'the change announced', NOTICE_MS);
    release();
    const stale = await early;
    expect(stale).not.toBe(await body(apps.reference, week));
    expect(await body(c, week)).toBe(await body(apps.reference, week));
  });
});
