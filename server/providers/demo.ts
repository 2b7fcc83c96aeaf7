import { readFile } from 'node:fs/promises';
import type { Db } from '../db/port.ts';
import { applyProviderFile, parseProviderFile } from './file.ts';
import { loadProvider } from './public.ts';

export const demoFile = new URL('./demo.json', import.meta.url);

/** Adds the public demo provider `demo` once (never overwrites changes made to it). */
export async function seedDemo(db: Db): Promise<boolean> {
  if (await loadProvider(db, 'demo')) return false;
  const parsed = parseProviderFile(JSON.parse(await readFile(demoFile, 'utf8')));
  if (!parsed.ok) throw new Error(`demo.json is invalid: ${JSON.stringify(parsed.errors)}`);
  await applyProviderFile(db, parsed.file);
  return true;
}
