import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSupabaseDb } from '../../server/db/supabase.ts';
import { DbUnavailableError, isSlotTaken, type Db } from '../../server/db/port.ts';
import { loadProvider } from '../../server/providers/public.ts';
import { createTestDb } from '../support/db.ts';
import { bookSql, makeProvider } from '../support/fixtures.ts';
import { startFakePostgrest } from '../support/fake-postgrest.ts';

let backing: Awaited<ReturnType<typeof createTestDb>>;
let rest: Awaited<ReturnType<typeof startFakePostgrest>>;
let db: Db;

beforeAll(async () => {
  backing = await createTestDb();
  rest = await startFakePostgrest(backing.pg, 'service-role-key');
  db = openSupabaseDb({ url: rest.url, serviceRoleKey: 'service-role-key' });
});
afterAll(async () => {
  await rest?.close();
  await backing?.close();
});

describe('the supabase adapter (supabase-js .rpc against a PostgREST stand-in)', () => {
  it('creates a provider, books, and maps the conflict to the typed slot_taken error', async () => {
    const provider = await makeProvider(db, { slug: 'supa' });
    expect((await loadProvider(db, 'supa'))?.services[0].slug).toBe('call');
    const first = await bookSql(db, provider, '2030-05-06T10:00:00Z');
    expect(first.booking.status).toBe('confirmed');
    const error = await bookSql(db, provider, '2030-05-06T10:30:00Z').catch((e) => e);
    expect(isSlotTaken(error)).toBe(true);
    expect(rest.calls).toContain('create_booking_if_free');
  });

  it('reports an unreachable project as unavailable', async () => {
    const down = openSupabaseDb({ url: 'http://127.0.0.1:9', serviceRoleKey: 'k' });
    await expect(down.rpc('get_public_provider', { p_slug: 'x' })).rejects.toBeInstanceOf(DbUnavailableError);
  });

  it('refuses calls that are not in the function contract', async () => {
    await expect(db.rpc('drop_everything', {})).rejects.toThrow(/not listed/);
    await expect(db.rpc('get_public_provider', { p_slug: 'x', p_evil: 1 })).rejects.toThrow(/no argument p_evil/);
  });
});
