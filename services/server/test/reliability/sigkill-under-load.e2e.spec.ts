import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { RestartableStorage } from '../support/restartable-storage.js';
import { startSpanLoad, until, type LoadResult } from './support/span-load.js';
import { spoolDepthBytes, storedCalls } from './support/stored-calls.js';

/**
 * SIGKILL of the server while apps export to it — once while storage takes the calls, once while
 * storage is down and every call goes to the spool (a kill can then tear an append). After a
 * restart on the same data directory, every span that got a 200 is stored exactly once.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'sigkill-test' };
let workDir: string;
let dataDir: string;
let storage: RestartableStorage;
let server: ServerProcess | undefined;
const results: LoadResult[] = [];

const serverEnv = () => storage.serverEnv(dataDir);


/** Load against the current process, a SIGKILL once `acknowledged` more requests got their 200. */
async function killUnderLoad(label: number, acknowledged: number): Promise<void> {
  const running = server as ServerProcess;
  const load = startSpanLoad({ target: () => running, concurrency: 8, spansPerRequest: 25, label });
  await until(() => load.acknowledgedRequests() >= acknowledged, `${acknowledged} requests are acknowledged`);
  await running.kill();
  results.push(await load.stop());
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-sigkill-'));
  dataDir = path.join(workDir, 'costscope');
  storage = new RestartableStorage(workDir, FRONT);
  await storage.start();
  server = await startServerProcess(serverEnv());
}, 60_000);

afterAll(async () => {
  await server?.kill();
  await storage?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

// Recovery steps wait up to a minute each (a busy CI machine drains slowly): the test's bound must be above them.
describe('SIGKILL of the server under load', { timeout: 180_000 }, () => {
  it('loses no acknowledged span while storage takes the calls', async () => {
    await killUnderLoad(1, 60);
    expect(results[0]?.statuses.error ?? 0).toBeGreaterThan(0);
    server = await startServerProcess(serverEnv());
  });

  it('loses no acknowledged span while every call goes to the spool', async () => {
    await storage.stop();
    await killUnderLoad(2, 60);
    server = await startServerProcess(serverEnv());
    // Storage is still down: the new process serves from the spool, behind the killed one's segments.
    await killUnderLoad(3, 20);
    await storage.start();
    server = await startServerProcess(serverEnv());
  });

  it('stores every acknowledged span exactly once after the restart', async () => {
    const running = server as ServerProcess;
    await until(async () => (await spoolDepthBytes(running.baseUrl)) === 0, 'the spool is drained', 60_000, 200);
    const acknowledged = new Set(results.flatMap((result) => [...result.acknowledged]));
    const sent = new Set(results.flatMap((result) => [...result.sent]));
    const stored = await storedCalls(storage.info());

    expect([...acknowledged].filter((spanId) => !stored.spanIds.has(spanId))).toEqual([]);
    expect(stored.rows).toBe(stored.spanIds.size);
    expect([...stored.spanIds].filter((spanId) => !sent.has(spanId))).toEqual([]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(25 * (60 + 60 + 20));
  });
});
