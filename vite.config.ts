/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// One config for the web build (web/ → web/dist) and for vitest.
export default defineConfig({
  root: 'web',
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  test: {
    root: '.',
    include: ['{api,spatial,data,web,scripts,migrations}/**/*.test.ts'],
    globalSetup: ['data/db/test-global-setup.ts'],
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
