#!/usr/bin/env node
// The `costscope` command (`npx costscope …` from the repository). The CLI is TypeScript: tsx,
// a dependency of the server, compiles it in this process as it is imported.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/cli/costscope.ts');
