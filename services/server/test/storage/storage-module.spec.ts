import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { getCosts } from '../../src/storage/costs.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import { CLICKHOUSE_TRANSPORT, StorageModule } from '../../src/storage/storage.module.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall } from '../support/call-factory.js';

const dataDir = mkdtempSync(join(tmpdir(), 'costscope-storage-module-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

@Injectable()
class CostReader {
  constructor(@Inject(CLICKHOUSE_TRANSPORT) readonly transport: ClickHouseTransport) {}
}

@Module({
  imports: [StorageModule.forRoot({ kind: 'embedded', dataDir, database: 'costscope', retentionDays: 90 })],
  providers: [CostReader],
})
class AppUnderTest {}

describe(StorageModule.name, () => {
  it('opens the embedded engine under the data directory, migrated, injectable, and closes it with the app', async () => {
    const app = await NestFactory.createApplicationContext(AppUnderTest, { logger: false });
    const { transport } = app.get(CostReader);
    await insertCalls(transport, [makeCall({ projectId: 'module-project' })]);
    const report = await getCosts(transport, { projectId: 'module-project', from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') });
    expect(report.totals.requests).toBe(1);

    await app.close();
    await expect(getCosts(transport, { projectId: 'module-project', from: new Date(0), to: new Date() })).rejects.toMatchObject({
      name: 'CostscopeStorageError',
      kind: 'unreachable',
    });
  });
});
