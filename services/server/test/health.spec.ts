import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './support/running-server.js';

describe('health endpoints', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answer /healthz with 200 while the process serves HTTP', async () => {
    const response = await fetch(`${server.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answer /readyz with 200 when storage answers', async () => {
    const response = await fetch(`${server.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      storage: 'embedded',
      roles: ['ingest', 'api', 'scheduler'],
      checks: { ingest: { status: 'ready' }, storage: { status: 'ready' } },
    });
  });

  it('serve Prometheus metrics without a key', async () => {
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toMatch(/^costscope_spans_received_total 0$/m);
  });
});
