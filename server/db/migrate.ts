import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../supabase/', import.meta.url));
export const migrationsDir = join(root, 'migrations');
export const authShimFile = join(root, 'local', 'auth-shim.sql');
export const seedFile = join(root, 'seed.sql');

/** What the migrator needs from a connection: run a script, and one query returning rows. */
export interface SqlRunner {
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn in one transaction on one connection. */
  transaction(fn: (tx: SqlRunner) => Promise<void>): Promise<void>;
}

export interface Migration {
  name: string;
  sql: string;
}

/** The Supabase migrations, in filename (= timestamp) order. */
export async function listMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(files.map(async (name) => ({ name, sql: await readFile(join(dir, name), 'utf8') })));
}

/**
 * Applies the local `auth` shim (only where no `auth.users` exists, so never on Supabase) and
 * every pending migration, each once and in order, tracked in `slotline.migrations`.
 * A transaction-level advisory lock keeps two servers starting together from racing.
 *
 * @returns the names of the migrations applied now
 */
export async function migrate(db: SqlRunner): Promise<string[]> {
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7081221)');
    const [{ has_auth }] = await tx.query<{ has_auth: boolean }>(
      "select to_regclass('auth.users') is not null as has_auth",
    );
    if (!has_auth) await tx.exec(await readFile(authShimFile, 'utf8'));
    await tx.exec(`
      create schema if not exists slotline;
      create table if not exists slotline.migrations (
        name text primary key,
        applied_at timestamptz not null default now()
      );`);
    const done = new Set(
      (await tx.query<{ name: string }>('select name from slotline.migrations')).map((r) => r.name),
    );
    for (const m of await listMigrations()) {
      if (done.has(m.name)) continue;
      await tx.exec(m.sql);
      await tx.query('insert into slotline.migrations (name) values ($1)', [m.name]);
      applied.push(m.name);
    }
  });
  return applied;
}
