import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontProcess, type RunningFront } from '../support/front-process.js';
import { otlpJsonBody } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * Authentication outlives storage: a server snapshots the keys while ClickHouse (the HTTP front
 * over chDB, in its own process) answers; the front stops; a server started during the outage
 * still accepts an ingest key from the snapshot, and refuses an unknown key and one revoked
 * before the outage.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'snapshot-test' };
let workDir: string;
let front: RunningFront | undefined;
let storageDown = false;
let server: RunningServer | undefined;

const serverEnv = () => ({
  COSTSCOPE_DATA_DIR: path.join(workDir, 'costscope'),
  CLICKHOUSE_URL: front?.url ?? '',
  CLICKHOUSE_USER: FRONT.user,
  CLICKHOUSE_PASSWORD: FRONT.password,
  CLICKHOUSE_DATABASE: FRONT.database,
});

async function createKey(name: string): Promise<{ key: string; keyId: string }> {
  const response = await fetch(`${server?.baseUrl}/api/v1/keys`, {
    method: 'POST',
    headers: { ...server?.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name, scope: 'ingest' }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { key: string; keyId: string };
}

function send(key: string): Promise<Response> {
  return fetch(`${server?.baseUrl}/v1/traces`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: otlpJsonBody([
      {
        traceId: 'abababababababababababababababab',
        spanId: `${Date.now().toString(16).padStart(16, '0')}`.slice(-16),
        name: 'chat gpt-5',
        start: new Date(Date.now() - 60_000),
        attributes: { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5, 'costscope.feature': 'search' },
      },
    ]),
  });
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-key-snapshot-'));
  front = await startFrontProcess({ ...FRONT, dataDir: path.join(workDir, 'clickhouse') });
}, 60_000);

afterAll(async () => {
  // Storage comes back before the server stops, so its spool can drain rather than wait on a shutdown.
  if (storageDown && front) {
    front = await startFrontProcess({ ...FRONT, dataDir: path.join(workDir, 'clickhouse'), port: front.port });
  }
  await server?.close({ keepData: true });
  await front?.stop();
  rmSync(workDir, { recursive: true, force: true });
}, 60_000);

describe('a server started while storage is down', () => {
  it('authenticates ingest from the key snapshot: known key 200, unknown 401, revoked before the outage 401', async () => {
    server = await startServer(serverEnv());
    const app = await createKey('checkout-service');
    const leaked = await createKey('leaked');
    const revoked = await fetch(`${server.baseUrl}/api/v1/keys/${leaked.keyId}`, { method: 'DELETE', headers: server.auth });
    expect(revoked.status).toBe(200);
    expect((await send(app.key)).status).toBe(200);
    await server.close({ keepData: true });
    server = undefined;

    await front?.stop();
    storageDown = true;
    server = await startServer(serverEnv());
    expect((await send(app.key)).status).toBe(200);
    expect((await send('cs_never_issued_never_issued_0000')).status).toBe(401);
    expect((await send(leaked.key)).status).toBe(401);
    // The JSON API needs storage for its answers anyway: it says so instead of guessing.
    expect((await fetch(`${server.baseUrl}/api/v1/costs`, { headers: server.auth })).status).toBe(503);
  }, 90_000);
});
