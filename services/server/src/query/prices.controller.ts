import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { createPriceCatalog, usdToExactString, type ModelPrice } from '@costscope/core';
import type { Response } from 'express';
import { z } from 'zod';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { ProjectPriceOverrides } from '../ingest/project-price-overrides.js';
import { CostscopeBadRequestError, parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import { MAX_REPRICE_DAYS } from '../storage/reprice-calls.js';
import type { RepriceJobRecord } from '../storage/reprice-jobs.js';
import { getUnpricedModels } from '../storage/unpriced-models.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { RepriceJobs, repriceJobLocation } from './reprice-jobs.js';
import type { PricesResponse, RepriceJobResponse } from './response-schemas.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';

export const repriceBodySchema = z
  .object({ from: z.iso.datetime({ offset: true }).or(z.iso.date()), to: z.iso.datetime({ offset: true }).or(z.iso.date()) })
  .strict();

export const repriceJobParamsSchema = z.object({ jobId: z.uuid() }).strict();

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
    @Inject(RepriceJobs) private readonly jobs: RepriceJobs,
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
   * Queues a re-price of the calls stored in [from, to), widened to whole hours, at the prices in
   * force now (catalog + overrides): after an override for past dates is saved, say. Answers 202
   * at once with the job and its `Location`; `GET` there follows it. Only calls still within the
   * raw retention can be re-priced, at most a year at a time, one job per project at a time (409).
   */
  @Post('reprice')
  @RequiresScope('admin')
  @HttpCode(202)
  async reprice(@ProjectId() projectId: string, @Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<RepriceJobResponse> {
    const range = parseBody(repriceBodySchema, body);
    const from = new Date(range.from);
    const to = new Date(range.to);
    if (from >= to) throw new CostscopeBadRequestError('body.from', 'must be before to');
    const oldestRaw = Date.now() - this.config.retentionDays * 86_400_000;
    if (from.getTime() < oldestRaw) {
      throw new CostscopeBadRequestError('body.from', `calls older than the ${this.config.retentionDays}-day retention are no longer stored`);
    }
    if (to.getTime() - from.getTime() > MAX_REPRICE_DAYS * 86_400_000) {
      throw new CostscopeBadRequestError('body.to', `a re-price covers at most ${MAX_REPRICE_DAYS} days; split the range`);
    }
    if (this.config.storage.kind === 'http' && this.config.storage.cluster) {
      throw new CostscopeBadRequestError('body', 're-pricing is not available on a ClickHouse cluster yet');
    }
    const job = await this.jobs.start(projectId, from, to);
    response.setHeader('Location', repriceJobLocation(job.jobId));
    return repriceJobJson(job);
  }

  /** A re-pricing job's progress: its state, hours and calls done of the total, and why it failed. */
  @Get('reprice/:jobId')
  @RequiresScope('read')
  async repriceJob(@ProjectId() projectId: string, @Param() params: Record<string, unknown>): Promise<RepriceJobResponse> {
    const { jobId } = parseBody(repriceJobParamsSchema, params, 'path');
    const job = await this.jobs.get(projectId, jobId);
    if (!job) throw new NotFoundException(`No re-pricing job ${jobId} in this project`);
    return repriceJobJson(job);
  }
}

function repriceJobJson(job: RepriceJobRecord): RepriceJobResponse {
  return {
    jobId: job.jobId,
    state: job.state,
    from: job.from.toISOString(),
    to: job.to.toISOString(),
    hoursDone: job.hoursDone,
    hoursTotal: job.hoursTotal,
    examined: job.examined,
    callsTotal: job.callsTotal,
    changed: job.changed,
    unpricedModels: job.unpricedModels,
    error: job.error === '' ? null : job.error,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}
