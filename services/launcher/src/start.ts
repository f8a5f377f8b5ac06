/**
 * `npm start`: the Costscope server (port 4318, `PORT`) and the dashboard (port 3000,
 * `DASHBOARD_PORT`) side by side, with the embedded storage in `COSTSCOPE_DATA_DIR`.
 *
 * The two run as child processes (the embedded ClickHouse belongs to the server process alone);
 * Ctrl-C stops both, and if either stops on its own the other is stopped too, so `npm start`
 * never leaves half of Costscope running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBanner } from './banner.js';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

const env: NodeJS.ProcessEnv = {
  ...process.env,
  // One absolute data directory for both processes, whatever their working directories.
  COSTSCOPE_DATA_DIR: path.resolve(process.env.COSTSCOPE_DATA_DIR ?? './.costscope'),
};
env.COSTSCOPE_SERVER_URL ??= `http://localhost:${env.PORT ?? '4318'}`;
env.COSTSCOPE_DASHBOARD_URL ??= `http://localhost:${env.DASHBOARD_PORT ?? '3000'}`;
// The server and the dashboard leave their own start lines (and the secrets) to the banner below.
env.COSTSCOPE_LAUNCHER = '1';
const credentialsFile = path.join(env.COSTSCOPE_DATA_DIR as string, 'credentials.json');

type Credentials = { apiKey?: string; adminPassword?: string };

async function readCredentials(): Promise<Credentials> {
  try {
    return JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials;
  } catch {
    return {};
  }
}

/** Resolves once both answer over HTTP; rejects as soon as either process has exited. */
async function bothUp(children: ChildProcess[]): Promise<void> {
  const answers = async (url: string) => {
    try {
      return (await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) })).status < 500;
    } catch {
      return false;
    }
  };
  for (;;) {
    if (children.some((child) => child.exitCode !== null || child.signalCode !== null)) throw new Error('a process stopped before Costscope was up');
    if ((await answers(`${env.COSTSCOPE_SERVER_URL}/healthz`)) && (await answers(`${env.COSTSCOPE_DASHBOARD_URL}/login`))) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function runTsx(args: string[]): ChildProcess {
  return spawn(process.execPath, [tsxCli, ...args], { cwd: workspaceRoot, env, stdio: 'inherit' });
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1))));
}

async function main(): Promise<number> {
  // The dashboard's password goes into the credentials file before the server writes its key
  // there, so the two never write the file at the same moment.
  const before = await readCredentials();
  const prepare = await exited(runTsx(['dashboard/scripts/serve.ts', '--prepare']));
  if (prepare !== 0) return prepare;

  const children = [
    runTsx(['--tsconfig', 'services/server/tsconfig.json', 'services/server/src/main.ts']),
    runTsx(['dashboard/scripts/serve.ts']),
  ];
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stopAll('SIGINT'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));

  void bothUp(children).then(
    async () => {
      const after = await readCredentials();
      console.log(
        startBanner({
          serverUrl: env.COSTSCOPE_SERVER_URL as string,
          dashboardUrl: env.COSTSCOPE_DASHBOARD_URL as string,
          credentialsFile,
          dataDir: env.COSTSCOPE_DATA_DIR as string,
          newApiKey: before.apiKey ? undefined : after.apiKey,
          newAdminPassword: before.adminPassword ? undefined : after.adminPassword,
        }),
      );
    },
    // A process that stopped early has said why; the exit code below carries it.
    () => undefined,
  );

  const first = await Promise.race(children.map((child) => exited(child)));
  if (!stopping) stopAll('SIGTERM');
  const codes = await Promise.all(children.map((child) => (child.exitCode !== null || child.signalCode !== null ? child.exitCode ?? 0 : exited(child))));
  return stopping ? 0 : first || Math.max(...codes);
}

process.exitCode = await main();
