import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';

/**
 * Build of the provider app (`pages/app/` → `dist/app/`), its own bundle so the visitor page's 30 KB budget never
 * carries it (`tests/unit/app-budget.test.ts` holds the app to 80 KB). The server serves `index.html` for `/app` and
 * `/app/*`, and the hashed files under `/app/assets/` (`server/app-pages/routes.ts`). https://vite.dev/config/
 */
export default defineConfig({
  root: fileURLToPath(new URL('./pages/app', import.meta.url)),
  base: '/app/assets/',
  plugins: [preact({ prefreshEnabled: false, devToolsEnabled: false })],
  build: {
    outDir: fileURLToPath(new URL('./dist/app', import.meta.url)),
    emptyOutDir: true,
    assetsDir: '',
    target: 'es2020',
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
  },
  server: {
    proxy: { '/api': process.env.SLOTLINE_API ?? 'http://127.0.0.1:8787' },
  },
});
