import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` as a person runs it: one banner once both are up, the secrets only on the first
 * start, Ctrl-C stops everything, and the next start finds the same data (the key still works).
 */
const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'costscope-npm-start-'));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

type Started = { child: ChildProcess; output: () => string; banner: Promise<string> };

async function npmStart(extraEnv: NodeJS.ProcessEnv = {}): Promise<Started & { serverUrl: string; dashboardUrl: string }> {
  const [port, dashboardPort] = [await freePort(), await freePort()];
  const child = spawn('npm', ['start'], {
    cwd: workspaceRoot,
    // Its own build directory: the dashboard's browser tests build into theirs at the same time.
    env: { ...process.env, PORT: String(port), DASHBOARD_PORT: String(dashboardPort), COSTSCOPE_DATA_DIR: dataDir, NEXT_DIST_DIR: '.next-npm-start-test', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so Ctrl-C can be sent the way a terminal sends it: to the whole group.
    detached: true,
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const banner = new Promise<string>((resolve, reject) => {
    const check = () => {
      const at = text.indexOf('Costscope is running');
      if (at >= 0 && text.indexOf('Ctrl-C stops it', at) > 0) resolve(text.slice(at));
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before its banner:\n${text}`)));
  });
  return { child, output: () => text, banner, serverUrl: `http://localhost:${port}`, dashboardUrl: `http://localhost:${dashboardPort}` };
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** Resolves once nothing answers at `url` any more (the processes finish their shutdown after npm is gone). */
async function refused(url: string): Promise<true> {
  for (;;) {
    try {
      await fetch(url);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What a terminal's Ctrl-C does: SIGINT to npm and everything it started. */
async function ctrlC(child: ChildProcess): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGINT');
  await stopped(child);
}

let running: ChildProcess | undefined;

/** A start left running by a failed test would hold the data directory's storage. */
async function stopRunning(): Promise<void> {
  if (running) await ctrlC(running);
}

afterAll(async () => {
  await stopRunning();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints one banner with both URLs, the key and the password on the first start; Ctrl-C stops both', async () => {
    const first = await npmStart();
    running = first.child;
    const banner = await first.banner;
    const credentials = JSON.parse(readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { apiKey: string; adminPassword: string };
    expect(banner).toContain(first.dashboardUrl);
    expect(banner).toContain(first.serverUrl);
    expect(banner).toContain(`Project key         ${credentials.apiKey}`);
    expect(banner).toContain(`Admin password      ${credentials.adminPassword}`);
    // The secrets are said once, in the banner, and nothing else was printed around it but the build's two lines.
    expect(first.output().split(credentials.apiKey).length - 1).toBe(1);
    expect(first.output().split(credentials.adminPassword).length - 1).toBe(1);
    expect(first.output()).not.toMatch(/\[Nest\]|Mapped \{|RouterExplorer/);

    expect((await fetch(`${first.serverUrl}/api/v1/project`, { headers: { Authorization: `Bearer ${credentials.apiKey}` } })).status).toBe(200);
    expect((await fetch(`${first.dashboardUrl}/login`)).status).toBe(200);

    await ctrlC(first.child);
    // Nothing of it is left answering.
    expect(await refused(`${first.serverUrl}/healthz`)).toBe(true);
    expect(await refused(`${first.dashboardUrl}/login`)).toBe(true);
    // The first start builds the dashboard: about a minute alone, longer beside the other suites.
  }, 600_000);

  it('starts again on the same data without repeating a secret; the demo fills it and an alert fires', async () => {
    await stopRunning();
    const credentials = JSON.parse(readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { apiKey: string; adminPassword: string };
    // The scheduler evaluates every 5 s instead of every 5 min, so the demo's incidents are seen within the test.
    const second = await npmStart({ COSTSCOPE_ALERTS_INTERVAL: '5s' });
    running = second.child;
    const banner = await second.banner;
    expect(banner).toContain(`Key and admin password: ${path.join(dataDir, 'credentials.json')}`);
    expect(second.output()).not.toContain(credentials.apiKey);
    expect(second.output()).not.toContain(credentials.adminPassword);
    const read = async (route: string) => {
      const response = await fetch(`${second.serverUrl}${route}`, { headers: { Authorization: `Bearer ${credentials.apiKey}` } });
      expect(response.status).toBe(200);
      return response.json() as Promise<unknown>;
    };
    await read('/api/v1/project');

    // The issue's own line, found as the CLI finds the server: the URL from the environment, the key
    // from the data directory's credentials file.
    const demo = spawnSync('npm', ['run', 'demo', '--', '--days', '3', '--live', '20s'], {
      cwd: workspaceRoot,
      env: { ...process.env, COSTSCOPE_SERVER_URL: second.serverUrl, COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_API_KEY: '' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(demo.status, `${demo.stdout}\n${demo.stderr}`).toBe(0);
    expect(demo.stdout + demo.stderr).not.toContain(credentials.apiKey);

    const to = new Date(Date.now() + 3_600_000).toISOString();
    const from = new Date(Date.now() - 5 * 86_400_000).toISOString();
    const costs = (await read(`/api/v1/costs?groupBy=feature&from=${from}&to=${to}`)) as { rows: Array<{ feature: string }> };
    const features = costs.rows.map((row) => row.feature);
    expect(features).toEqual(expect.arrayContaining(['support-chat', 'ticket-summary']));

    // The scheduler's next evaluations see the demo's incidents.
    let episodes: unknown[] = [];
    for (let waited = 0; episodes.length === 0 && waited < 120_000; waited += 1_000) {
      episodes = ((await read('/api/v1/alerts')) as { alerts: unknown[] }).alerts;
      if (episodes.length === 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(episodes.length).toBeGreaterThan(0);

    await ctrlC(second.child);
    expect(await refused(`${second.serverUrl}/healthz`)).toBe(true);
  }, 600_000);
});
