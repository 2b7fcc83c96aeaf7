import { createHash } from 'node:crypto';
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

/**
 * The sha256 of a migration's text, as stored in `slotline.migrations.checksum`. Line endings are
 * normalised first, so a checkout that turns LF into CRLF (Git on Windows) is not "a changed file".
 */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

/** An applied migration's file no longer has the text that was applied: the database would silently keep the old SQL. */
export class MigrationChangedError extends Error {
  constructor(readonly files: string[]) {
    super(
      `Migration${files.length > 1 ? 's' : ''} ${files.join(', ')} changed after being applied to this database. ` +
        'Migrations are append-only: restore the file as it was (git checkout it) and put the change in a new ' +
        'migration file with a later timestamp in supabase/migrations/ (use `create or replace function` to change a function).',
    );
    this.name = 'MigrationChangedError';
  }
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
 * Each applied file's checksum is stored; when a file that was applied has changed since, nothing is
 * applied and MigrationChangedError says what to do. Rows from before checksums existed take the
 * file's current checksum the first time they are seen.
 *
 * @returns the names of the migrations applied now
 */
export async function migrate(db: SqlRunner, { dir = migrationsDir }: { dir?: string } = {}): Promise<string[]> {
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
      );
      alter table slotline.migrations add column if not exists checksum text;`);
    const done = new Map(
      (await tx.query<{ name: string; checksum: string | null }>('select name, checksum from slotline.migrations'))
        .map((r) => [r.name, r.checksum]),
    );
    const migrations = (await listMigrations(dir)).map((m) => ({ ...m, checksum: migrationChecksum(m.sql) }));
    const changed = migrations.filter((m) => done.has(m.name) && done.get(m.name) !== null && done.get(m.name) !== m.checksum);
    if (changed.length) throw new MigrationChangedError(changed.map((m) => m.name));
    for (const m of migrations) {
      if (done.has(m.name)) {
        if (done.get(m.name) === null) {
          await tx.query('update slotline.migrations set checksum = $2 where name = $1', [m.name, m.checksum]);
        }
        continue;
      }
      await tx.exec(m.sql);
      await tx.query('insert into slotline.migrations (name, checksum) values ($1, $2)', [m.name, m.checksum]);
      applied.push(m.name);
    }
  });
  return applied;
}
