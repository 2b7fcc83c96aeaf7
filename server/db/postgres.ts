import postgres from 'postgres';
import { assertKnownCall, type ArgsOf, type ResultOf, type SqlFunctionName } from './functions.ts';
import { migrate, type SqlRunner } from './migrate.ts';
import { CHANGES_CHANNEL, mapDriverError, retryTransient, type Db } from './port.ts';
import { rpcSql } from './rpc-sql.ts';

type Sql = postgres.Sql | postgres.TransactionSql;

function runner(sql: Sql, root?: postgres.Sql): SqlRunner {
  return {
    async exec(script) {
      await sql.unsafe(script);
    },
    async query<T>(text: string, params: unknown[] = []) {
      return (await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
    },
    async transaction(fn) {
      if (!root) return fn(this);
      await root.begin(async (tx) => fn(runner(tx)));
    },
  };
}

/**
 * PostgreSQL (or a Supabase project's database reached directly) through postgres.js.
 * Pending migrations are applied on open.
 *
 * @example
 * const db = await openPostgresDb({ url: 'postgres://slotline@127.0.0.1:5432/slotline' });
 */
export async function openPostgresDb(options: {
  url: string;
  max?: number;
  migrate?: boolean;
  /** Seconds to wait for a connection before answering "unavailable". */
  connectTimeout?: number;
}): Promise<Db & { sql: postgres.Sql }> {
  const sql = postgres(options.url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeout ?? 5,
    idle_timeout: 30,
    // postgres.js backs off up to 20 s between reconnects by default; after a database restart
    // that kept requests waiting long after it was back. Retry quickly, at most every second.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
    onnotice: () => {},
  });
  if (options.migrate !== false) {
    try {
      await migrate(runner(sql, sql));
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
  }
  return {
    kind: 'postgres',
    sql,
    async rpc<K extends SqlFunctionName>(fn: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
      assertKnownCall(fn, args);
      const { sql: text, params } = rpcSql(fn, args);
      // postgres.js learns each parameter's type from the server and serializes by it (jsonb
      // values are stringified there), so values go as they are.
      const values = params.map((v) => (v === undefined ? null : v));
      return retryTransient(async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            const rows = await sql.unsafe(text, values as postgres.ParameterOrJSON<never>[]);
            return rows[0]?.result as ResultOf<K>;
          } catch (error) {
            // A connection that timed out while connecting never sent the statement, so a second try on a fresh
            // connection is safe for writes too. After a database restart postgres.js can leave a connection
            // hanging in its startup until connect_timeout (porsager/postgres#1193): the load test's restart saw
            // single requests answer 503 seconds after the database was back.
            if (attempt === 1 && (error as { code?: string }).code === 'CONNECT_TIMEOUT') continue;
            throw mapDriverError(error);
          }
        }
      });
    },
    async listenForChanges(onChange) {
      // postgres.js keeps one extra connection for LISTEN and, when it drops (a restart, pg_terminate_backend),
      // reconnects and listens again, calling `onlisten` each time. Notices sent while it was away are lost, so
      // every listen after the first counts as "anything changed".
      let listened = false;
      try {
        const { unlisten } = await sql.listen(CHANGES_CHANNEL, (payload) => onChange(payload || null), () => {
          if (listened) onChange(null);
          listened = true;
        });
        return async () => {
          await unlisten();
        };
      } catch (error) {
        throw mapDriverError(error);
      }
    },
    async close() {
      // Ends the listening connection too.
      await sql.end({ timeout: 5 });
    },
  };
}
