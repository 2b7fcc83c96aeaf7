import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 12's budget for the provider app: at most 80 KB of JavaScript, gzipped, in its own bundle (the visitor
 * page's 30 KB is `page-budget.test.ts`). Builds the app fresh with `vite.app.config.ts` and measures every file.
 */

const JS_BUDGET = 80 * 1024;
let dist: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'slotline-app-budget-'));
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'vite.app.config.ts', logLevel: 'silent', mode: 'production', build: { outDir: dist } });
  } finally {
    process.env.NODE_ENV = env;
  }
});

afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('provider app budget', () => {
  it('loads only its own assets from /app/assets/, with no inline script', () => {
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((r) => r !== 'data:,');
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const ref of refs) expect(ref).toMatch(/^\/app\/assets\/[\w.-]+\.(js|css)$/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).toContain('noindex');
  });

  it(`ships at most ${JS_BUDGET / 1024} KB of JavaScript, gzipped, and no zod`, () => {
    const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
    const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f))).length, 0);
    console.log(`[app-budget] JS ${(bytes / 1024).toFixed(1)} KB gzip in ${files.length} file(s)`);
    expect(files.length).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(JS_BUDGET);
    // The contract is imported as types only: zod's error map text would show up if it were bundled.
    for (const f of files) expect(readFileSync(join(dist, f), 'utf8')).not.toMatch(/ZodError|zod\.dev/);
  });
});
