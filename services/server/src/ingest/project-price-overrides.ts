import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { PriceOverrideInput } from '@costscope/core';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { ServerMetrics } from '../health/server-metrics.js';
import { getSetting } from '../storage/settings.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { PriceOverrideSnapshot } from './price-override-snapshot.js';

/** How long answers are trusted and storage is waited for; tests shorten them. */
export type PriceOverrideTiming = {
  now: () => number;
  /** A storage answer is reused this long. Default 30 s. */
  ttlMs: number;
  /** While storage does not answer, it is asked again at most this often per project. Default 5 s. */
  retryMs: number;
  /** A read that takes longer counts as storage not answering. Default 2 s. */
  readTimeoutMs: number;
};

/** Injection token of `PriceOverrideTiming` (optional: defaults apply). */
export const PRICE_OVERRIDE_TIMING = Symbol.for('costscope.ingest.priceOverrideTiming');

type Known = { overrides: readonly PriceOverrideInput[]; freshUntil: number };

/**
 * Each project's price overrides for the ingest. Every OTLP request prices with them, so storage's
 * answer is reused for `ttlMs` per project (a PUT in this process applies at once; one in another
 * process within `ttlMs`).
 *
 * The ingest never waits on storage for them: when storage does not answer (down, hung, schema
 * not there yet) it prices with the last overrides it knew — in memory, else the verified snapshot
 * in the data directory that every successful read refreshes (`PriceOverrideSnapshot`), so a
 * process started during an outage prices like the one before it. A project this data directory
 * has never seen while storage answered is priced with the catalog alone and logged: its calls
 * keep their tokens and model, so re-pricing the range once storage is back
 * (`POST /api/v1/prices/reprice`) applies the overrides. Refusing those calls instead would lose
 * them, and holding them would block the ingest on storage.
 */
@Injectable()
export class ProjectPriceOverrides {
  private readonly logger = new Logger('PriceOverrides');
  private readonly known = new Map<string, Known>();
  private readonly reading = new Map<string, Promise<readonly PriceOverrideInput[]>>();
  /** The JSON last written to each project's snapshot: unchanged answers are not rewritten. */
  private readonly snapshotted = new Map<string, string>();
  private readonly snapshot: PriceOverrideSnapshot;
  private readonly timing: PriceOverrideTiming;

  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) config: ServerConfig,
    @Inject(ServerMetrics) private readonly metrics: ServerMetrics,
    @Optional() @Inject(PRICE_OVERRIDE_TIMING) timing?: Partial<PriceOverrideTiming>,
  ) {
    this.snapshot = new PriceOverrideSnapshot(config.dataDir);
    this.timing = { now: Date.now, ttlMs: 30_000, retryMs: 5_000, readTimeoutMs: 2_000, ...timing };
  }

  async forProject(projectId: string): Promise<readonly PriceOverrideInput[]> {
    const known = this.known.get(projectId);
    if (known && known.freshUntil > this.timing.now()) return known.overrides;
    // One read per project at a time: during an outage, requests share it instead of each waiting.
    let read = this.reading.get(projectId);
    if (!read) {
      read = this.refresh(projectId).finally(() => this.reading.delete(projectId));
      this.reading.set(projectId, read);
    }
    return read;
  }

  /** After a PUT in this process: read the new overrides (and snapshot them) now. */
  invalidate(projectId: string): void {
    const known = this.known.get(projectId);
    if (known) this.known.set(projectId, { ...known, freshUntil: 0 });
    void this.forProject(projectId);
  }

  private async refresh(projectId: string): Promise<readonly PriceOverrideInput[]> {
    let overrides: readonly PriceOverrideInput[];
    try {
      const setting = await withDeadline(getSetting(this.transport, { projectId, kind: 'prices' }), this.timing.readTimeoutMs);
      overrides = (setting?.value as PriceOverrideInput[] | undefined) ?? [];
    } catch {
      return this.lastKnown(projectId);
    }
    this.known.set(projectId, { overrides, freshUntil: this.timing.now() + this.timing.ttlMs });
    await this.keepSnapshot(projectId, overrides);
    return overrides;
  }

  /** Storage did not answer: memory, else the snapshot, else the catalog alone. */
  private async lastKnown(projectId: string): Promise<readonly PriceOverrideInput[]> {
    const remembered = this.known.get(projectId)?.overrides;
    const overrides = remembered ?? (await this.snapshot.load(projectId).catch(() => undefined));
    const source = remembered ? 'memory' : overrides ? 'snapshot' : 'catalog';
    this.metrics.priceOverrideFallbacks.inc({ source });
    if (!overrides && !this.known.has(projectId)) {
      this.logger.warn(
        `storage does not answer and project ${JSON.stringify(projectId)} has no price-override snapshot: its calls are priced with the catalog; re-price the range once storage is back if it has overrides`,
      );
    }
    this.known.set(projectId, { overrides: overrides ?? [], freshUntil: this.timing.now() + this.timing.retryMs });
    return overrides ?? [];
  }

  private async keepSnapshot(projectId: string, overrides: readonly PriceOverrideInput[]): Promise<void> {
    const json = JSON.stringify(overrides);
    if (this.snapshotted.get(projectId) === json) return;
    try {
      await this.snapshot.write(projectId, overrides);
      this.snapshotted.set(projectId, json);
    } catch (error) {
      // Pricing goes on with what storage said; the next read tries the snapshot again.
      this.logger.warn(`could not write the price-override snapshot: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`storage did not answer within ${timeoutMs} ms`)), timeoutMs);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
