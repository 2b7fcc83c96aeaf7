import { describe, expect, expectTypeOf, it } from 'vitest';
import { assertKnownCall, isSqlFunctionName, sqlFunctions, type ArgsOf, type ResultOf } from '../../server/db/functions.ts';
import type { Db } from '../../server/db/port.ts';
import type { Provider } from '../../server/providers/public.ts';
import type { BusyData } from '../../server/slots/offered.ts';

/**
 * `Db.rpc` is typed from the one table in server/db/functions.ts. The `@ts-expect-error` lines below are checked by
 * `npx tsc --noEmit` (tests are part of the project): if the compiler ever accepted such a call, the typecheck fails.
 */
function typeChecks(db: Db) {
  // @ts-expect-error: a function that is not in the table
  void db.rpc('drop_everything', {});
  // @ts-expect-error: a missing argument (p_to)
  void db.rpc('get_busy', { p_provider_id: 'id', p_from: new Date() });
  // @ts-expect-error: an argument of the wrong type
  void db.rpc('get_public_provider', { p_slug: 42 });
  // @ts-expect-error: an argument the function does not have
  void db.rpc('get_public_provider', { p_slug: 'demo', p_owner: 'x' });
  // @ts-expect-error: null where SQL needs a value
  void db.rpc('check_rate_limit', { p_identifier: null, p_endpoint: 'e', p_max_requests: 1, p_window_seconds: 1 });
  // Arguments with an SQL default may be left out; nullable ones take null.
  void db.rpc('expire_holds', {});
  void db.rpc('expire_holds', { p_provider_id: null });
  void db.rpc('enqueue_job', { p_kind: 'k', p_payload: {} });
  expectTypeOf(db.rpc('get_public_provider', { p_slug: 'demo' })).resolves.toEqualTypeOf<Provider | null>();
  expectTypeOf(db.rpc('get_busy', { p_provider_id: 'id', p_from: new Date(), p_to: '2026-01-01T00:00:00Z' })).resolves.toEqualTypeOf<BusyData>();
  expectTypeOf<ResultOf<'finish_job'>>().toEqualTypeOf<boolean>();
  expectTypeOf<ArgsOf<'get_public_provider'>>().toMatchTypeOf<{ p_slug: string }>();
}

describe('the SQL function table', () => {
  it('keeps the argument names as the runtime contract (what the pg_proc test checks)', () => {
    expect(typeof typeChecks).toBe('function');
    expect(sqlFunctions.get_busy).toEqual(['p_provider_id', 'p_from', 'p_to']);
    expect(sqlFunctions.get_manage_link_key).toEqual([]);
    expect(sqlFunctions.app_get_provider).toEqual(['p_user_id', 'p_provider_id']);
    expect(sqlFunctions.create_booking_if_free).toHaveLength(11);
    for (const [name, args] of Object.entries(sqlFunctions)) {
      expect(name).toMatch(/^[a-z_]+$/);
      for (const arg of args) expect(arg, `${name}(${arg})`).toMatch(/^p_[a-z_]+$/);
    }
  });

  it('refuses at run time what the compiler refuses (calls arriving as JSON through the admin listener)', () => {
    expect(isSqlFunctionName('get_busy')).toBe(true);
    expect(isSqlFunctionName('toString')).toBe(false);
    expect(() => assertKnownCall('drop_everything', {})).toThrow(/drop_everything is not listed/);
    expect(() => assertKnownCall('get_public_provider', { p_slug: 'x', p_evil: 1 })).toThrow(/no argument p_evil/);
    expect(() => assertKnownCall('expire_holds', {})).not.toThrow();
  });
});
