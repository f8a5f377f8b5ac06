import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    // The server-mode test starts a ClickHouse front (chDB) and a server process of its own.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
