import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSupabaseDb } from '../../server/db/supabase.ts';
import { DbError, DbUnavailableError, isSlotTaken, mapDriverError, type Db } from '../../server/db/port.ts';
import { loadProvider } from '../../server/providers/public.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';
import { browserClient, startSupabase, type SupabaseLocal } from '../support/supabase.ts';

let project: SupabaseLocal;
let db: Db;

beforeAll(async () => {
  project = await startSupabase();
  db = openSupabaseDb({ url: project.url, serviceRoleKey: project.serviceRoleKey });
});
afterAll(async () => {
  await db?.close();
  await project?.stop();
});

/** A supabase-js client as a browser would hold it (tests/support/supabase.ts). */
const client = (accessToken?: string) => browserClient(project, accessToken);

describe('the supabase adapter (supabase-js .rpc against real PostgREST 12)', () => {
  it('creates a provider, books, and maps the conflict to the typed slot_taken error', async () => {
    const provider = await makeProvider(db, { slug: 'supa' });
    expect((await loadProvider(db, 'supa'))?.services[0].slug).toBe('call');
    const first = await bookSql(db, provider, '2030-05-06T10:00:00Z');
    expect(first.booking.status).toBe('confirmed');
    const error = await bookSql(db, provider, '2030-05-06T10:30:00Z').catch((e) => e);
    expect(isSlotTaken(error)).toBe(true);
    expect(project.calls).toContain('create_booking_if_free');
  });

  it('lets exactly one of many concurrent overlapping bookings through (the booking race)', async () => {
    const provider = await makeProvider(db, { slug: 'race' });
    for (const day of ['2030-06-03', '2030-06-04', '2030-06-05']) {
      // Twelve requests whose 60-minute ranges all overlap each other (starts 10:00–10:55).
      const starts = Array.from({ length: 12 }, (_, i) => `${day}T10:${String(i * 5).padStart(2, '0')}:00Z`);
      const results = await Promise.allSettled(starts.map((start) => bookSql(db, provider, start)));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.every((r) => isSlotTaken(r.reason)), String(lost.map((r) => r.reason))).toBe(true);
    }
    const [{ n }] = await project.sql<{ n: number }[]>`
      select count(*)::int as n from bookings a join bookings b on a.provider_id = b.provider_id and a.id < b.id
       where a.status in ('pending', 'confirmed') and b.status in ('pending', 'confirmed') and a.occupied && b.occupied`;
    expect(n).toBe(0);
  });

  it('reports an unreachable project as unavailable', async () => {
    const down = openSupabaseDb({ url: 'http://127.0.0.1:9', serviceRoleKey: 'k' });
    await expect(down.rpc('get_public_provider', { p_slug: 'x' })).rejects.toBeInstanceOf(DbUnavailableError);
  });

  it('refuses calls that are not in the function contract', async () => {
    // @ts-expect-error: the compiler refuses it too (server/db/functions.ts types every call)
    await expect(db.rpc('drop_everything', {})).rejects.toThrow(/not listed/);
    // @ts-expect-error: an argument the function does not have
    await expect(db.rpc('get_public_provider', { p_slug: 'x', p_evil: 1 })).rejects.toThrow(/no argument p_evil/);
  });
});

describe('PostgREST errors are classified by SQL error code, whatever the HTTP status', () => {
  it('permission denied is 401 for anon and 403 for a signed-in user, and a DbError 42501 either way', async () => {
    const asAnon = await client().rpc('expire_holds', { p_provider_id: null });
    expect([asAnon.status, asAnon.error?.code]).toEqual([401, '42501']);
    const asUser = await client(project.userToken(crypto.randomUUID())).rpc('expire_holds', { p_provider_id: null });
    expect([asUser.status, asUser.error?.code]).toEqual([403, '42501']);
    for (const answer of [asAnon, asUser]) {
      const mapped = mapDriverError(answer.error);
      expect(mapped).toBeInstanceOf(DbError);
      expect(mapped).not.toBeInstanceOf(DbUnavailableError);
    }
    // The adapter given the anon key instead of the service role key: a permission error, not "try again".
    const misconfigured = openSupabaseDb({ url: project.url, serviceRoleKey: project.anonKey });
    const error = await misconfigured.rpc('expire_holds', { p_provider_id: null }).catch((e) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBe('42501');
  });

  it('a key the project does not know is a configuration error (401), not an outage', async () => {
    const stranger = openSupabaseDb({ url: project.url, serviceRoleKey: 'not-a-key-of-this-project' });
    const error = await stranger.rpc('get_public_provider', { p_slug: 'supa' }).catch((e) => e);
    expect(error).toBeInstanceOf(DbError);
    expect(error).not.toBeInstanceOf(DbUnavailableError);
    expect((error as DbError).code).toBe('HTTP401');
  });
});
