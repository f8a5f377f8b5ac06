import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAlertLease } from '../../src/storage/alert-lease.js';
import { listAlertMessages } from '../../src/storage/alert-messages.js';
import { openHttpTransport } from '../../src/storage/http-transport.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import { putSetting } from '../../src/storage/settings.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall } from '../support/call-factory.js';

/**
 * The settings each statement carries to a cluster (docs/scaling.md), as a ClickHouse server
 * receives them: a loopback HTTP peer records every request's URL settings and answers as a
 * server does to an empty result. No cluster runs here; what the settings do on one is described
 * in docs/scaling.md and must be tried on a real cluster.
 */
type Seen = { sql: string; settings: URLSearchParams };
const seen: Seen[] = [];
let peer: Server;
let url: string;

beforeAll(async () => {
  peer = createServer((request, response) => {
    const search = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const sql = search.get('query') ?? body;
      seen.push({ sql, settings: search });
      // The lease's read-back finds this process as the holder; every other read finds nothing.
      const isLeaseRead = /^\s*(\/\*.*?\*\/\s*)?SELECT holder/is.test(sql);
      response.writeHead(200, { 'Content-Type': 'application/json', 'X-ClickHouse-Format': 'JSONEachRow' });
      response.end(isLeaseRead ? '{"holder":"me"}\n' : '');
    });
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => peer.close(resolve));
});

function transportFor(cluster: string | undefined): ClickHouseTransport {
  return openHttpTransport({ url, username: 'default', password: '', database: 'costscope', cluster });
}

async function statementsOf(transport: ClickHouseTransport, work: () => Promise<unknown>): Promise<Seen[]> {
  seen.length = 0;
  try {
    await work();
  } finally {
    await transport.close();
  }
  return [...seen];
}

describe('statements on a cluster', () => {
  it('claims the lease with a quorum write and reads the holder back with sequential consistency', async () => {
    const transport = transportFor('costscope_cluster');
    const statements = await statementsOf(transport, () =>
      claimAlertLease(transport, { name: 'alerts', term: 7, holder: 'me', claimedAt: new Date('2026-11-29T00:00:00Z') }),
    );
    const [claim, readBack] = statements;
    expect(claim?.sql).toContain('INSERT INTO alert_lease_claims');
    expect(Object.fromEntries(claim?.settings ?? [])).toMatchObject({
      insert_quorum: 'auto',
      insert_quorum_parallel: '0',
      distributed_foreground_insert: '1',
    });
    expect(readBack?.sql).toContain('FROM alert_lease_claims');
    expect(readBack?.settings.get('select_sequential_consistency')).toBe('1');
  });

  it('reads the outbox with sequential consistency, and every read may use local subqueries', async () => {
    const transport = transportFor('costscope_cluster');
    const [list] = await statementsOf(transport, () => listAlertMessages(transport, { projectId: 'default', unfinished: true }));
    expect(list?.sql).toContain('FROM alert_outbox FINAL');
    expect(list?.settings.get('select_sequential_consistency')).toBe('1');
    expect(list?.settings.get('distributed_product_mode')).toBe('local');
  });

  it('writes settings with a quorum, and calls only once their shard stored them (no quorum: throughput)', async () => {
    const transport = transportFor('costscope_cluster');
    const statements = await statementsOf(transport, async () => {
      await insertCalls(transport, [makeCall({ projectId: 'default' })]);
      await putSetting(transport, { projectId: 'default', kind: 'rules', value: {} });
    });
    const insert = statements.find((statement) => statement.sql.includes('llm_calls_incoming'));
    expect(insert?.settings.get('distributed_foreground_insert')).toBe('1');
    expect(insert?.settings.has('insert_quorum')).toBe(false);
    const setting = statements.find((statement) => /INSERT INTO project_settings/.test(statement.sql));
    expect(setting?.settings.get('insert_quorum')).toBe('auto');
    expect(setting?.settings.get('distributed_foreground_insert')).toBe('1');
  });

  it('adds none of the cluster settings on one server', async () => {
    const transport = transportFor(undefined);
    const statements = await statementsOf(transport, () =>
      claimAlertLease(transport, { name: 'alerts', term: 8, holder: 'me', claimedAt: new Date('2026-11-29T00:00:00Z') }),
    );
    for (const statement of statements) {
      for (const name of ['insert_quorum', 'select_sequential_consistency', 'distributed_product_mode']) {
        expect(statement.settings.has(name)).toBe(false);
      }
    }
  });
});
