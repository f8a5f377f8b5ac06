/**
 * The pieces of a browser-test run, shared by the e2e global setup and `npm run screenshots`:
 * the real Costscope server (embedded chDB) in a temporary data directory, a month of calls sent
 * through `/v1/traces`, the dashboard's production build (built once per set of sources), and
 * `next start` serving it — set up the way `npm start` sets them up, each on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildIfStale, dashboardDir, isBuiltFrom, nextBin, sourcesHash, workspaceRoot } from '../../scripts/serve.js';
import { ensureDashboardCredentials, readCredentialsFile, type CredentialsFile } from '../../src/lib/server/credentials.js';
import { seedSpans, sendSeedSpans, type SeedSpan } from './seed-calls.js';

/** The admin password the test dashboard is started with (`COSTSCOPE_ADMIN_PASSWORD`). */
export const E2E_ADMIN_PASSWORD = 'e2e-admin-password-Qm7v2Lx9';

/** Where the browser tests' builds live, one directory per set of sources (gitignored by `.next-*`). */
const E2E_BUILDS_DIR = '.next-e2e';
/** A build not used for this long is removed when another one is made. */
const UNUSED_BUILD_TTL_MS = 2 * 3_600_000;
const LAST_USED_FILE = 'costscope-last-used';

export type Log = (line: string) => void;

export type RunningChild = {
  readonly name: string;
  readonly process: ChildProcess;
  /** The last 30 kB the process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
};

const running = new Set<RunningChild>();

// Each child leads its own process group (tsx runs the server in a grandchild): stopping the group
// stops all of it. Should the runner exit without its teardown, no server is left behind.
process.once('exit', () => {
  for (const child of running) killGroup(child.process, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * The environment a child starts from: this process's, without any Costscope, ClickHouse, port or
 * test-runner setting of the developer's shell, so a run never reads or writes their data.
 */
function isolatedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(COSTSCOPE_|CLICKHOUSE_|DASHBOARD_|NEXT_|VITEST|__VITEST)/.test(name) && !['PORT', 'HOST', 'NODE_ENV', 'TEST'].includes(name),
    ),
  ) as NodeJS.ProcessEnv;
}

