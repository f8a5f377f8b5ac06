import { Inject, Injectable } from '@nestjs/common';
import type { PriceOverrideInput } from '@costscope/core';
import { getSetting } from '../storage/settings.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';

type Cached = { overrides: readonly PriceOverrideInput[]; expiresAt: number };

/**
 * Each project's price overrides, read from settings at most every `ttlMs` per project: every
 * OTLP request prices with them, and a settings read per request would double the ingest's
 * storage traffic. A PUT in this process applies at once; one in another process within `ttlMs`.
 */
@Injectable()
export class ProjectPriceOverrides {
  private readonly cache = new Map<string, Cached>();
  private readonly ttlMs = 30_000;

  constructor(@Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport) {}

  async forProject(projectId: string): Promise<readonly PriceOverrideInput[]> {
    const cached = this.cache.get(projectId);
    if (cached && cached.expiresAt > Date.now()) return cached.overrides;
    const setting = await getSetting(this.transport, { projectId, kind: 'prices' });
    const overrides = (setting?.value as PriceOverrideInput[] | undefined) ?? [];
    this.cache.set(projectId, { overrides, expiresAt: Date.now() + this.ttlMs });
    return overrides;
  }

  invalidate(projectId: string): void {
    this.cache.delete(projectId);
  }
}
