import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_API_KEY } from '../../support/running-server.js';

export type ServerProcess = {
  baseUrl: string;
  port: number;
  auth: { Authorization: string };
  child: ChildProcess;
  /** What the process wrote to stdout and stderr so far (for failure messages and leak checks). */
  output: () => string;
  /** SIGKILL: no shutdown hook runs, whatever was in memory is gone. */
  kill: () => Promise<void>;
  /** SIGTERM: the server flushes and closes as in a normal stop. */
  stop: () => Promise<void>;
};

const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));

/** A free loopback port: `main.ts` listens on `PORT`, which must be set before it starts. */
export function freePort(): Promise<number> {
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

/**
 * The real server as its own process (`node --import tsx src/main.ts`), as it runs in
 * production, so a test can SIGKILL it. Resolves once it listens; rejects if it exits first.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, COSTSCOPE_API_KEY: TEST_API_KEY, COSTSCOPE_LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the server exited with ${code} before listening:\n${output}`));
    child.once('exit', onExit);
    const onData = (): void => {
      if (!output.includes('Costscope server listening')) return;
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      resolve();
    };
    child.stdout?.on('data', onData);
  });
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(name);
    await exited;
  };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    auth: { Authorization: `Bearer ${env.COSTSCOPE_API_KEY ?? TEST_API_KEY}` },
    child,
    output: () => output,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}
