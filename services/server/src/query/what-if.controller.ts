import { Controller, Get, Inject, Query, UseInterceptors } from '@nestjs/common';
import { createPriceCatalog, priceCall, usdToExactString, type PriceCatalog, type PriceOverrideInput, type UsdAtto } from '@costscope/core';
import { z } from 'zod';
import { RequiresScope } from '../auth/requires-scope.js';
import { CostscopeBadRequestError, parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import { ProjectPriceOverrides } from '../ingest/project-price-overrides.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { getWhatIfUsage, type WhatIfUsageRow } from '../storage/what-if-usage.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';
import type { WhatIfResponse } from './response-schemas.js';

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 800;
const instant = z.iso.datetime({ offset: true }).or(z.iso.date());

export const whatIfParamsSchema = z
  .object({
    feature: z.string().min(1).max(500).describe('The feature whose calls are priced again'),
    model: z.string().trim().min(1).max(200).describe('The model to price them on (a catalog id, alias or overridden model)'),
    from: instant.optional().describe('Inclusive; default 30 days before `to`'),
    to: instant.optional().describe('Exclusive; default now'),
  })
  .strict();

type Sums = { requests: number; actualUsd: UsdAtto; whatIfUsd: UsdAtto };

@Controller('api/v1/whatif')
@RequiresScope('read')
@UseInterceptors(QueryCancellationInterceptor)
export class WhatIfController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(ProjectPriceOverrides) private readonly overrides: ProjectPriceOverrides,
  ) {}

  /**
   * What a feature's calls would have cost on another model: each call's real tokens — fresh
   * input, cache reads, cache writes, output — and batch flag priced by core's rules at the
   * model's price in force at the call's time (this project's overrides included), against what
   * they were stored as costing. Calls stored unpriced, or made before the model had a price,
   * cannot be compared and are counted apart, never as $0.
   */
  @Get()
  async whatIf(@ProjectId() projectId: string, @Query() query: Record<string, unknown>): Promise<WhatIfResponse> {
    const params = parseBody(whatIfParamsSchema, query, 'query');
    const to = params.to ? new Date(params.to) : new Date();
    const from = params.from ? new Date(params.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from.getTime() >= to.getTime()) throw new CostscopeBadRequestError('query.from', 'must be before to');
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new CostscopeBadRequestError('query.from', `the range may span at most ${MAX_RANGE_DAYS} days`);
    }
    const overrides = await this.overrides.forProject(projectId);
    const catalog = createPriceCatalog({ overrides });
    const modelPrice = catalog.resolve(params.model, new Date(8.64e15));
    if (!modelPrice) {
      throw new CostscopeBadRequestError('query.model', `no price known for "${params.model}": see GET /api/v1/prices for the models, or add an override`);
    }

    const priceChanges = priceChangesWithin(catalog, overrides, from, to);
    const rows = await getWhatIfUsage(this.transport, { projectId, feature: params.feature, from, to, priceChanges });
    const total: Sums = { requests: 0, actualUsd: 0n, whatIfUsd: 0n };
    const byModel = new Map<string, Sums>();
    const tokens = { inputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 };
    const priceVersions = new Set<string>();
    let requests = 0;
    let unpricedRequests = 0;
    let noPriceOnModelRequests = 0;
    for (const row of rows) {
      requests += row.requests;
      if (row.unpriced) {
        unpricedRequests += row.requests;
        continue;
      }
      const cost = priceCall(catalog, { model: params.model, usage: usageOf(row), at: stretchStart(row, priceChanges, from), batch: row.batch });
      if (cost.status === 'unpriced') {
        noPriceOnModelRequests += row.requests;
        continue;
      }
      priceVersions.add(cost.priceVersion);
      const sums = byModel.get(row.model) ?? { requests: 0, actualUsd: 0n, whatIfUsd: 0n };
      byModel.set(row.model, sums);
      for (const into of [sums, total]) {
        into.requests += row.requests;
        into.actualUsd += row.costUsd;
        into.whatIfUsd += cost.breakdown.totalUsd;
      }
      tokens.inputTokens += row.inputTokens;
      tokens.cachedInputTokens += row.cacheReadInputTokens;
      tokens.cacheWriteInputTokens += row.cacheWriteInputTokens;
      tokens.outputTokens += row.outputTokens;
    }
    return {
      feature: params.feature,
      model: modelPrice.modelId,
      from: from.toISOString(),
      to: to.toISOString(),
      requests,
      comparedRequests: total.requests,
      unpricedRequests,
      noPriceOnModelRequests,
      actualCostUsd: usdToExactString(total.actualUsd),
      whatIfCostUsd: usdToExactString(total.whatIfUsd),
      savingsUsd: usdToExactString(total.actualUsd - total.whatIfUsd),
      ...tokens,
      priceVersions: [...priceVersions].sort(),
      byModel: [...byModel]
        .sort(([, a], [, b]) => (a.actualUsd === b.actualUsd ? 0 : a.actualUsd > b.actualUsd ? -1 : 1))
        .map(([model, sums]) => ({
          model,
          requests: sums.requests,
          actualCostUsd: usdToExactString(sums.actualUsd),
          whatIfCostUsd: usdToExactString(sums.whatIfUsd),
          savingsUsd: usdToExactString(sums.actualUsd - sums.whatIfUsd),
        })),
    };
  }
}

/**
 * Every instant inside (from, to) at which some price may change: the start of each catalog
 * version and of each of the project's overrides. Between two of them one price applies to
 * every model, so the calls in between can be priced summed.
 */
function priceChangesWithin(catalog: PriceCatalog, overrides: readonly PriceOverrideInput[], from: Date, to: Date): Date[] {
  const starts = [
    ...catalog.models().flatMap((model) => model.prices.map((price) => new Date(price.effectiveFrom).getTime())),
    ...overrides.map((override) => new Date(override.effectiveFrom).getTime()),
  ];
  return [...new Set(starts)]
    .filter((start) => start > from.getTime() && start < to.getTime())
    .sort((a, b) => a - b)
    .map((start) => new Date(start));
}

function stretchStart(row: WhatIfUsageRow, priceChanges: readonly Date[], from: Date): Date {
  return row.stretch === 0 ? from : (priceChanges[row.stretch - 1] ?? from);
}

function usageOf(row: WhatIfUsageRow) {
  return {
    inputTokens: row.inputTokens,
    cacheReadInputTokens: row.cacheReadInputTokens,
    cacheWriteInputTokens: row.cacheWriteInputTokens,
    outputTokens: row.outputTokens,
  };
}
