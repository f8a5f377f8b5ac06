import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectKeyResolver } from '../../src/auth/project-key-resolver.js';
import { ProjectPriceOverrides } from '../../src/ingest/project-price-overrides.js';
import { startServer, type RunningServer } from '../support/running-server.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { RestartableStorage } from '../support/restartable-storage.js';
import { startSpanLoad, until, type LoadResult } from './support/span-load.js';
import { spoolDepthBytes, storedCalls } from './support/stored-calls.js';

/**
 * A long ClickHouse outage under load. The server that was running when storage went away keeps
 * answering 200 after every cache it had expired (keys and price overrides then come from the
 * verified snapshots in its data directory); it is stopped, and a new process started while
 * storage is still down keeps answering 200 from the same snapshots. When storage is back,
 * every span that got a 200 is stored exactly once, priced with the project's overrides.
 *
 * The model is one the catalog does not know: priced only through the project's override, so a
 * call priced without it would be stored `unpriced` and fail the count.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'outage-load-test' };
const MODEL = 'acme-private-model';
let workDir: string;
let dataDir: string;
let storage: RestartableStorage;
let inProcess: RunningServer | undefined;
let separate: ServerProcess | undefined;

const serverEnv = () => storage.serverEnv(dataDir);


beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-outage-load-'));
  dataDir = path.join(workDir, 'costscope');
  storage = new RestartableStorage(workDir, FRONT);
  await storage.start();
  inProcess = await startServer(serverEnv());
}, 60_000);

afterAll(async () => {
  await inProcess?.close({ keepData: true });
  await separate?.kill();
  await storage?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

// Recovery steps wait up to a minute each (a busy CI machine drains slowly): the test's bound must be above them.
describe('a long storage outage under load', { timeout: 180_000 }, () => {
  let load: ReturnType<typeof startSpanLoad>;
  let result: LoadResult;
  let target: { baseUrl: string; auth: { Authorization: string } };

  it('keeps answering 200 after every cache expired, from the snapshots', async () => {
    const server = inProcess as RunningServer;
    const put = await fetch(`${server.baseUrl}/api/v1/settings/prices`, {
      method: 'PUT',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify([{ model: MODEL, effectiveFrom: '2020-01-01', inputPerMillion: '2.00', outputPerMillion: '10.00' }]),
    });
    expect(put.status).toBe(200);
    target = { baseUrl: server.baseUrl, auth: server.auth };
    load = startSpanLoad({ target: () => target, concurrency: 4, spansPerRequest: 20, label: 1, model: MODEL });
    await until(() => load.acknowledgedRequests() >= 20, 'the load is under way');

    await storage.stop();
    const beforeExpiry = load.acknowledgedRequests();
    await until(() => load.acknowledgedRequests() >= beforeExpiry + 20, 'requests are acknowledged while storage is down');
    // Every cache lifetime passes: the next requests must authenticate and price without storage.
    server.app.get(ProjectKeyResolver).invalidate();
    server.app.get(ProjectPriceOverrides).invalidate('default');
    const afterExpiry = load.acknowledgedRequests();
    await until(() => load.acknowledgedRequests() >= afterExpiry + 40, 'requests are acknowledged after the caches expired');
    expect(await spoolDepthBytes(server.baseUrl)).toBeGreaterThan(0);
  });

  it('starts a new process while storage is down, which answers 200 and is ready for ingest only', async () => {
    // The load pauses while the process is replaced: the spool has one owner at a time.
    result = await load.stop();
    await inProcess?.close({ keepData: true });
    inProcess = undefined;

    separate = await startServerProcess(serverEnv());
    target = { baseUrl: separate.baseUrl, auth: separate.auth };
    const ingestReady = await fetch(`${separate.baseUrl}/readyz?role=ingest`);
    expect(ingestReady.status).toBe(200);
    const whole = await fetch(`${separate.baseUrl}/readyz`);
    expect(whole.status).toBe(503);
    const body = (await whole.json()) as { checks: Record<string, { status: string; reason?: string }> };
    expect(body.checks).toEqual({ ingest: { status: 'ready' }, storage: { status: 'unavailable', reason: 'storage unreachable' } });
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');

    load = startSpanLoad({ target: () => target, concurrency: 4, spansPerRequest: 20, label: 2, model: MODEL });
    await until(() => load.acknowledgedRequests() >= 40, 'the new process acknowledges requests while storage is down');
    const unknownKey = await fetch(`${separate.baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { Authorization: 'Bearer cs_not_a_key_of_this_server_000', 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    expect(unknownKey.status).toBe(401);
  });

  it('stores every acknowledged span exactly once, priced with the overrides, when storage is back', async () => {
    await storage.start();
    const server = separate as ServerProcess;
    await until(() => load.acknowledgedRequests() >= 20 + 40, 'requests are acknowledged with storage back', 60_000);
    const second = await load.stop();
    await until(async () => (await spoolDepthBytes(server.baseUrl)) === 0, 'the spool is drained', 60_000, 200);

    const acknowledged = new Set([...result.acknowledged, ...second.acknowledged]);
    const sent = new Set([...result.sent, ...second.sent]);
    const stored = await storedCalls(storage.info());
    const missing = [...acknowledged].filter((spanId) => !stored.spanIds.has(spanId));
    expect(missing).toEqual([]);
    expect(stored.rows).toBe(stored.spanIds.size);
    expect([...stored.spanIds].filter((spanId) => !sent.has(spanId))).toEqual([]);
    expect(stored.byCostStatus).toEqual({ priced: stored.rows });
    expect(acknowledged.size).toBeGreaterThan(0);
    expect({ ...result.statuses, ...second.statuses }).not.toHaveProperty('500');
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
    // The outage is logged by kind, never with the storage address or the password.
    expect(server.output()).not.toContain(FRONT.password);
  });
});
