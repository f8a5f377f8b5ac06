import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PriceOverrideInput } from '@costscope/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/config/server-config.js';
import { ServerMetrics } from '../../src/health/server-metrics.js';
import { PriceOverrideSnapshot } from '../../src/ingest/price-override-snapshot.js';
import { ProjectPriceOverrides } from '../../src/ingest/project-price-overrides.js';
import { openHttpTransport } from '../../src/storage/http-transport.js';
import { freePort } from './support/server-process.js';

/**
 * The price overrides the ingest falls back on when storage does not answer: a snapshot that
 * only ever answers what was written by this data directory's key, and the order of fallbacks.
 * "Storage down" is a real HTTP transport to a loopback port nobody listens on.
 */
let dataDir: string;
const OVERRIDES: PriceOverrideInput[] = [{ model: 'acme-model', effectiveFrom: '2026-01-01', inputPerMillion: '2.00', outputPerMillion: '10.00' }];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'costscope-override-snapshot-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function snapshotFile(snapshot: PriceOverrideSnapshot): string {
  const [file] = readdirSync(snapshot.directory).filter((name) => name.endsWith('.json'));
  return path.join(snapshot.directory, file as string);
}

describe(PriceOverrideSnapshot.name, () => {
  it('reads back what it wrote, in a 0600 file under a 0700 directory named by a hash', async () => {
    const snapshot = new PriceOverrideSnapshot(dataDir);
    await snapshot.write('tenant/../one', OVERRIDES);
    expect(await new PriceOverrideSnapshot(dataDir).load('tenant/../one')).toEqual(OVERRIDES);
    expect(statSync(snapshot.directory).mode & 0o777).toBe(0o700);
    expect(statSync(snapshotFile(snapshot)).mode & 0o777).toBe(0o600);
    expect(readdirSync(snapshot.directory).join(' ')).not.toContain('tenant');
  });

  it('ignores a snapshot that was truncated, edited, or written for another project', async () => {
    const snapshot = new PriceOverrideSnapshot(dataDir);
    await snapshot.write('p-1', OVERRIDES);
    const file = snapshotFile(snapshot);
    const original = readFileSync(file, 'utf8');

    writeFileSync(file, original.slice(0, original.length - 20));
    expect(await snapshot.load('p-1')).toBeUndefined();

    writeFileSync(file, original.replace('"2.00"', '"0.00"'));
    expect(await snapshot.load('p-1')).toBeUndefined();

    // p-1's file copied over p-2's: the HMAC holds, the project inside does not match.
    await snapshot.write('p-2', []);
    const p2File = readdirSync(snapshot.directory).map((name) => path.join(snapshot.directory, name)).find((name) => name.endsWith('.json') && name !== file);
    writeFileSync(p2File as string, original);
    expect(await snapshot.load('p-2')).toBeUndefined();

    writeFileSync(file, original);
    expect(await snapshot.load('p-1')).toEqual(OVERRIDES);
  });
});

describe(`${ProjectPriceOverrides.name} when storage does not answer`, () => {
  it('prices with the snapshot in a new process, and with the catalog alone for a project it never saw', async () => {
    await new PriceOverrideSnapshot(dataDir).write('seen', OVERRIDES);
    const port = await freePort();
    const transport = openHttpTransport({ url: `http://127.0.0.1:${port}`, username: 'default', password: '', database: 'costscope' });
    const metrics = new ServerMetrics();
    const overrides = new ProjectPriceOverrides(transport, loadServerConfig({ COSTSCOPE_DATA_DIR: dataDir }), metrics, { readTimeoutMs: 5_000 });
    try {
      expect(await overrides.forProject('seen')).toEqual(OVERRIDES);
      expect(await overrides.forProject('never-seen')).toEqual([]);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/^costscope_price_override_fallbacks_total\{source="snapshot"\} 1$/m);
      expect(text).toMatch(/^costscope_price_override_fallbacks_total\{source="catalog"\} 1$/m);
    } finally {
      await transport.close();
    }
  });
});
