import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectKeyResolver } from '../../src/auth/project-key-resolver.js';
import { RestartableStorage } from '../support/restartable-storage.js';
import { otlpJsonBody } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';
import { frontEvents, hangFront } from './support/front-control.js';

/**
 * A key this process has not cached, presented while ClickHouse hangs (accepts, never answers):
 * the look-up gives up after its own 2 s and the verified key snapshot answers, so the export is
 * spooled and acknowledged. Reads keep the default 30 s deadline here, so a look-up that waited
 * for it would outlast this test's 15 s bound.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'hung-lookup' };
let workDir: string;
let storage: RestartableStorage;
let frontUrl: string;
let server: RunningServer;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-hung-lookup-'));
  storage = new RestartableStorage(workDir, FRONT);
  await storage.start();
  frontUrl = storage.info().url;
  server = await startServer({
    ...storage.serverEnv(path.join(workDir, 'costscope')),
    COSTSCOPE_ROLES: 'ingest,api',
  });
}, 60_000);

afterAll(async () => {
  await server?.close({ keepData: true });
  await storage?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('a hung ClickHouse and a key not in the cache', () => {
  it('authenticates from the snapshot once the look-up gives up, and the export is acknowledged', async () => {
    const resolver = server.app.get(ProjectKeyResolver);
    // The snapshot holds the default key (written at start); the cache must not.
    await resolver.refreshSnapshot();
    resolver.invalidate();
    await hangFront(frontUrl, '');
    const before = (await frontEvents(frontUrl)).length;
    try {
      const body = otlpJsonBody([
        {
          traceId: 'feedfeedfeedfeedfeedfeedfeedfeed',
          spanId: '00000000000000b1',
          start: new Date(Date.now() - 60_000),
          attributes: { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1 },
        },
      ]);
      const response = await fetch(`${server.baseUrl}/v1/traces`, { method: 'POST', body, headers: { ...server.auth, 'content-type': 'application/json' } });
      expect(response.status).toBe(200);
      // The look-up really went to the hung server (and was abandoned), rather than never asking.
      expect((await frontEvents(frontUrl)).slice(before).some((event) => event.hung)).toBe(true);
    } finally {
      await hangFront(frontUrl, null);
    }
  }, 15_000);
});
