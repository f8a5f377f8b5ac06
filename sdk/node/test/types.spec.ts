import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/**
 * The published declarations, as a TypeScript user compiles against them: strict, without
 * skipLibCheck, from a CommonJS and from an ESM project (`module: node16`). The consumer projects
 * sit in test/type-consumers so that `@costscope/sdk` resolves to the built package.
 */
describe('the published types', () => {
  it.each(['commonjs', 'esm'])('compile for a %s TypeScript project', (kind) => {
    const project = join(here, 'type-consumers', kind);
    const extension = kind === 'esm' ? 'mts' : 'cts';
    copyFileSync(join(here, 'type-consumers', 'app-source.txt'), join(project, `app.${extension}`));
    const outDir = mkdtempSync(join(tmpdir(), 'costscope-types-'));
    const tsconfig = join(outDir, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: [join(project, `app.${extension}`)],
      }),
    );
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', tsconfig], { encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe('');
  });
});
