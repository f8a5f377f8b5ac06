import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { createPriceCatalog, usdToExactString, type ModelPrice } from '@costscope/core';
import { z } from 'zod';
import { ProjectKeyGuard } from '../auth/project-key.guard.js';
import { ProjectPriceOverrides } from '../ingest/project-price-overrides.js';
import { parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';

const pricesParamsSchema = z.object({ at: z.iso.datetime({ offset: true }).or(z.iso.date()).optional() }).strict();

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
@UseGuards(ProjectKeyGuard)
export class PricesController {
  constructor(@Inject(ProjectPriceOverrides) private readonly overrides: ProjectPriceOverrides) {}

  /** The prices in force at `at` (default now): the catalog with this project's overrides applied. */
  @Get()
  async prices(@ProjectId() projectId: string, @Query() query: Record<string, unknown>) {
    const params = parseBody(pricesParamsSchema, query, 'query');
    const at = params.at ? new Date(params.at) : new Date();
    const catalog = createPriceCatalog({ overrides: await this.overrides.forProject(projectId) });
    return { at: at.toISOString(), prices: catalog.effectivePrices(at).map(priceJson) };
  }
}
