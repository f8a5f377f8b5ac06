import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedTransport } from '../../src/storage/embedded-transport.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';

const MiB = 1024 * 1024;

describe('the embedded engine’s caches', () => {
  let dir: string;
  let transport: ClickHouseTransport;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'costscope-engine-caches-'));
    transport = await openEmbeddedTransport({ dataDir: dir, database: 'costscope_caches' });
  });
  afterAll(async () => {
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are bounded to tens of MiB, not the dedicated-server defaults of GiBs', async () => {
    const rows = await transport.query<{ name: string; value: string }>({
      sql: `SELECT name, value FROM system.server_settings
            WHERE name IN ('mark_cache_size', 'index_mark_cache_size', 'primary_index_cache_size', 'query_condition_cache_size', 'uncompressed_cache_size')`,
      tag: { operation: 'test.engineCaches' },
    });
    const sizes = Object.fromEntries(rows.map((row) => [row.name, Number(row.value)]));
    expect(sizes).toEqual({
      mark_cache_size: 64 * MiB,
      index_mark_cache_size: 16 * MiB,
      primary_index_cache_size: 32 * MiB,
      query_condition_cache_size: 16 * MiB,
      uncompressed_cache_size: 0,
    });
  });
});
