import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { assertKnownCall, type ArgsOf, type ResultOf, type SqlFunctionName } from './functions.ts';
import { DbError, DbUnavailableError, mapDriverError, retryTransient, toSqlValue, type Db } from './port.ts';

/**
 * A Supabase project through its REST API (`POST /rest/v1/rpc/<fn>`) with the service role key.
 * Migrations are applied with `supabase db push`, not here.
 *
 * @example
 * const db = openSupabaseDb({ url: 'https://<ref>.supabase.co', serviceRoleKey: config.database.serviceRoleKey });
 */
export function openSupabaseDb(options: { url: string; serviceRoleKey: string; fetch?: typeof fetch }): Db {
  const client = createClient(options.url, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: options.fetch ? { fetch: options.fetch } : undefined,
    // Node 20 has no global WebSocket; supabase-js wants one even though we only call .rpc().
    realtime: { transport: WebSocket as never },
  });
  return {
    kind: 'supabase',
    async rpc<K extends SqlFunctionName>(fn: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
      assertKnownCall(fn, args);
      const body: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(args)) {
        // PostgREST takes JSON values as they are; dates go as ISO strings.
        body[name] = value instanceof Date ? toSqlValue(value) : value ?? null;
      }
      return retryTransient(async () => {
        let response;
        try {
          response = await client.rpc(fn, body);
        } catch (error) {
          throw new DbUnavailableError('Supabase is unreachable', error);
        }
        if (response.error) {
          // PostgREST and PostgreSQL errors carry a code, classified by the code alone (see mapDriverError).
          if (response.error.code) throw mapDriverError(response.error);
          // No code: the request never reached PostgREST (network failure, status 0; a gateway's 5xx), or the
          // gateway refused it (e.g. 401 "Invalid API key": a configuration error, not worth retrying).
          if (response.status === 0 || response.status >= 500) {
            throw new DbUnavailableError(response.error.message || 'Supabase is unreachable', response.error);
          }
          throw new DbError(response.error.message, `HTTP${response.status}`);
        }
        return response.data as ResultOf<K>;
      });
    },
    async close() {},
  };
}
