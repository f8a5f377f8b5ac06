import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontProcess, type RunningFront } from '../support/front-process.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * `/readyz` fits the role: an ingest process is ready while its spool can take calls, whatever
 * storage does; the API is ready only when storage answers. Storage here is a ClickHouse HTTP
 * front that is stopped, so every process below starts during an outage.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'readiness-test' };
let workDir: string;
let front: RunningFront;
const servers: RunningServer[] = [];

async function serverWithRoles(roles: string): Promise<RunningServer> {
  const server = await startServer({
    COSTSCOPE_DATA_DIR: path.join(workDir, roles.replace(/,/g, '-')),
    COSTSCOPE_ROLES: roles,
    CLICKHOUSE_URL: front.url,
    CLICKHOUSE_USER: FRONT.user,
    CLICKHOUSE_PASSWORD: FRONT.password,
    CLICKHOUSE_DATABASE: FRONT.database,
  });
  servers.push(server);
  return server;
}

async function readiness(server: RunningServer, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.baseUrl}/readyz${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-readiness-'));
  front = await startFrontProcess({ ...FRONT, dataDir: path.join(workDir, 'clickhouse') });
  await front.stop();
}, 60_000);

afterAll(async () => {
  for (const server of servers) await server.close({ keepData: true });
  rmSync(workDir, { recursive: true, force: true });
});

describe('/readyz while storage is down', () => {
  it('is ready on an ingest-only process: its spool can take calls', async () => {
    const ingest = await serverWithRoles('ingest');
    expect(await readiness(ingest)).toEqual({
      status: 200,
      body: { status: 'ready', storage: 'http', roles: ['ingest'], checks: { ingest: { status: 'ready' } } },
    });
    // A role it does not serve is a question it cannot answer, not "ready".
    const notServed = await readiness(ingest, '?role=api');
    expect(notServed.status).toBe(400);
    expect(notServed.body).toMatchObject({ parameter: 'query.role' });
  });

  it('is not ready on an API process, and says why without the storage address', async () => {
    const api = await serverWithRoles('api');
    const { status, body } = await readiness(api);
    expect(status).toBe(503);
    expect(body.checks).toEqual({ storage: { status: 'unavailable', reason: 'storage unreachable' } });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|\d{4,5}/);
  });

  it('reports both parts on a combined process, and one role on request', async () => {
    const combined = await serverWithRoles('ingest,api,scheduler');
    const whole = await readiness(combined);
    expect(whole.status).toBe(503);
    expect(whole.body.checks).toEqual({ ingest: { status: 'ready' }, storage: { status: 'unavailable', reason: 'storage unreachable' } });
    expect((await readiness(combined, '?role=ingest')).status).toBe(200);
    expect((await readiness(combined, '?role=api')).status).toBe(503);
    const unknown = await readiness(combined, '?role=everything');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ parameter: 'query.role' });
  });
});
