import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { repoRoot } from './deploy-files.js';

export type Running = { child: ChildProcess; output: () => string; stop: () => Promise<void> };

/** A free loopback port, for a process that must be told its port up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Running {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export function exited(running: Running): Promise<number | null> {
  if (running.child.exitCode !== null) return Promise.resolve(running.child.exitCode);
  return new Promise((resolve) => running.child.once('exit', (code) => resolve(code)));
}

/**
 * The test-only ClickHouse HTTP front over chDB (services/server/test/support), in its own
 * process like a real ClickHouse server; resolves with its URL once it listens.
 */
export async function startClickHouseFront(options: { dataDir: string; database: string; user: string; password: string }): Promise<Running & { url: string }> {
  const script = path.join(repoRoot, 'services/server/test/support/clickhouse-http-front.ts');
  const front = run(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], {
    cwd: path.join(repoRoot, 'services/server'),
    env: process.env,
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the ClickHouse front exited with ${code}: ${front.output()}`));
    front.child.once('exit', onExit);
    front.child.stdout?.on('data', () => {
      const line = front.output().split('\n').find((candidate) => candidate.startsWith('{"port"'));
      if (!line) return;
      front.child.off('exit', onExit);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return { ...front, url: `http://127.0.0.1:${port}` };
}

/** Polls `url` until it answers 200; fails when the process exits first or `limitMs` passes. */
export async function answers200(url: string, process: Running, limitMs = 90_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (process.child.exitCode !== null) throw new Error(`the process exited (${process.child.exitCode}) before ${url} answered:\n${process.output()}`);
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 (last: ${status}):\n${process.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
