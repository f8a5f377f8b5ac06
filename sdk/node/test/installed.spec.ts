import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInCallCost, startCostscopeServer, WORKSPACE_ROOT, type CostscopeServer } from './support/costscope-server.js';
import { ProviderStandIn, responseModel } from './support/provider-stand-in.js';
import { APPS_DIR } from './support/run-app.js';

const run = promisify(execFile);
const SDK_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a shell command line as a user types it, and waits for it to end. */
function runLine(line: string, options: { cwd: string; env: Record<string, string> }) {
  const child = spawn('sh', ['-c', line], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The same `node` that runs the tests first on PATH, so a shell line runs on it too. */
const PATH = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;

const standIn = new ProviderStandIn();
let standInUrl: string;
let server: CostscopeServer;
beforeAll(async () => {
  standInUrl = await standIn.start();
  server = await startCostscopeServer();
}, 120_000);
afterAll(async () => {
  await standIn.stop();
  await server?.stop();
});

describe("the README's SDK line, in this workspace after npm install", () => {
  it('runs as written and the call arrives priced in /api/v1/costs', async () => {
    const readme = readFileSync(join(WORKSPACE_ROOT, 'README.md'), 'utf8');
    const sdkLine = readme
      .split('\n')
      .find((line) => line.includes('node --import @costscope/sdk/register'))
      ?.replace(/\s+#.*$/, '');
    expect(sdkLine).toBe('COSTSCOPE_API_KEY=$KEY node --import @costscope/sdk/register app.js');

    const result = await runLine(sdkLine ?? '', {
      cwd: join(APPS_DIR, 'readme'),
      env: {
        PATH,
        KEY: server.apiKey,
        // The README's server listens on the default endpoint; this one is on a free port.
        COSTSCOPE_ENDPOINT: server.url,
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${standInUrl}/v1`,
      },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Hello from the stand-in\n');

    const rows = await server.costsOf('readme-app', 1);
    expect(rows).toEqual([
      expect.objectContaining({
        feature: 'readme-app',
        model: responseModel('gpt-4.1-mini'),
        requests: 1,
        unpricedRequests: 0,
        costUsd: standInCallCost('gpt-4.1-mini', 'openai'),
      }),
    ]);
  });
});

describe('the npm pack tarball, installed in an app outside the workspace', () => {
  let appDir: string;
  let tarball: string;
  beforeAll(async () => {
    appDir = mkdtempSync(join(tmpdir(), 'costscope-packed-sdk-app-'));
    // --ignore-scripts: the tests run on the build that is already there (prepack would rebuild
    // dist/ under the other test files' feet).
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', appDir], { cwd: SDK_DIR, env: { ...process.env, PATH } });
    const [summary] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(appDir, summary?.filename ?? '');
    packedFiles = (summary?.files ?? []).map((file) => file.path);

    // The registry versions the workspace itself locks, so npm finds them in its cache.
    const lock = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const locked = (name: string) => `${name}@${lock.packages[`node_modules/${name}`]?.version}`;
    writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'packed-sdk-app', version: '1.0.0', private: true }));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, locked('openai'), locked('@anthropic-ai/sdk')], {
      cwd: appDir,
      env: { ...process.env, PATH },
    });
    copyFileSync(join(APPS_DIR, 'packed', 'app.mjs'), join(appDir, 'app.mjs'));
    copyFileSync(join(APPS_DIR, 'packed', 'app.cjs'), join(appDir, 'app.cjs'));
  }, 240_000);
  afterAll(() => {
    if (appDir) rmSync(appDir, { recursive: true, force: true });
  });
  let packedFiles: string[] = [];

  it('holds the builds, their declarations, README, CHANGELOG and package.json, and no source or tests', () => {
    expect(relative(WORKSPACE_ROOT, appDir).startsWith('..')).toBe(true);
    for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'dist/index.mjs', 'dist/index.cjs', 'dist/register.mjs', 'dist/register.cjs']) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((file) => !file.startsWith('dist/') && !['package.json', 'README.md', 'CHANGELOG.md'].includes(file))).toEqual([]);
    // Every file the exports map names is in the tarball.
    const manifest = JSON.parse(readFileSync(join(SDK_DIR, 'package.json'), 'utf8')) as { exports: unknown; types: string };
    const named = [manifest.types, ...collectPaths(manifest.exports)].map((path) => path.replace(/^\.\//, ''));
    expect(named.filter((path) => !packedFiles.includes(path))).toEqual([]);
  });

  it('depends on nothing unpublished: the installed package has no @costscope/* dependency', () => {
    const installed = JSON.parse(readFileSync(join(appDir, 'node_modules/@costscope/sdk/package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const names = [...Object.keys(installed['dependencies'] ?? {}), ...Object.keys(installed['peerDependencies'] ?? {})];
    expect(names.filter((name) => name.startsWith('@costscope/'))).toEqual([]);
    expect(installed['publishConfig']).toEqual({ access: 'public', provenance: true });
  });

  it.each([
    ['ESM', 'app.mjs', '--import', 'packed-esm'],
    ['CommonJS', 'app.cjs', '-r', 'packed-cjs'],
  ])('%s app (%s, %s @costscope/sdk/register): loads the installed copy, its calls arrive priced', async (_kind, app, flag, feature) => {
    const result = await runLine(`node ${flag} @costscope/sdk/register ${app}`, {
      cwd: appDir,
      env: { PATH, COSTSCOPE_ENDPOINT: server.url, COSTSCOPE_API_KEY: server.apiKey, STAND_IN_URL: standInUrl },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const loaded = (JSON.parse(result.stdout.split('\n')[0] ?? '') as { sdk: string }).sdk.replace(/^file:\/\//, '');
    expect(loaded.startsWith(join(appDir, 'node_modules', '@costscope', 'sdk', 'dist'))).toBe(true);

    const rows = await server.costsOf(feature, 2);
    expect(rows.sort((a, b) => a.model.localeCompare(b.model))).toEqual([
      expect.objectContaining({ model: responseModel('claude-sonnet-4-6'), requests: 1, unpricedRequests: 0, costUsd: standInCallCost('claude-sonnet-4-6', 'anthropic') }),
      expect.objectContaining({ model: responseModel('gpt-4.1-mini'), requests: 1, unpricedRequests: 0, costUsd: standInCallCost('gpt-4.1-mini', 'openai') }),
    ]);
  });
});

function collectPaths(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(collectPaths);
}
