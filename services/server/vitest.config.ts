import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts', 'src/**/*.spec.ts'],
    // chDB binds one data directory per process: each test file gets its own process.
    pool: 'forks',
    testTimeout: 30_000,
  },
});
