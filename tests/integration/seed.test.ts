import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestDb } from '../support/db.ts';
import { loadProvider } from '../../server/providers/public.ts';
import { seedDemo } from '../../server/providers/demo.ts';

describe('supabase/seed.sql', () => {
  it('creates the same demo provider as npm start does', async () => {
    const viaSql = await createTestDb();
    const viaStart = await createTestDb();
    try {
      await viaSql.pg.exec(readFileSync(new URL('../../supabase/seed.sql', import.meta.url), 'utf8'));
      await seedDemo(viaStart);
      const strip = (p: any) => ({ ...p, id: undefined, services: p.services.map((s: any) => ({ ...s, id: undefined })) });
      const a = await loadProvider(viaSql, 'demo');
      const b = await loadProvider(viaStart, 'demo');
      expect(a).not.toBeNull();
      expect(strip(a)).toEqual(strip(b));
      expect(a!.services.map((s) => s.slug)).toEqual(['intro', 'session']);
    } finally {
      await viaSql.close();
      await viaStart.close();
    }
  });
});