function startChild(name: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): RunningChild {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-30_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: RunningChild = {
    name,
    process: child,
    output: () => output,
    async stop() {
      killGroup(child, 'SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        killGroup(child, 'SIGKILL');
        await exited;
      }
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls `url` until `ready(status)`; fails at once with the child's output if it exits first. */
async function waitUntilServing(child: RunningChild, url: string, ready: (status: number) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${child.name} exited (${child.process.exitCode ?? child.process.signalCode}) before serving ${url}:\n${child.output()}`);
    }
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (ready(response.status)) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${child.name} did not serve ${url} within ${timeoutMs / 1000} s (${last}):\n${child.output()}`);
}

export type CostscopeServer = { url: string; apiKey: string; child: RunningChild };

/**
 * The real server, as `npm start` runs it (tsx, embedded chDB), on `port`. It generates the
 * project key and writes it to the credentials file, where the dashboard reads it.
 */
export async function startCostscopeServer(options: {
  dataDir: string;
  port: number;
  dashboardUrl: string;
  /** Settings over the test defaults (the page benchmark slows the alert rules down). */
  env?: Record<string, string>;
}): Promise<CostscopeServer> {
  const tsxCli = createRequire(path.join(dashboardDir, 'package.json')).resolve('tsx/cli');
  const child = startChild('the Costscope server', [tsxCli, '--tsconfig', 'services/server/tsconfig.json', 'services/server/src/main.ts'], {
    cwd: workspaceRoot,
    env: {
      ...isolatedEnv(),
      PORT: String(options.port),
      HOST: '127.0.0.1',
      COSTSCOPE_DATA_DIR: options.dataDir,
      COSTSCOPE_TIMEZONE: 'UTC',
      COSTSCOPE_WEEKLY_REVIEW: 'off',
      // Alerts are evaluated soon after the seed lands, so the alert pages have episodes to show.
      COSTSCOPE_ALERTS_INTERVAL: '10s',
      COSTSCOPE_DASHBOARD_URL: options.dashboardUrl,
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(child, `${url}/readyz`, (status) => status === 200, 120_000);
    const { apiKey } = await readCredentialsFile(path.join(options.dataDir, 'credentials.json'));
    if (!apiKey) throw new Error(`the server wrote no project key to ${options.dataDir}/credentials.json`);
    return { url, apiKey, child };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/**
 * The request the article warns about — a pasted document, 60,000 input tokens — five minutes
 * before `now`: the oversized-request rule fires on it at any hour of the day (the seed's hot
 * day trips the daily-spend rule only late enough in the day), so the alert pages have an episode.
 */
function pastedDocument(now: Date): SeedSpan {
  return {
    traceId: 'e2e5eed0000000000000000000000001',
    spanId: 'e2e5eed000000001',
    start: new Date(now.getTime() - 5 * 60_000),
    error: false,
    attributes: {
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-5-mini',
      'gen_ai.response.model': 'gpt-5-mini',
      'gen_ai.usage.input_tokens': 60_000,
      'gen_ai.usage.output_tokens': 400,
      'costscope.feature': 'summarizer',
      'costscope.endpoint': '/api/summarize',
      'costscope.user.tier': 'paid',
      'user.id': 'paid-user-7',
    },
  };
}

/** A deterministic month of calls up to `now`, through `/v1/traces` like any exporter's. */
export async function seedCalls(server: CostscopeServer, now: Date): Promise<number> {
  const spans = [...seedSpans({ now }), pastedDocument(now)];
  await sendSeedSpans(server.url, server.apiKey, spans);
  return spans.length;
}

/** Waits for the scheduler (every 10 s here) to open the first alert episode; false on timeout. */
export async function waitForAnAlert(server: CostscopeServer, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${server.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${server.apiKey}` } });
    if (response.ok && ((await response.json()) as { alerts: unknown[] }).alerts.length > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return false;
}

async function pathExists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` holding a lock directory, so two test runs started together (two terminals, or
 * `npm test` beside a single spec file) never build into the same directory at once. A lock left
 * by a process that died is taken over.
 */
async function withLock<T>(lockDir: string, log: Log, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20 * 60_000;
  let told = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => ''));
      const age = Date.now() - (await stat(lockDir).then((s) => s.mtimeMs, () => Date.now()));
      if ((pid > 0 && !processIsAlive(pid)) || (!pid && age > 60_000)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited 20 minutes for another build of the dashboard (${lockDir})`);
      if (!told) log('Another test run is building the same dashboard sources; waiting for it…');
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/** Removes builds of older sources nobody has used for a while (each is ~50 MB). */
async function removeUnusedBuilds(buildsDir: string, keep: string): Promise<void> {
  const entries = await readdir(buildsDir).catch(() => [] as string[]);
  for (const entry of entries) {
    if (entry === keep || entry.endsWith('.lock') || (await pathExists(path.join(buildsDir, `${entry}.lock`)))) continue;
    const dir = path.join(buildsDir, entry);
    const lastUsed = await stat(path.join(dir, LAST_USED_FILE))
      .catch(() => stat(dir))
      .then((s) => s.mtimeMs, () => 0);
    if (Date.now() - lastUsed > UNUSED_BUILD_TTL_MS) await rm(dir, { recursive: true, force: true });
  }
}

export type DashboardBuild = { distDir: string; builtNow: boolean; seconds: number };

/**
 * The dashboard's production build for these sources, in its own dist dir
 * (`.next-e2e/<sources hash>`): built when the sources changed, else reused. A directory per
 * set of sources means a run never rebuilds the files another, concurrent run is serving.
 */
export async function buildDashboardForTests(log: Log): Promise<DashboardBuild> {
  const started = Date.now();
  const pinned = process.env.COSTSCOPE_E2E_DIST_DIR;
  if (pinned) {
    // For iterating on tests alone: serve a build made earlier, whatever the sources are now.
    log(`Using the build in ${pinned} (COSTSCOPE_E2E_DIST_DIR), not checking it matches the sources.`);
    return { distDir: pinned, builtNow: false, seconds: 0 };
  }
  const sources = await sourcesHash();
  const name = sources.slice(0, 16);
  const distDir = path.join(E2E_BUILDS_DIR, name);
  const buildsDir = path.join(dashboardDir, E2E_BUILDS_DIR);
  let builtNow = false;
  if (!(await isBuiltFrom(distDir, sources))) {
    await mkdir(buildsDir, { recursive: true });
    await withLock(path.join(buildsDir, `${name}.lock`), log, async () => {
      if (await isBuiltFrom(distDir, sources)) return;
      builtNow = true;
      await buildIfStale(isolatedEnv(), {
        distDir,
        sources,
        output: 'capture',
        log,
        announce: `Building the dashboard in production mode into ${distDir} (once per change of its sources; a minute or two)…`,
      });
    });
  }
  const marker = path.join(dashboardDir, distDir, LAST_USED_FILE);
  await writeFile(marker, '');
  const now = new Date();
  await utimes(marker, now, now);
  await removeUnusedBuilds(buildsDir, name);
  return { distDir, builtNow, seconds: (Date.now() - started) / 1000 };
}

export type Dashboard = { url: string; child: RunningChild };

/** `next start` on the production build, reading `server` with the key from the data directory. */
export async function startDashboard(options: {
  distDir: string;
  port: number;
  serverUrl: string;
  dataDir: string;
  /** Settings over the test defaults (the page benchmark turns on the API timing log). */
  env?: Record<string, string>;
}): Promise<Dashboard> {
  const url = `http://127.0.0.1:${options.port}`;
  const child = startChild('the dashboard (next start)', [nextBin, 'start', '--port', String(options.port), '--hostname', '127.0.0.1'], {
    cwd: dashboardDir,
    env: {
      ...isolatedEnv(),
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      NEXT_DIST_DIR: options.distDir,
      COSTSCOPE_SERVER_URL: options.serverUrl,
      COSTSCOPE_DATA_DIR: options.dataDir,
      COSTSCOPE_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      COSTSCOPE_DASHBOARD_URL: url,
      ...options.env,
    },
  });
  try {
    await waitUntilServing(child, `${url}/login`, (status) => status === 200, 60_000);
    return { url, child };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** Everything a browser test or a screenshot needs to reach and check the running stack. */
export type StackInfo = {
  serverUrl: string;
  dashboardUrl: string;
  /** The project key the server generated; it must never reach the browser. */
  apiKey: string;
  adminPassword: string;
  /** The secret sessions are signed with; it must never reach the browser either. */
  sessionSecret: string;
  dataDir: string;
  /** The production build served, relative to `dashboard/` (`.next-e2e/<sources hash>`). */
  distDir: string;
  /** The `now` the seed's calls run up to (ISO). */
  seededAt: string;
  seededCalls: number;
};

export type Stack = StackInfo & {
  build: DashboardBuild;
  timings: Record<'server' | 'seed' | 'build' | 'dashboard', number>;
  stop(): Promise<void>;
};

/**
 * Server, seed, build and dashboard, in the order `npm start` brings them up: the dashboard's
 * credentials (password, session secret) are written first, then the server adds its key.
 */
export async function startStack(log: Log = () => undefined): Promise<Stack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'costscope-e2e-'));
  const [serverPort, dashboardPort] = [await freePort(), await freePort()];
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
  const children: RunningChild[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await child.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  let building: Promise<DashboardBuild> | undefined;
  try {
    const timings = { server: 0, seed: 0, build: 0, dashboard: 0 };
    let mark = Date.now();
    const lap = () => {
      const seconds = (Date.now() - mark) / 1000;
      mark = Date.now();
      return seconds;
    };
    await ensureDashboardCredentials({ ...isolatedEnv(), COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD });
    // The build runs while the server starts and takes the seed: it is the long pole.
    building = buildDashboardForTests(log);
    building.catch(() => undefined);
    const server = await startCostscopeServer({ dataDir, port: serverPort, dashboardUrl });
    children.push(server.child);
    timings.server = lap();
    const seededAt = new Date();
    const seededCalls = await seedCalls(server, seededAt);
    const alerted = await waitForAnAlert(server, 60_000);
    timings.seed = lap();
    log(
      `Server on ${server.url} with ${seededCalls.toLocaleString('en-US')} seeded calls` +
        `${alerted ? ' and an alert' : ' (no alert fired within a minute: the alert pages have no episode to show)'}; waiting for the dashboard build…`,
    );
    const build = await building;
    timings.build = build.seconds;
    mark = Date.now();
    const dashboard = await startDashboard({ distDir: build.distDir, port: dashboardPort, serverUrl: server.url, dataDir });
    children.push(dashboard.child);
    timings.dashboard = lap();
    const credentials: CredentialsFile = await readCredentialsFile(path.join(dataDir, 'credentials.json'));
    if (!credentials.sessionSecret) throw new Error('no session secret in the credentials file');
    return {
      serverUrl: server.url,
      dashboardUrl: dashboard.url,
      apiKey: server.apiKey,
      adminPassword: E2E_ADMIN_PASSWORD,
      sessionSecret: credentials.sessionSecret,
      dataDir,
      distDir: build.distDir,
      seededAt: seededAt.toISOString(),
      seededCalls,
      build,
      timings,
      stop,
    };
  } catch (error) {
    await stop();
    // A build left running would hold its lock and write on after this process is gone.
    await building?.catch(() => undefined);
    throw error;
  }
}
