/**
 * Serves the dashboard in production mode: `npm start` runs it beside the server.
 *
 *   tsx scripts/serve.ts            build when the sources changed since the last build, then serve
 *   tsx scripts/serve.ts --prepare  only make sure the admin password exists (printed once)
 *
 * Settings: DASHBOARD_PORT (3000), DASHBOARD_HOST (0.0.0.0), COSTSCOPE_SERVER_URL, COSTSCOPE_DATA_DIR,
 * COSTSCOPE_ADMIN_PASSWORD, COSTSCOPE_API_KEY; COSTSCOPE_LAUNCHER=1 (set by `npm start`) leaves the
 * announcements to the launcher's banner.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDashboardCredentials } from '../src/lib/server/credentials.js';

export const dashboardDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const workspaceRoot = path.join(dashboardDir, '..');
export const nextBin = createRequire(path.join(dashboardDir, 'package.json')).resolve('next/dist/bin/next');
/** Written into a build's dist dir once `next build` succeeded: the hash of the sources it was built from. */
const STAMP_FILE = 'costscope-sources.sha256';

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

function runNext(args: string[], env: NodeJS.ProcessEnv, output: 'inherit' | 'capture' = 'inherit'): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, ...args], { cwd: dashboardDir, env, stdio: output === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let captured = '';
    const keep = (chunk: Buffer) => (captured = (captured + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: captured }));
  });
}

/**
 * `next build` points `next-env.d.ts` (a committed file) at its dist dir's route types. A build
 * into another dist dir (the browser tests' own) puts the committed `.next` paths back, so it
 * leaves no change in the working tree.
 */
async function restoreNextEnv(distDir: string): Promise<void> {
  const file = path.join(dashboardDir, 'next-env.d.ts');
  const posixDistDir = distDir.split(path.sep).join('/');
  if (posixDistDir === '.next') return;
  const content = await readFile(file, 'utf8').catch(() => undefined);
  if (content === undefined || !content.includes(`./${posixDistDir}/`)) return;
  await writeFile(file, content.replaceAll(`./${posixDistDir}/`, './.next/'));
}

export type BuildOptions = {
  /** Relative to `dashboard/` (`NEXT_DIST_DIR`); `.next` by default. */
  distDir?: string;
  /** The sources' hash, when the caller already computed it. */
  sources?: string;
  /** `capture` keeps Next's build output quiet unless the build fails (tests). */
  output?: 'inherit' | 'capture';
  /** Said when a build starts, instead of the `npm start` wording. */
  announce?: string;
  log?: (line: string) => void;
};

/** True when `distDir` holds a finished build of exactly these sources. */
export async function isBuiltFrom(distDir: string, sources: string): Promise<boolean> {
  const built = await readFile(path.join(dashboardDir, distDir, STAMP_FILE), 'utf8').catch(() => '');
  return built.trim() === sources && existsSync(path.join(dashboardDir, distDir, 'BUILD_ID'));
}

/** Builds unless the last build in `distDir` was made from these very sources. */
export async function buildIfStale(env: NodeJS.ProcessEnv = process.env, options: BuildOptions = {}): Promise<void> {
  const { distDir = env.NEXT_DIST_DIR ?? '.next', output = 'inherit', log = console.log } = options;
  const current = options.sources ?? (await sourcesHash());
  if (await isBuiltFrom(distDir, current)) return;
  const stamp = path.join(dashboardDir, distDir, STAMP_FILE);
  const hadBuild = existsSync(stamp);
  log(
    options.announce ??
      (hadBuild ? 'Dashboard sources changed: building the dashboard again (about a minute)…' : 'Building the dashboard for its first start (about a minute)…'),
  );
  const started = Date.now();
  const result = await runNext(['build'], { ...env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' }, output);
  await restoreNextEnv(distDir);
  if (result.code !== 0) throw new Error(`next build failed (exit ${result.code})${result.output ? `:\n${result.output}` : ''}`);
  await writeFile(stamp, `${current}\n`);
  log(`Dashboard built in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, COSTSCOPE_DATA_DIR: path.resolve(process.env.COSTSCOPE_DATA_DIR ?? './.costscope') };
  // Under `npm start` the launcher prints one banner (URLs, and the password on the first start)
  // and Next's build report is kept unless the build fails.
  const launched = env.COSTSCOPE_LAUNCHER === '1';
  const { generatedPassword, file } = await ensureDashboardCredentials(env);
  if (generatedPassword && !launched) {
    console.log(`Dashboard admin password (shown once, also in ${file}): ${generatedPassword}`);
  }
  if (process.argv.includes('--prepare')) return;

  await buildIfStale(env, { output: launched ? 'capture' : 'inherit' });
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
      if (!launched) console.log(`Costscope dashboard on http://localhost:${port} (reading ${env.COSTSCOPE_SERVER_URL ?? 'http://localhost:4318'})`);
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
