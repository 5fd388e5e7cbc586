/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

/**
 * The slow end-to-end suites: they drive Chromium, start `wangge` as a process (serve, the data directory's
 * lock and damage checks), fuzz the whole service, or partition and merge towns of tens of thousands of
 * households. They are their own vitest project (`e2e`), run by `npm test` (and so by CI) after the fast
 * project; `npm run test:fast` runs the fast one alone (typecheck, lint and the `fast` project).
 */
const E2E = [
  'web/test/**/*.test.ts',
  'api/cli/commands/serve.test.ts',
  'api/cli/commands/open311.test.ts',
  'api/auth/fuzz.test.ts',
  'api/reliability/reliability.test.ts',
  'data/db/data-dir-lock.test.ts',
  'data/db/data-dir-check.test.ts',
  'spatial/merge/merge-overlays.test.ts',
  'spatial/merge/merge-family.test.ts',
  'spatial/partition/family.test.ts',
  'spatial/partition/partition-properties.test.ts',
  'spatial/partition/real-problems.test.ts',
  'data/generator/worlds/worlds.test.ts',
];

/** Builds the migrated embedded snapshot once per project run and says which engines run. */
const SETUP = 'data/db/test-global-setup.ts';

// One config for the web build (web/ → web/dist) and for vitest.
export default defineConfig({
  root: 'web',
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  test: {
    root: '.',
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'fast', include: ['{api,spatial,data,domain,web,scripts,migrations}/**/*.test.ts'], exclude: E2E, globalSetup: [SETUP] } },
      { extends: true, test: { name: 'e2e', include: E2E, globalSetup: [SETUP] } },
    ],
  },
});
