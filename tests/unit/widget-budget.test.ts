import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../widget/build';

// Issue 4: the loader must stay tiny (Cal.com's embed.js is 66-75 KB). Measured on the real production build.
const BUDGET = 3 * 1024;
let code = '';
beforeAll(async () => {
  code = await buildWidget();
});

describe('widget.js build', () => {
  it(`is at most ${BUDGET} bytes gzipped`, () => {
    const size = gzipSync(Buffer.from(code), { level: 9 }).length;
    console.log(`widget.js: ${code.length} bytes, ${size} bytes gzipped (budget ${BUDGET})`);
    expect(size).toBeGreaterThan(500); // a real build, not an empty file
    expect(size).toBeLessThanOrEqual(BUDGET);
  });

  it('is one classic script: no module syntax, no other chunk to fetch', () => {
    expect(code.trimStart().startsWith('(function')).toBe(true);
    expect(code).not.toMatch(/\bimport\s*\(|^\s*import\s|^\s*export\s/m);
  });

  it('never posts a message to "*"', () => {
    expect(code).not.toMatch(/postMessage\([^)]*,\s*["'`]\*["'`]/);
  });
});
