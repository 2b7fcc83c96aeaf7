import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pgliteRunner } from '../../server/db/embedded.ts';
import { listMigrations, migrate, migrationChecksum, MigrationChangedError, migrationsDir } from '../../server/db/migrate.ts';

/** A copy of the real migrations folder, so a test can edit and add files. */
function copyOfMigrations(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'slotline-migrations-')), 'migrations');
  cpSync(migrationsDir, dir, { recursive: true });
  return dir;
}

let pg: PGlite;
beforeEach(async () => {
  pg = await PGlite.create({ extensions: { btree_gist } });
});
afterEach(() => pg.close());

const rows = async () =>
  (await pg.query<{ name: string; checksum: string | null }>('select name, checksum from slotline.migrations order by name')).rows;

describe('migrations are append-only (PGlite)', () => {
  it('stores the sha256 of every applied file', async () => {
    const dir = copyOfMigrations();
    const applied = await migrate(pgliteRunner(pg, pg), { dir });
    const files = await listMigrations(dir);
    expect(applied).toEqual(files.map((f) => f.name));
    expect(await rows()).toEqual(files.map((f) => ({ name: f.name, checksum: migrationChecksum(f.sql) })));
    expect((await rows())[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    // Nothing changed: a restart applies nothing and is happy.
    expect(await migrate(pgliteRunner(pg, pg), { dir })).toEqual([]);
  });

  it('refuses to start when an applied file was edited, naming it and saying to add a new migration; applies nothing', async () => {
    const dir = copyOfMigrations();
    await migrate(pgliteRunner(pg, pg), { dir });
    const [first] = await listMigrations(dir);
    writeFileSync(join(dir, first.name), first.sql + '\ncreate table public.sneaky (id int);\n');
    writeFileSync(join(dir, '29991231000000_later.sql'), 'create table public.later (id int);');

    const attempt = migrate(pgliteRunner(pg, pg), { dir });
    await expect(attempt).rejects.toBeInstanceOf(MigrationChangedError);
    await expect(migrate(pgliteRunner(pg, pg), { dir })).rejects.toThrow(
      new RegExp(`${first.name} changed after being applied[\\s\\S]*append-only[\\s\\S]*new\\s+migration file`),
    );
    // Neither the edit nor the new file ran.
    const tables = await pg.query<{ t: string | null; l: string | null }>(
      "select to_regclass('public.sneaky')::text as t, to_regclass('public.later')::text as l");
    expect(tables.rows).toEqual([{ t: null, l: null }]);
    expect((await rows()).map((r) => r.name)).not.toContain('29991231000000_later.sql');

    // Restoring the file lets it start again, and the new migration is applied.
    writeFileSync(join(dir, first.name), first.sql);
    expect(await migrate(pgliteRunner(pg, pg), { dir })).toEqual(['29991231000000_later.sql']);
  });

  it('a checkout with CRLF line endings is not a changed file', async () => {
    const dir = copyOfMigrations();
    await migrate(pgliteRunner(pg, pg), { dir });
    const [first] = await listMigrations(dir);
    writeFileSync(join(dir, first.name), first.sql.replace(/\r?\n/g, '\r\n'));
    expect(await migrate(pgliteRunner(pg, pg), { dir })).toEqual([]);
  });

  it('a database from before checksums gets the column, backfilled with the current checksums, then is checked', async () => {
    const dir = copyOfMigrations();
    await migrate(pgliteRunner(pg, pg), { dir });
    await pg.exec('alter table slotline.migrations drop column checksum');

    expect(await migrate(pgliteRunner(pg, pg), { dir })).toEqual([]);
    const files = await listMigrations(dir);
    expect(await rows()).toEqual(files.map((f) => ({ name: f.name, checksum: migrationChecksum(f.sql) })));

    const last = files.at(-1)!;
    writeFileSync(join(dir, last.name), readFileSync(join(dir, last.name), 'utf8') + '\n-- edited\n');
    await expect(migrate(pgliteRunner(pg, pg), { dir })).rejects.toThrow(MigrationChangedError);
  });
});
