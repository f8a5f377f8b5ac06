import { Body, Controller, Get, HttpCode, Inject, Post, Query, UseInterceptors } from '@nestjs/common';
import { createPriceCatalog, usdToExactString, type ModelPrice } from '@costscope/core';
import { z } from 'zod';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { repriceRecords } from '../ingest/pricing/reprice-records.js';
import { ProjectPriceOverrides } from '../ingest/project-price-overrides.js';
import { CostscopeBadRequestError, parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import { repriceCalls } from '../storage/reprice-calls.js';
import { getUnpricedModels } from '../storage/unpriced-models.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import type { PricesResponse, RepriceResponse } from './response-schemas.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';

export const repriceBodySchema = z
  .object({ from: z.iso.datetime({ offset: true }).or(z.iso.date()), to: z.iso.datetime({ offset: true }).or(z.iso.date()) })
  .strict();

export const pricesParamsSchema = z.object({ at: z.iso.datetime({ offset: true }).or(z.iso.date()).optional() }).strict();

const perMillion = (amount: bigint | null) => (amount === null ? null : usdToExactString(amount));

function priceJson(price: ModelPrice) {
  return {
    model: price.modelId,
    displayName: price.displayName,
    provider: price.provider,
    tier: price.tier,
    source: price.source,
    priceVersion: price.priceVersion,
    effectiveFrom: price.effectiveFrom.toISOString(),
    inputPerMillionUsd: perMillion(price.inputPerMillion),
    cachedInputPerMillionUsd: perMillion(price.cachedInputPerMillion),
    cacheWritePerMillionUsd: perMillion(price.cacheWritePerMillion),
    outputPerMillionUsd: perMillion(price.outputPerMillion),
    batchDiscountPercent: price.batchDiscountPercent,
  };
}

@Controller('api/v1/prices')
@RequiresScope('read')
@UseInterceptors(QueryCancellationInterceptor)
export class PricesController {
  constructor(
    @Inject(ProjectPriceOverrides) private readonly overrides: ProjectPriceOverrides,
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  /**
   * The prices in force at `at` (default now): the catalog with this project's overrides applied,
   * and the models of the last 30 days that no price applied to — the overrides to add.
   */
  @Get()
  async prices(@ProjectId() projectId: string, @Query() query: Record<string, unknown>): Promise<PricesResponse> {
    const params = parseBody(pricesParamsSchema, query, 'query');
    const at = params.at ? new Date(params.at) : new Date();
    const catalog = createPriceCatalog({ overrides: await this.overrides.forProject(projectId) });
    const unpriced = await getUnpricedModels(this.transport, { projectId, from: new Date(at.getTime() - 30 * 86_400_000), to: at });
    return {
      at: at.toISOString(),
      prices: catalog.effectivePrices(at).map(priceJson),
      unpricedModels: unpriced.map((model) => ({ model: model.model, requests: model.requests, lastSeen: model.lastSeen.toISOString() })),
    };
  }

  /**
   * Applies the prices in force now (catalog + overrides) to the calls stored in [from, to),
   * widened to whole hours: after an override for past dates is saved, say. Only calls still
   * within the raw retention can be re-priced.
   */
  @Post('reprice')
  @RequiresScope('admin')
  @HttpCode(200)
  async reprice(@ProjectId() projectId: string, @Body() body: unknown): Promise<RepriceResponse> {
    const range = parseBody(repriceBodySchema, body);
    const from = new Date(range.from);
    const to = new Date(range.to);
    if (from >= to) throw new CostscopeBadRequestError('body.from', 'must be before to');
    const oldestRaw = Date.now() - this.config.retentionDays * 86_400_000;
    if (from.getTime() < oldestRaw) {
      throw new CostscopeBadRequestError('body.from', `calls older than the ${this.config.retentionDays}-day retention are no longer stored`);
    }
    if (this.config.storage.kind === 'http' && this.config.storage.cluster) {
      throw new CostscopeBadRequestError('body', 're-pricing is not available on a ClickHouse cluster yet');
    }
    this.overrides.invalidate(projectId);
    const catalog = createPriceCatalog({ overrides: await this.overrides.forProject(projectId) });
    const unpriced = new Set<string>();
    const result = await repriceCalls(this.transport, {
      projectId,
      from,
      to,
      reprice: (calls) => {
        const repriced = repriceRecords(calls, catalog);
        for (const model of repriced.unpricedModels) unpriced.add(model);
        return repriced.records;
      },
    });
    return {
      from: result.from.toISOString(),
      to: result.to.toISOString(),
      examined: result.examined,
      changed: result.changed,
      unpricedModels: [...unpriced].sort(),
    };
  }
}
