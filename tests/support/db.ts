import { openEmbeddedDb } from '../../server/db/embedded.ts';
import type { Db } from '../../server/db/port.ts';
import type { PGlite } from '@electric-sql/pglite';

/** A fresh in-memory PGlite database with every migration applied. */
export async function createTestDb(): Promise<Db & { pg: PGlite }> {
  return openEmbeddedDb();
}
