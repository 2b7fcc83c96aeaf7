import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

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
    outDir: fileURLToPath(new URL('../dist/widget', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      formats: ['iife'],
      name: 'SlotlineWidget',
      fileName: () => 'widget.js',
    },
  },
});
