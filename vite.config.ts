import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';

/**
 * Build of the booking page (`pages/` → `dist/pages/`). Hashed assets are served by the server under
 * `/assets/` (see `server/pages/routes.ts`); `index.html` is the template the server fills per provider.
 * The widget has its own config (`widget/vite.config.ts`). https://vite.dev/config/
 */
export default defineConfig({
  root: fileURLToPath(new URL('./pages', import.meta.url)),
  base: '/assets/',
  plugins: [preact({ prefreshEnabled: false, devToolsEnabled: false })],
  build: {
    outDir: fileURLToPath(new URL('./dist/pages', import.meta.url)),
    emptyOutDir: true,
    assetsDir: '',
    target: 'es2020',
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
  },
  server: {
    // `npm start` runs the API; `vite` alone proxies to it for page development (SLOTLINE_API overrides).
    proxy: { '/api': process.env.SLOTLINE_API ?? 'http://127.0.0.1:8787' },
  },
});
