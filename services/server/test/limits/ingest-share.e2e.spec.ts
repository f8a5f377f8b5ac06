import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpController } from '../../src/ingest/otlp.controller.js';
import type { IngestShare } from '../../src/ingest/otlp/ingest-share.js';
import { createApiKey } from '../../src/storage/api-keys.js';
import { otlpJsonBody } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * The ingest's concurrency is shared between projects: with 4 exports in flight for the whole
 * process and 2 for any one project, a project that floods gets 429 with Retry-After on its own
 * share while another project's exports still go through. Exports are held in flight by sending
 * half of their body and the rest later.
 */
let server: RunningServer;
const OTHER_KEY = 'cs_test_other_project_ingest_0001';
const THIRD_KEY = 'cs_test_third_project_ingest_0001';

beforeAll(async () => {
  server = await startServer({ COSTSCOPE_INGEST_MAX_IN_FLIGHT: '4', COSTSCOPE_INGEST_MAX_IN_FLIGHT_PER_PROJECT: '2' });
  await createApiKey(server.transport, { projectId: 'other-project', key: OTHER_KEY, name: 'other', scope: 'ingest' });
  await createApiKey(server.transport, { projectId: 'third-project', key: THIRD_KEY, name: 'third', scope: 'ingest' });
  // Each key is looked up once before the test, so held exports reach the handler at once.
  for (const key of [server.config.apiKey ?? '', OTHER_KEY, THIRD_KEY]) expect((await send(key, 'warm-up')).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

let nextSpan = 1;
function body(feature: string): string {
  const spanId = (nextSpan++).toString(16).padStart(16, '0');
  return otlpJsonBody([
    {
      traceId: 'beefbeefbeefbeefbeefbeefbeefbeef',
      spanId,
      start: new Date(Date.now() - 60_000),
      attributes: { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1, 'costscope.feature': feature },
    },
  ]);
}

type HeldExport = { finish(): Promise<number> };

/** An export whose body is half sent: it holds a place until `finish` sends the rest. */
function holdExport(key: string): HeldExport {
  const payload = Buffer.from(body('held'));
  const url = new URL(`${server.baseUrl}/v1/traces`);
  let request: ClientRequest | undefined;
  const answer = new Promise<IncomingMessage>((resolve, reject) => {
    request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': payload.length },
      },
      resolve,
    );
    request.on('error', reject);
    request.write(payload.subarray(0, 10));
  });
  return {
    async finish() {
      request?.end(payload.subarray(10));
      const response = await answer;
      response.resume();
      return response.statusCode ?? 0;
    },
  };
}

async function send(key: string, feature: string): Promise<Response> {
  return fetch(`${server.baseUrl}/v1/traces`, { method: 'POST', body: body(feature), headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
}

/**
 * Waits until the server counts `count` exports of `projectId` in flight. Sending probes instead
 * would race: a probe in flight when a held export arrives gets that export refused.
 */
async function untilInFlight(projectId: string, count: number): Promise<void> {
  const share = (server.app.get(OtlpController) as unknown as { share: IngestShare }).share;
  while (share.size(projectId) < count) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('the per-project share of the ingest concurrency', () => {
  it("refuses a flooding project's exports past its share with 429 and Retry-After while another project's go through", async () => {
    const flood = [holdExport(server.config.apiKey ?? ''), holdExport(server.config.apiKey ?? '')];
    await untilInFlight('default', 2);
    const refused = await send(server.config.apiKey ?? '', 'flood');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { message: string }).message).toMatch(/this project's share/);

    expect((await send(OTHER_KEY, 'other')).status).toBe(200);

    // The other project takes the rest of the process's places: a third project meets the server's limit.
    const other = [holdExport(OTHER_KEY), holdExport(OTHER_KEY)];
    await untilInFlight('other-project', 2);
    const third = await send(THIRD_KEY, 'third');
    expect(third.status).toBe(429);
    expect(((await third.json()) as { message: string }).message).toMatch(/the server/);

    expect(await Promise.all([...flood, ...other].map((held) => held.finish()))).toEqual([200, 200, 200, 200]);
    // Places are given back: every project gets through again.
    expect((await send(server.config.apiKey ?? '', 'after')).status).toBe(200);
    expect((await send(THIRD_KEY, 'third')).status).toBe(200);
  });
});
