import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    // The end-to-end test runs the real server (embedded chDB binds one data directory per process).
    pool: 'forks',
    testTimeout: 120_000,
  },
});
