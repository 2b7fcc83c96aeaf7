import { defineConfig } from 'vite';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Plain paths (not URL objects): this config is also loaded inside jsdom test workers, whose global URL is jsdom's.
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Builds the script-tag loader `widget/src/index.ts` into one self-running file, `dist/widget/widget.js`.
 * An IIFE (not a module) because providers paste a classic `<script async>` tag, and only classic scripts
 * get `document.currentScript`, which is how the loader learns its own origin.
 *
 * @example npx vite build --config widget/vite.config.ts
 * @see https://vite.dev/guide/build#library-mode
 */
export default defineConfig({
  root: here,
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: join(here, '../dist/widget'),
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    lib: {
      entry: join(here, 'src/index.ts'),
      formats: ['iife'],
      name: 'SlotlineWidget',
      fileName: () => 'widget.js',
    },
  },
});
