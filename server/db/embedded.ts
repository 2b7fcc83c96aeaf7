import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { startAdminListener, type AdminListener } from './admin.ts';
import { assertKnownCall, type ArgsOf, type ResultOf, type SqlFunctionName } from './functions.ts';
import { acquireDataFolderLock, type DataFolderLock, type LockRole } from './lock.ts';
import { migrate, type SqlRunner } from './migrate.ts';
import { CHANGES_CHANNEL, mapDriverError, toSqlValue, type Db } from './port.ts';
import { rpcSql } from './rpc-sql.ts';

type PgliteLike = Pick<PGlite, 'exec' | 'query'> | Transaction;

/** The migrator's view of a PGlite connection (`root` given: transactions run on it). */
export function pgliteRunner(pg: PgliteLike, root?: PGlite): SqlRunner {
  return {
    async exec(sql) {
      await pg.exec(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pg.query<T>(sql, params)).rows;
    },
    async transaction(fn) {
      if (!root) return fn(this);
      await root.transaction(async (tx) => fn(pgliteRunner(tx)));
    },
  };
}

/**
 * The default database: real PostgreSQL compiled to WebAssembly, stored in `dataDir`
 * (in memory when omitted), migrated on open.
 *
 * A data folder is held by one process at a time (`lock.ts`): a second opener gets
 * DataFolderBusyError naming the holder. With `admin: true` (the server) the holder also listens on
 * loopback for the provider CLI's calls (`admin.ts`), so the CLI can change data while it runs.
 *
 * @example
 * const db = await openEmbeddedDb({ dataDir: './.data/pglite' });
 */
export async function openEmbeddedDb(
  options: { dataDir?: string; role?: LockRole; admin?: boolean } = {},
): Promise<Db & { pg: PGlite }> {
  let lock: DataFolderLock | null = null;
  let pg: PGlite | null = null;
  let admin: AdminListener | null = null;
  try {
    if (options.dataDir) {
      await mkdir(options.dataDir, { recursive: true });
      lock = await acquireDataFolderLock(options.dataDir, options.role ?? (options.admin ? 'server' : 'cli'));
    }
    pg = await PGlite.create({ dataDir: options.dataDir, extensions: { btree_gist } });
    await migrate(pgliteRunner(pg, pg));
  } catch (error) {
    await pg?.close().catch(() => {});
    await lock?.release();
    throw error;
  }
  const open = pg;
  let closed = false;
  const db: Db & { pg: PGlite } = {
    kind: 'embedded',
    pg: open,
    async rpc<K extends SqlFunctionName>(fn: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
      assertKnownCall(fn, args);
      const { sql, params } = rpcSql(fn, args);
      try {
        const result = await open.query<{ result: ResultOf<K> }>(sql, params.map(toSqlValue));
        return result.rows[0]?.result as ResultOf<K>;
      } catch (error) {
        throw mapDriverError(error);
      }
    },
    // One process, one connection: notices still matter for writes that bypass the HTTP app (jobs, the hold sweep,
    // the provider CLI through the admin listener). No connection to lose, so never "anything changed".
    async listenForChanges(onChange) {
      try {
        const unlisten = await open.listen(CHANGES_CHANNEL, (payload) => onChange(payload || null));
        return async () => {
          if (!closed) await unlisten();
        };
      } catch (error) {
        throw mapDriverError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await admin?.close();
      try {
        await open.close();
      } finally {
        await lock?.release();
      }
    },
  };
  if (options.admin && lock) {
    try {
      admin = await startAdminListener(db);
      await lock.publish({ port: admin.port, secret: admin.secret });
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
}
