import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpJsonBody } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';
import { RestartableStorage } from '../support/restartable-storage.js';
import { until } from './support/span-load.js';
import { spoolDepthBytes, storedCalls } from './support/stored-calls.js';

/**
 * Storage is down and the spool cannot take more: its directory cannot be written, or it holds
 * `COSTSCOPE_SPOOL_MAX_BYTES`. The ingest answers 503 with Retry-After (nothing acknowledged, so
 * the exporter's retry loses nothing), says so on `/readyz`, keeps serving, and after a restart
 * replays a spool that is whole: every span acknowledged before is stored exactly once.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'spool-full-test' };
const SPOOL_MAX_BYTES = 64 * 1024;
let workDir: string;
let dataDir: string;
let storage: RestartableStorage;
let server: RunningServer;
const acknowledged = new Set<string>();
let nextSpan = 0;

const serverEnv = () => ({ ...storage.serverEnv(dataDir), COSTSCOPE_SPOOL_MAX_BYTES: String(SPOOL_MAX_BYTES) });


/** One request of ten new spans; their ids are remembered when it is answered 200. */
async function sendTen(): Promise<Response> {
  const spanIds = Array.from({ length: 10 }, () => (++nextSpan).toString(16).padStart(16, '0'));
  const response = await fetch(`${server.baseUrl}/v1/traces`, {
    method: 'POST',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: otlpJsonBody(
      spanIds.map((spanId) => ({
        traceId: 'f'.repeat(32),
        spanId,
        start: new Date(Date.now() - 60_000),
        attributes: { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 10 },
      })),
    ),
  });
  if (response.status === 200) for (const spanId of spanIds) acknowledged.add(spanId);
  return response;
}

async function ingestReadiness(): Promise<{ status: number; reason: string | undefined }> {
  const response = await fetch(`${server.baseUrl}/readyz?role=ingest`);
  const body = (await response.json()) as { checks: { ingest: { reason?: string } } };
  return { status: response.status, reason: body.checks.ingest.reason };
}

/**
 * Makes the spool directory refuse new files. As root, permissions do not stop writes, so the
 * directory is made immutable (`chattr +i`) instead.
 */
function setSpoolWritable(writable: boolean): void {
  const spoolDir = path.join(dataDir, 'spool');
  if (process.getuid?.() === 0) execFileSync('chattr', [writable ? '-i' : '+i', spoolDir]);
  else chmodSync(spoolDir, writable ? 0o700 : 0o500);
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-spool-full-'));
  dataDir = path.join(workDir, 'costscope');
  storage = new RestartableStorage(workDir, FRONT);
  await storage.start();
  server = await startServer(serverEnv());
}, 60_000);

afterAll(async () => {
  if (existsSync(path.join(dataDir, 'spool'))) setSpoolWritable(true);
  await server?.close({ keepData: true });
  await storage?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

// Recovery steps wait up to a minute each (a busy CI machine drains slowly): the test's bound must be above them.
describe('when storage is down and the spool cannot take more', { timeout: 180_000 }, () => {
  it('answers 503 with Retry-After while the spool directory cannot be written, and recovers when it can', async () => {
    expect((await sendTen()).status).toBe(200);
    await storage.stop();
    // One batch spooled: from now on every flush first tries the spool, which starts a new segment file.
    expect((await sendTen()).status).toBe(200);

    setSpoolWritable(false);
    try {
      const refused = await sendTen();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('30');
      const message = ((await refused.json()) as { message: string }).message;
      expect(message).toMatch(/could not be made durable/);
      expect(message).not.toContain(dataDir);
      expect(await ingestReadiness()).toEqual({ status: 503, reason: 'the spool directory is not writable' });
      expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      setSpoolWritable(true);
    }
    expect(await ingestReadiness()).toEqual({ status: 200, reason: undefined });
    expect((await sendTen()).status).toBe(200);
  });

  it(`answers 503 with Retry-After once it holds COSTSCOPE_SPOOL_MAX_BYTES (${SPOOL_MAX_BYTES})`, async () => {
    let refused: Response | undefined;
    for (let attempt = 0; attempt < 100 && !refused; attempt += 1) {
      const response = await sendTen();
      if (response.status !== 200) refused = response;
    }
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toBe('30');
    expect(((await refused?.json()) as { message: string }).message).toMatch(/spool is full/);
    expect(await ingestReadiness()).toEqual({ status: 503, reason: 'the spool is full' });
    // Still full, still refusing, still alive.
    expect((await sendTen()).status).toBe(503);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect(await spoolDepthBytes(server.baseUrl)).toBeLessThanOrEqual(SPOOL_MAX_BYTES);
  });

  it('replays a whole spool after a restart: every acknowledged span stored exactly once', async () => {
    await server.close({ keepData: true });
    await storage.start();
    server = await startServer(serverEnv());
    await until(async () => (await spoolDepthBytes(server.baseUrl)) === 0, 'the spool is drained');

    const stored = await storedCalls(storage.info());
    expect([...acknowledged].filter((spanId) => !stored.spanIds.has(spanId))).toEqual([]);
    expect(stored.rows).toBe(stored.spanIds.size);
    expect(acknowledged.size).toBeGreaterThan(40);
    // Nothing refused, nothing torn: no segment is left behind and none was set aside.
    expect(readdirSync(path.join(dataDir, 'spool')).filter((name) => name.startsWith('segment-'))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'dead-letter'))).toBe(false);
    expect((await sendTen()).status).toBe(200);
  });
});
