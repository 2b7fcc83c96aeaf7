import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import { applyProviderFile, parseProviderFile, readProviderFile } from '../../server/providers/file.ts';
import { loadProvider } from '../../server/providers/public.ts';

const run = promisify(execFile);
const kimPath = new URL('../fixtures/providers/kim.json', import.meta.url).pathname;
const kim = () => JSON.parse(readFileSync(kimPath, 'utf8'));

describe('provider files', () => {
  it('the example from the docs and the demo provider are valid', async () => {
    expect((await readProviderFile(kimPath)).ok).toBe(true);
    expect((await readProviderFile(new URL('../../server/providers/demo.json', import.meta.url).pathname)).ok).toBe(true);
  });

  it('accepts intervals, 24:00, Sunday as 0 and overrides', () => {
    const file = kim();
    file.settings.workingHours = {
      intervals: [{ days: [5], start: '20:00', end: '24:00' }, { days: [6, 0], start: '00:00', end: '02:00' }],
      overrides: [{ date: '2026-12-24', intervals: [] }, { date: '2026-12-31', intervals: [{ start: '10:00', end: '12:00' }] }],
    };
    expect(parseProviderFile(file)).toMatchObject({ ok: true });
  });

  const invalid: [string, (f: any) => void, string][] = [
    ['a bad slug', (f) => (f.slug = 'Kim Lindberg'), 'slug'],
    ['an unknown zone', (f) => (f.timezone = 'Mars/Base'), 'timezone'],
    ['a bad time', (f) => (f.settings.workingHours.start = '9am'), 'settings.workingHours.start'],
    ['end before start', (f) => (f.settings.workingHours.end = '08:00'), 'settings.workingHours.end'],
    ['a weekday 8', (f) => (f.settings.workingHours.days = [8]), 'settings.workingHours.days.0'],
    ['a bad WhatsApp number', (f) => (f.settings.whatsapp.phoneE164 = '0500'), 'settings.whatsapp.phoneE164'],
    ['a zero duration', (f) => (f.services[0].durationMinutes = 0), 'services.0.durationMinutes'],
    ['a lowercase currency', (f) => (f.services[0].currency = 'aed'), 'services.0.currency'],
    ['duplicate services', (f) => f.services.push({ ...f.services[0] }), 'services.1.slug'],
    ['an impossible override date', (f) => (f.settings.workingHours.overrides = [{ date: '2026-02-30', intervals: [] }]), 'settings.workingHours.overrides.0.date'],
  ];
  for (const [what, change, field] of invalid) {
    it(`rejects ${what} naming ${field}`, () => {
      const file = kim();
      change(file);
      const result = parseProviderFile(file);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.map((e) => e.field)).toContain(field);
    });
  }

  it('lists every problem at once', () => {
    const file = kim();
    file.slug = 'BAD SLUG';
    file.services[0].durationMinutes = -1;
    file.settings.workingHours.start = 'noon';
    const result = parseProviderFile(file);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.length).toBeGreaterThanOrEqual(3);
  });

  describe('applying', () => {
    let db: Awaited<ReturnType<typeof openEmbeddedDb>>;
    beforeAll(async () => {
      db = await openEmbeddedDb();
    });
    afterAll(() => db.close());

    it('creates, then updates idempotently by slug', async () => {
      const parsed = parseProviderFile(kim());
      if (!parsed.ok) throw new Error('fixture invalid');
      const first = await applyProviderFile(db, parsed.file);
      const second = await applyProviderFile(db, parsed.file);
      expect(second.id).toBe(first.id);
      const pg = (db as unknown as { pg: PGlite }).pg;
      const counts = await pg.query<{ p: number; s: number }>(
        'select (select count(*)::int from providers) as p, (select count(*)::int from services) as s');
      expect(counts.rows[0]).toEqual({ p: 1, s: 1 });

      const changed = kim();
      changed.name = 'Kim L.';
      changed.services = [{ slug: 'deep', title: 'Deep dive', durationMinutes: 90 }];
      const reparsed = parseProviderFile(changed);
      if (!reparsed.ok) throw new Error('invalid');
      await applyProviderFile(db, reparsed.file);
      const provider = await loadProvider(db, 'kim');
      expect(provider?.name).toBe('Kim L.');
      expect(provider?.services.map((s) => s.slug)).toEqual(['deep']);
    });
  });
});

describe('npm run provider', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slotline-cli-'));
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'server/cli/provider.ts', ...args], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', SUPABASE_URL: '' },
    }).then((r) => ({ code: 0, out: r.stdout + r.stderr }), (e) => ({ code: e.code as number, out: String(e.stdout) + String(e.stderr) }));

  it('applies a valid file to the embedded database, twice without harm', async () => {
    const first = await cli('apply', kimPath);
    expect(first.out).toContain('Applied provider "kim"');
    expect(first.code).toBe(0);
    expect((await cli('apply', kimPath)).code).toBe(0);
    const db = await openEmbeddedDb({ dataDir: join(dataDir, 'pglite') });
    try {
      expect((await loadProvider(db, 'kim'))?.services).toHaveLength(1);
    } finally {
      await db.close();
    }
  });

  it('rejects an invalid file with every problem and writes nothing', async () => {
    const bad = join(dataDir, 'bad.json');
    const file = kim();
    file.slug = 'other';
    file.timezone = 'Nowhere/City';
    file.services[0].durationMinutes = 'thirty';
    writeFileSync(bad, JSON.stringify(file));
    const result = await cli('apply', bad);
    expect(result.code).toBe(1);
    expect(result.out).toContain('timezone');
    expect(result.out).toContain('services.0.durationMinutes');
    expect(result.out).toContain('Nothing was written');
    const db = await openEmbeddedDb({ dataDir: join(dataDir, 'pglite') });
    try {
      expect(await loadProvider(db, 'other')).toBeNull();
    } finally {
      await db.close();
    }
  });

  it('reports broken JSON clearly', async () => {
    const broken = join(dataDir, 'broken.json');
    writeFileSync(broken, '{ "slug": ');
    const result = await cli('apply', broken);
    expect(result.code).toBe(1);
    expect(result.out).toContain('not valid JSON');
  });
});
