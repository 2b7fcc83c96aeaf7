import { join } from 'node:path';
import { openEmbeddedDb } from './embedded.ts';
import { DataFolderBusyError, isAlive, lockPathOf, readLock, type LockHolder } from './lock.ts';
import { openRemoteDb } from './remote.ts';
import { openPostgresDb } from './postgres.ts';
import { openSupabaseDb } from './supabase.ts';
import type { Db } from './port.ts';
import type { DatabaseConfig } from '../config.ts';

export type { Db } from './port.ts';
export { DbError, DbTimeoutError, DbUnavailableError, isSlotTaken, isNotFound } from './port.ts';
export { DataFolderBusyError } from './lock.ts';

/** How long the CLI waits for a server that is still starting (migrating) to open its admin listener. */
const ADMIN_WAIT_MS = 60_000;

/**
 * Opens the database the configuration selects (`config.database`, from `SUPABASE_URL` +
 * `SUPABASE_SERVICE_ROLE_KEY`, else `DATABASE_URL`, else the embedded database in `DATA_DIR`, default `./.data`).
 *
 * The embedded folder has one writer. `role: 'server'` holds it and serves the CLI on loopback; a
 * second server gets DataFolderBusyError. `role: 'cli'` opens the folder when it is free, and while a
 * server holds it sends every call through that server instead (`remote.ts`).
 */
export async function openDb(
  database: DatabaseConfig,
  { role = 'server' }: { role?: 'server' | 'cli' } = {},
): Promise<{ db: Db; description: string }> {
  if (database.kind === 'supabase') {
    const url = new URL(database.url);
    return {
      db: openSupabaseDb({ url: database.url, serviceRoleKey: database.serviceRoleKey }),
      description: `supabase (${url.host}; apply migrations with \`supabase db push\`)`,
    };
  }
  if (database.kind === 'postgres') {
    const url = new URL(database.url);
    return {
      db: await openPostgresDb({ url: database.url }),
      description: `postgres (${url.hostname}:${url.port || 5432}${url.pathname})`,
    };
  }
  const dataDir = join(database.dataDir, 'pglite');
  const description = `embedded PGlite (${dataDir})`;
  if (role === 'server') return { db: await openEmbeddedDb({ dataDir, role, admin: true }), description };
  try {
    return { db: await openEmbeddedDb({ dataDir, role }), description };
  } catch (error) {
    if (!(error instanceof DataFolderBusyError) || error.holder?.role !== 'server') throw error;
    const holder = await waitForAdmin(error);
    return {
      db: openRemoteDb({ ...holder.admin, pid: holder.pid }),
      description: `${description} through the running server (pid ${holder.pid})`,
    };
  }
}

/** The holding server's admin address, once it has one (it publishes it after migrating). */
async function waitForAdmin(busy: DataFolderBusyError): Promise<LockHolder & { admin: NonNullable<LockHolder['admin']> }> {
  const deadline = Date.now() + ADMIN_WAIT_MS;
  for (;;) {
    const holder = await readLock(lockPathOf(busy.dataDir)).catch(() => null);
    if (holder?.admin && isAlive(holder.pid)) return holder as LockHolder & { admin: NonNullable<LockHolder['admin']> };
    if (!holder || !isAlive(holder.pid) || Date.now() > deadline) {
      throw new DataFolderBusyError(busy.dataDir, busy.lockPath, holder,
        `${busy.message} (The server did not become ready for provider commands; nothing was written. Try again.)`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
