/**
 * Serves the dashboard in production mode: `npm start` runs it beside the server.
 *
 *   tsx scripts/serve.ts            build when the sources changed since the last build, then serve
 *   tsx scripts/serve.ts --prepare  only make sure the admin password exists (printed once)
 *
 * Settings: DASHBOARD_PORT (3000), DASHBOARD_HOST (0.0.0.0), COSTSCOPE_SERVER_URL, COSTSCOPE_DATA_DIR,
 * COSTSCOPE_ADMIN_PASSWORD, COSTSCOPE_API_KEY.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDashboardCredentials } from '../src/lib/server/credentials.js';

const dashboardDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = path.join(dashboardDir, '..');
const nextBin = createRequire(path.join(dashboardDir, 'package.json')).resolve('next/dist/bin/next');
const STAMP = path.join(dashboardDir, '.next', 'costscope-sources.sha256');

/** Everything a production build depends on: a change to any of it means build again. */
const SOURCE_ROOTS = [
  path.join(dashboardDir, 'src'),
  path.join(dashboardDir, 'next.config.ts'),
  path.join(dashboardDir, 'postcss.config.mjs'),
  path.join(dashboardDir, 'tsconfig.json'),
  path.join(dashboardDir, 'tsconfig.turbopack.json'),
  path.join(dashboardDir, 'package.json'),
  path.join(workspaceRoot, 'sdk', 'core', 'src'),
  path.join(workspaceRoot, 'package-lock.json'),
];

async function filesUnder(entry: string): Promise<string[]> {
  if (!existsSync(entry)) return [];
  const dirents = await readdir(entry, { withFileTypes: true }).catch(() => null);
  if (!dirents) return [entry];
  const nested = await Promise.all(dirents.map((d) => filesUnder(path.join(entry, d.name))));
  return nested.flat();
}

export async function sourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await Promise.all(SOURCE_ROOTS.map(filesUnder))).flat().sort();
  for (const file of files) {
    hash.update(path.relative(workspaceRoot, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

function runNext(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, ...args], { cwd: dashboardDir, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Builds unless the last build was made from these very sources. */
export async function buildIfStale(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const current = await sourcesHash();
  const built = await readFile(STAMP, 'utf8').catch(() => '');
  if (built.trim() === current && existsSync(path.join(dashboardDir, '.next', 'BUILD_ID'))) return;
  console.log(built ? 'Dashboard sources changed: building the dashboard again (about a minute)…' : 'Building the dashboard for its first start (about a minute)…');
  const started = Date.now();
  const code = await runNext(['build'], { ...env, NEXT_TELEMETRY_DISABLED: '1' });
  if (code !== 0) throw new Error(`next build failed (exit ${code})`);
  await writeFile(STAMP, `${current}\n`);
  console.log(`Dashboard built in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, COSTSCOPE_DATA_DIR: path.resolve(process.env.COSTSCOPE_DATA_DIR ?? './.costscope') };
  const { generatedPassword, file } = await ensureDashboardCredentials(env);
  if (generatedPassword) {
    console.log(`Dashboard admin password (shown once, also in ${file}): ${generatedPassword}`);
  }
  if (process.argv.includes('--prepare')) return;

  await buildIfStale(env);
  const port = env.DASHBOARD_PORT ?? '3000';
  const host = env.DASHBOARD_HOST ?? '0.0.0.0';
  const child = spawn(process.execPath, [nextBin, 'start', '--port', port, '--hostname', host], {
    cwd: dashboardDir,
    env: { ...env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Next prints its own banner; say where the dashboard is and what it reads, once.
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (/Ready in/.test(text)) {
      console.log(`Costscope dashboard on http://localhost:${port} (reading ${env.COSTSCOPE_SERVER_URL ?? 'http://localhost:4318'})`);
    } else if (!/▲ Next\.js|Local:|Network:|Starting\.\.\.|^\s*$/m.test(text)) {
      process.stdout.write(text);
    }
  });
  const stop = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`costscope dashboard: ${(error as Error).message}`);
    process.exit(1);
  });
}
