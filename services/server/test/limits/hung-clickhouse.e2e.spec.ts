import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestartableStorage } from '../support/restartable-storage.js';
import { otlpJsonBody } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';
import type { FrontEvent } from '../support/clickhouse-http-front.js';
import { frontEvents, hangFront } from './support/front-control.js';

/**
 * A hung ClickHouse: it accepts connections and never answers. API requests end with 503 and
 * Retry-After once the read's deadline passes (`COSTSCOPE_QUERY_TIMEOUT` + 2 s), a burst of them
 * never has more than the running cap of reads at the hung server at once (the rest wait in a
 * bounded queue or are refused at once), and the ingest still answers 200 from its spool.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'hung-test' };
const MAX_RUNNING_READS = 2;
let workDir: string;
let storage: RestartableStorage;
let frontUrl: string;
let server: RunningServer;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-hung-'));
  storage = new RestartableStorage(workDir, FRONT);
  await storage.start();
  frontUrl = storage.info().url;
  server = await startServer({
    ...storage.serverEnv(path.join(workDir, 'costscope')),
    // No scheduler: its rule reads would share the hung server with the API's.
    COSTSCOPE_ROLES: 'ingest,api',
    COSTSCOPE_QUERY_TIMEOUT: '1s',
    COSTSCOPE_QUERY_MAX_IN_FLIGHT: String(MAX_RUNNING_READS),
  });
}, 60_000);

afterAll(async () => {
  await server?.close({ keepData: true });
  await storage?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

function span(spanId: string): string {
  return otlpJsonBody([
    {
      traceId: 'cafecafecafecafecafecafecafecafe',
      spanId,
      start: new Date(Date.now() - 60_000),
      attributes: { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1, 'costscope.feature': 'hung' },
    },
  ]);
}

/** The most statements the front held at the same moment. */
function mostAtOnce(events: FrontEvent[]): number {
  const edges = events.flatMap((event) => [
    { at: event.hungAt ?? 0, step: 1 },
    { at: event.closedAt ?? Number.POSITIVE_INFINITY, step: -1 },
  ]);
  // A close and a hold at the same millisecond: the close first (the place was handed over).
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let open = 0;
  let most = 0;
  for (const edge of edges) {
    open += edge.step;
    most = Math.max(most, open);
  }
  return most;
}

const costs = () => fetch(`${server.baseUrl}/api/v1/costs?groupBy=feature`, { headers: server.auth });

describe('a hung ClickHouse', () => {
  it('answers API reads with 503 and Retry-After once their deadline passes', async () => {
    // While ClickHouse answers, the key is looked up and cached.
    expect((await costs()).status).toBe(200);
    await hangFront(frontUrl, '');
    try {
      const started = performance.now();
      const response = await costs();
      const elapsedMs = Math.round(performance.now() - started);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).not.toBeNull();
      expect(JSON.stringify(await response.json())).not.toMatch(/127\.0\.0\.1|ECONN|stack/i);
      console.log(`hung ClickHouse: an API read answered 503 after ${elapsedMs} ms (deadline 1 s + 2 s grace)`);
    } finally {
      await hangFront(frontUrl, null);
    }
  });

  it('sends at most the running cap of reads to it, whatever the burst, and answers every request 503', async () => {
    await hangFront(frontUrl, '');
    try {
      const before = (await frontEvents(frontUrl)).length;
      const rssBefore = process.memoryUsage().rss;
      const burst = 200;
      const statuses = await Promise.all(Array.from({ length: burst }, async () => (await costs()).status));
      const rssAfter = process.memoryUsage().rss;
      expect(statuses.every((status) => status === 503)).toBe(true);
      // Hung before its body is read, a statement's SQL is unknown: every hung request counts.
      const hungReads = (await frontEvents(frontUrl)).slice(before).filter((event) => event.hung);
      // Each API request makes a key lookup (when the key cache has expired) and two reads; only
      // the running ones ever reach the hung server, a few waves of them at most.
      expect(hungReads.length).toBeGreaterThan(0);
      expect(mostAtOnce(hungReads)).toBeLessThanOrEqual(MAX_RUNNING_READS);
      expect(hungReads.length).toBeLessThan(burst / 10);
      console.log(
        `hung ClickHouse: ${burst} concurrent API requests → ${hungReads.length} reads sent (${mostAtOnce(hungReads)} at once), all answered 503; RSS ${Math.round(rssBefore / 2 ** 20)} → ${Math.round(rssAfter / 2 ** 20)} MiB`,
      );
    } finally {
      await hangFront(frontUrl, null);
    }
  });

  it('keeps answering ingest 200 from the spool meanwhile, and the API answers again once it does', async () => {
    await hangFront(frontUrl, '');
    try {
      const response = await fetch(`${server.baseUrl}/v1/traces`, { method: 'POST', body: span('00000000000000a1'), headers: { ...server.auth, 'content-type': 'application/json' } });
      expect(response.status).toBe(200);
    } finally {
      await hangFront(frontUrl, null);
    }
    expect((await costs()).status).toBe(200);
  }, 60_000);
});
