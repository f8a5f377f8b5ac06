import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The workspace's module boundaries, checked by running the real lint config over source text
 * placed (virtually) in each project. The dashboard must read data only through the server's HTTP
 * API, because the embedded ClickHouse belongs to the server process and tenant checks live there.
 */
const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let eslint: ESLint;

beforeAll(async () => {
  // The boundary rule reads Nx's cached project graph; outside an `nx` run it must be computed first,
  // or the rule skips itself with only a warning.
  await createProjectGraphAsync({ exitOnError: false });
  eslint = new ESLint({ cwd: workspaceRoot });
}, 60_000);

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(workspaceRoot, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries' && m.severity === 2)
    .map((m) => m.message);
}

describe('module boundaries', () => {
  it('fail the lint when the dashboard imports the server by package name', async () => {
    const errors = await boundaryErrors(
      'dashboard/app/costs/page.ts',
      `import { AppModule } from '@costscope/server/src/app.module.js';\nexport const m = AppModule;\n`,
    );
    expect(errors).toEqual(['Imports of apps are forbidden']);
  });

  it('fail the lint when the dashboard reaches into server code by a relative path', async () => {
    const errors = await boundaryErrors(
      'dashboard/app/costs/page.ts',
      `import { createApp } from '../../../services/server/src/create-app.js';\nexport const c = createApp;\n`,
    );
    expect(errors).toEqual(['Projects cannot be imported by a relative or absolute path, and must begin with a npm scope']);
  });

  it('fail the lint when core imports the server', async () => {
    const errors = await boundaryErrors(
      'sdk/core/src/leak.ts',
      `import { AppModule } from '@costscope/server/src/app.module.js';\nexport const m = AppModule;\n`,
    );
    // The server depends on core, so the rule reports the cycle this import would close.
    expect(errors.join('\n')).toMatch(/Circular dependency between "core" and "server"/);
  });

  it('fail the lint when the server imports the dashboard', async () => {
    const errors = await boundaryErrors(
      'services/server/src/leak.ts',
      `import x from '@costscope/dashboard/package.json';\nexport const d = x;\n`,
    );
    expect(errors).toEqual(['Imports of apps are forbidden']);
  });

  it('pass the lint when the dashboard and the server import core', async () => {
    const code = `import { formatUsd } from '@costscope/core';\nexport const f = formatUsd;\n`;
    expect(await boundaryErrors('dashboard/app/costs/page.ts', code)).toEqual([]);
    expect(await boundaryErrors('services/server/src/ok.ts', code)).toEqual([]);
  });
});
