import type { AdminError } from './admin.ts';
import { assertKnownCall, type ArgsOf, type ResultOf, type SqlFunctionName } from './functions.ts';
import { DbError, DbUnavailableError, type Db } from './port.ts';

/**
 * A Db that calls the SQL functions through a running server's admin listener (`admin.ts`) instead of
 * opening the embedded data folder that server holds. Used by the provider CLI while `npm start` runs.
 * A call that fails to reach the server, or whose answer is lost, is an error — never a success.
 *
 * @example
 * const db = openRemoteDb({ port: 41234, secret: '…', pid: 1234 });
 */
export function openRemoteDb({ port, secret, pid }: { port: number; secret: string; pid: number }): Db {
  const url = `http://127.0.0.1:${port}/rpc`;
  return {
    kind: 'embedded',
    async rpc<K extends SqlFunctionName>(fn: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
      assertKnownCall(fn, args);
      // undefined is SQL null on every adapter; JSON would drop the argument instead.
      const sent = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, v === undefined ? null : v]));
      let res: Response;
      let body: { result?: ResultOf<K>; error?: AdminError };
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ fn, args: sent }),
        });
        body = (await res.json()) as typeof body;
      } catch (error) {
        throw new DbUnavailableError(
          `Could not reach the running Slotline server (pid ${pid}) on 127.0.0.1:${port}, which holds the data folder; ` +
            `this change may not have been applied: ${(error as Error).message}`,
          error,
        );
      }
      if (body.error) {
        const e = body.error;
        if (e.kind === 'db') throw new DbError(e.message, e.code, e.detail);
        if (e.kind === 'unavailable') throw new DbUnavailableError(e.message);
        throw new Error(`the running server (pid ${pid}) refused the call: ${e.message}`);
      }
      if (!res.ok) throw new Error(`the running server (pid ${pid}) answered ${res.status}`);
      return body.result as ResultOf<K>;
    },
    async close() {},
  };
}
