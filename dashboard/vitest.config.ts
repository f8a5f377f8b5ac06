import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Unit tests: pure data shaping, formatting, URL state and the server-side helpers. */
export default defineConfig({
  resolve: { alias: { '@': path.join(here, 'src'), 'server-only': path.join(here, 'test/support/server-only.ts') } },
  test: {
    include: ['test/**/*.spec.ts', 'src/**/*.spec.ts'],
  },
});
