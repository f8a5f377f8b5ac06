import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Browser end-to-end tests (`e2e/**\/*.e2e.spec.ts`): a real Chromium against the real server and
 * the dashboard's production build, started once for the whole run by `e2e/support/global-setup.ts`.
 * See `e2e/README.md`. Files run one after another: they share one server and one dashboard, and
 * the login throttle counts every file's tries.
 */
export default defineConfig({
  resolve: { alias: { '@': path.join(here, 'src') } },
  test: {
    include: ['e2e/**/*.e2e.spec.ts'],
    globalSetup: ['e2e/support/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
