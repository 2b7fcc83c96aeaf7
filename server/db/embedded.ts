import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { assertKnownCall } from './functions.ts';
import { migrate, type SqlRunner } from './migrate.ts';
import { mapDriverError, toSqlValue, type Db } from './port.ts';
import { rpcSql } from './rpc-sql.ts';

type PgliteLike = Pick<PGlite, 'exec' | 'query'> | Transaction;

function runner(pg: PgliteLike, root?: PGlite): SqlRunner {
  return {
    async exec(sql) {
      await pg.exec(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pg.query<T>(sql, params)).rows;
    },
    async transaction(fn) {
      if (!root) return fn(this);
      await root.transaction(async (tx) => fn(runner(tx)));
    },
  };
}

/**
 * The default database: real PostgreSQL compiled to WebAssembly, stored in `dataDir`
 * (in memory when omitted), migrated on open.
 *
 * @example
 * const db = await openEmbeddedDb({ dataDir: './.data/pglite' });
 */
export async function openEmbeddedDb(options: { dataDir?: string } = {}): Promise<Db & { pg: PGlite }> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const pg = await PGlite.create({ dataDir: options.dataDir, extensions: { btree_gist } });
  await migrate(runner(pg, pg));
  let closed = false;
  return {
    kind: 'embedded',
    pg,
    async rpc<T>(fn: string, args: Record<string, unknown>): Promise<T> {
      assertKnownCall(fn, args);
      const { sql, params } = rpcSql(fn, args);
      try {
        const result = await pg.query<{ result: T }>(sql, params.map(toSqlValue));
        return result.rows[0]?.result as T;
      } catch (error) {
        throw mapDriverError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pg.close();
    },
  };
}
