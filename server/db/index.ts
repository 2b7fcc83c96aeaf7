import { join } from 'node:path';
import { openEmbeddedDb } from './embedded.ts';
import { openPostgresDb } from './postgres.ts';
import { openSupabaseDb } from './supabase.ts';
import type { Db } from './port.ts';

export type { Db } from './port.ts';
export { DbError, DbTimeoutError, DbUnavailableError, isSlotTaken, isNotFound } from './port.ts';

/**
 * Picks the adapter from the environment: `SUPABASE_URL` + `SUPABASE_SERVICE_ROLE_KEY`, else
 * `DATABASE_URL`, else the embedded database in `DATA_DIR` (default `./.data`).
 */
export async function openDbFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<{ db: Db; description: string }> {
  if (env.SUPABASE_URL || env.SUPABASE_SERVICE_ROLE_KEY) {
    if (!env.SUPABASE_URL || !env.SUPABASE_SERVICE_ROLE_KEY) {
      throw new Error('Set both SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY to use Supabase.');
    }
    const url = new URL(env.SUPABASE_URL);
    return {
      db: openSupabaseDb({ url: env.SUPABASE_URL, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY }),
      description: `supabase (${url.host}; apply migrations with \`supabase db push\`)`,
    };
  }
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL);
    return {
      db: await openPostgresDb({ url: env.DATABASE_URL }),
      description: `postgres (${url.hostname}:${url.port || 5432}${url.pathname})`,
    };
  }
  const dataDir = join(env.DATA_DIR ?? '.data', 'pglite');
  return { db: await openEmbeddedDb({ dataDir }), description: `embedded PGlite (${dataDir})` };
}
