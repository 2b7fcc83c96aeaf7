import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

/** One suite: unit, integration (PGlite, PostgreSQL, Radicale) and e2e (Chromium) tests. */
export default defineConfig({
  plugins: [preact()],
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
