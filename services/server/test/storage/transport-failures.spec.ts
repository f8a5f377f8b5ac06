import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCosts } from '../../src/storage/costs.js';
import { openEmbeddedTransport } from '../../src/storage/embedded-transport.js';
import { CostscopeStorageError } from '../../src/storage/errors.js';
import { openHttpTransport } from '../../src/storage/http-transport.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall } from '../support/call-factory.js';
import { TEST_DATABASE, TEST_USER, transportFactories } from '../support/storage-factories.js';

const factories = transportFactories();
const servers: Server[] = [];
afterAll(async () => {
  for (const factory of factories) await factory.close();
  for (const server of servers) await new Promise((done) => server.close(done));
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const http = (url: string, overrides: { password?: string; requestTimeoutMs?: number } = {}) =>
  openHttpTransport({ url, username: TEST_USER, password: overrides.password ?? 'x', database: TEST_DATABASE, requestTimeoutMs: overrides.requestTimeoutMs });

describe('the HTTP transport on a real socket', () => {
  it('reports a refused connection as unreachable, naming the operation', async () => {
    const url = await listen(() => undefined);
    await new Promise((done) => servers.pop()?.close(done)); // the port is free again: nothing listens
    const transport = http(url);
    const error = await getCosts(transport, { projectId: 'p', from: new Date(0), to: new Date(), source: 'raw' }).catch((e: unknown) => e);
    expect(CostscopeStorageError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ operation: 'costs.byGroup', kind: 'unreachable' });
    expect(String((error as Error).message)).toMatch(/ECONNREFUSED/);
    await transport.close();
  });

  it('reports a proxy’s 503 as a server failure with its body, and a failed insert throws', async () => {
    const url = await listen((_request, response) => {
      response.writeHead(503, { 'Content-Type': 'text/plain' });
      response.end('upstream unavailable');
    });
    const transport = http(url);
    await expect(transport.ping()).rejects.toMatchObject({ name: 'CostscopeStorageError', operation: 'storage.ping', kind: 'server' });
    await expect(transport.ping()).rejects.toThrow(/upstream unavailable/);
    await expect(insertCalls(transport, [makeCall()])).rejects.toMatchObject({ operation: 'calls.insert', kind: 'server' });
    await transport.close();
  });

  it('reports a server that never answers as a timeout', async () => {
    const url = await listen(() => undefined);
    const transport = http(url, { requestTimeoutMs: 300 });
    await expect(transport.ping()).rejects.toMatchObject({ operation: 'storage.ping', kind: 'timeout' });
    await transport.close();
  });
});

describe('the ClickHouse HTTP front', () => {
  const factory = factories.find((f) => f.name === 'http');

  it('refuses a wrong password with ClickHouse’s AUTHENTICATION_FAILED', async () => {
    const url = await factory?.url?.();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const transport = http(url ?? '', { password: 'wrong-password' });
    await expect(transport.ping()).rejects.toMatchObject({
      name: 'CostscopeStorageError',
      operation: 'storage.ping',
      kind: 'auth',
      clickhouseCode: 516,
    });
    await expect(getCosts(transport, { projectId: 'p', from: new Date(0), to: new Date(), source: 'raw' })).rejects.toMatchObject({ operation: 'costs.byGroup', kind: 'auth' });
    await transport.close();
  });
});

describe.each(factories)('ClickHouse exceptions through the $name transport', (factory) => {
  beforeAll(async () => {
    await factory.open();
  });

  it('turns an unknown table into a typed query error with ClickHouse’s code', async () => {
    const transport = await factory.open();
    await expect(transport.query({ sql: 'SELECT * FROM no_such_table', tag: { operation: 'test.unknownTable' } })).rejects.toMatchObject({
      name: 'CostscopeStorageError',
      operation: 'test.unknownTable',
      kind: 'query',
      clickhouseCode: 60,
    });
  });

  it('turns a bad parameter value into a typed query error, not an empty result', async () => {
    const transport = await factory.open();
    await expect(
      transport.query({ sql: 'SELECT {n:UInt32} AS n', params: { n: 'not a number' }, tag: { operation: 'test.badParam' } }),
    ).rejects.toMatchObject({ name: 'CostscopeStorageError', operation: 'test.badParam', kind: 'query' });
  });
});

describe('insertCalls', () => {
  it('throws when a chunk in the middle of a batch fails, naming the calls not stored', async () => {
    const inserted: number[] = [];
    // Over HTTP, whose payload is TSV: rows are counted by line.
    const failing: ClickHouseTransport = {
      kind: 'http',
      query: async () => [],
      command: async () => undefined,
      ping: async () => undefined,
      close: async () => undefined,
      insert: async (batch) => {
        if (inserted.length === 1) throw new CostscopeStorageError('calls.insert', 'unreachable', 'connection reset');
        if (!('tsv' in batch)) throw new Error('expected TSV rows');
        inserted.push(batch.tsv.toString().split('\n').filter(Boolean).length);
      },
    };
    const calls = Array.from({ length: 25 }, (_, i) => makeCall({ spanId: `span-${i}` }));
    await expect(insertCalls(failing, calls, { chunkRows: 10 })).rejects.toMatchObject({
      name: 'CostscopeStorageError',
      operation: 'calls.insert',
      kind: 'unreachable',
      message: expect.stringContaining('chunk of calls 10–19 of 25 not stored'),
    });
    expect(inserted).toEqual([10]);
  });

  it('refuses fractional or negative token counts before sending anything', async () => {
    const transport = await factories[0]!.open();
    await expect(insertCalls(transport, [makeCall({ outputTokens: 1.5 })])).rejects.toMatchObject({ kind: 'invalid' });
    await expect(insertCalls(transport, [makeCall({ inputTokens: -1 })])).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('refuses values their columns cannot hold (rather than letting a binary payload wrap them)', async () => {
    const transport = await factories[0]!.open();
    await expect(insertCalls(transport, [makeCall({ attempt: 65_536 })])).rejects.toMatchObject({ kind: 'invalid' });
    await expect(insertCalls(transport, [makeCall({ maxTokens: 2 ** 32 })])).rejects.toMatchObject({ kind: 'invalid' });
    await expect(insertCalls(transport, [makeCall({ latencyMs: 2 ** 32 })])).rejects.toMatchObject({ kind: 'invalid' });
    await expect(insertCalls(transport, [makeCall({ totalCostUsd: 10n ** 38n })])).rejects.toMatchObject({ kind: 'invalid' });
    await expect(insertCalls(transport, [makeCall({ outputCostUsd: -(10n ** 38n) })])).rejects.toMatchObject({ kind: 'invalid' });
  });
});

describe('the embedded transport', () => {
  it('refuses a second data directory in the same process with a typed error', async () => {
    await factories[0]?.open();
    const elsewhere = mkdtempSync(join(tmpdir(), 'costscope-second-dir-'));
    try {
      await expect(openEmbeddedTransport({ dataDir: elsewhere, database: TEST_DATABASE })).rejects.toMatchObject({
        name: 'CostscopeStorageError',
        operation: 'storage.open',
        kind: 'unreachable',
      });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
