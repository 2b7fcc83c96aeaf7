import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 4's budget: everything the booking page loads is at most 30 KB of JavaScript and 8 KB of CSS, gzipped.
 * Builds the page fresh (so the figure is for the current source) and measures every emitted file with zlib.
 */

const JS_BUDGET = 30 * 1024;
const CSS_BUDGET = 8 * 1024;
let dist: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'slotline-budget-'));
  // Vitest sets NODE_ENV=test, which would make this a development build (Preact's debug paths and all);
  // measure what `npm run build` ships.
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'vite.config.ts', logLevel: 'silent', mode: 'production', build: { outDir: dist } });
  } finally {
    process.env.NODE_ENV = env;
  }
});

afterAll(() => rmSync(dist, { recursive: true, force: true }));

function gzipped(ext: string): { files: string[]; bytes: number } {
  const files = readdirSync(dist).filter((f) => f.endsWith(ext));
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f))).length, 0);
  return { files, bytes };
}

describe('booking page budget', () => {
  it('loads only its own assets from /assets/', () => {
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((r) => r !== 'data:,');
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const ref of refs) expect(ref).toMatch(/^\/assets\/[\w.-]+\.(js|css)$/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it(`ships at most ${JS_BUDGET / 1024} KB of JavaScript, gzipped`, () => {
    const js = gzipped('.js');
    console.log(`[page-budget] JS ${(js.bytes / 1024).toFixed(1)} KB gzip in ${js.files.length} file(s)`);
    expect(js.files.length).toBeGreaterThan(0);
    expect(js.bytes).toBeLessThanOrEqual(JS_BUDGET);
  });

  it(`ships at most ${CSS_BUDGET / 1024} KB of CSS, gzipped`, () => {
    const css = gzipped('.css');
    console.log(`[page-budget] CSS ${(css.bytes / 1024).toFixed(1)} KB gzip in ${css.files.length} file(s)`);
    expect(css.files.length).toBeGreaterThan(0);
    expect(css.bytes).toBeLessThanOrEqual(CSS_BUDGET);
  });
});
