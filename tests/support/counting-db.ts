import type { Db } from '../../server/db/port.ts';

/**
 * The real database port with a tally: every `rpc` is one statement sent to the database and answered — one round
 * trip — so counting calls counts round trips. Not a mock: each call goes through to the wrapped `Db` unchanged.
 *
 * @example const counted = countingDb(db); await createApp({ db: counted, … }).request(…); counted.calls // ['get_booking_provider', …]
 */
export function countingDb<D extends Db>(db: D): D & { calls: string[]; reset(): void } {
  const calls: string[] = [];
  return Object.assign(Object.create(db) as D, {
    calls,
    reset: () => void calls.splice(0),
    rpc: ((fn, args) => {
      calls.push(fn);
      return db.rpc(fn, args);
    }) as Db['rpc'],
    close: () => db.close(),
  });
}
