import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the loader with `widget/vite.config.ts` and returns the code of `widget.js`. With `outDir` it also writes
 * the file there (tests build into a temporary folder so they never race over `dist/`); without, nothing is written.
 * Vite is imported lazily: it is a dev dependency and the server only needs it when `dist/` was never built.
 *
 * @example const code = await buildWidget(); // → '(function(){…})();'
 */
export async function buildWidget(outDir?: string): Promise<string> {
  const { build } = await import('vite');
  const result = await build({
    configFile: join(dirname(fileURLToPath(import.meta.url)), 'vite.config.ts'),
    logLevel: 'error',
    build: outDir ? { outDir, emptyOutDir: true } : { write: false },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const out of outputs) {
    if (!('output' in out)) continue;
    for (const chunk of out.output) if (chunk.type === 'chunk' && chunk.fileName === 'widget.js') return chunk.code;
  }
  throw new Error('widget build produced no widget.js');
}
