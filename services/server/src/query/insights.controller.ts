import { Controller, Get, Inject, Query, UseInterceptors } from '@nestjs/common';
import { z } from 'zod';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { CostscopeBadRequestError, parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import { buildSavingsInsights, savingsInsightsJson } from '../insights/savings-insights.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';
import type { InsightsResponse } from './response-schemas.js';

const DAY_MS = 86_400_000;
/** Insights read raw calls, which are kept for the retention window at most. */
const MAX_RANGE_DAYS = 366;
const instant = z.iso.datetime({ offset: true }).or(z.iso.date());

export const insightsParamsSchema = z
  .object({
    from: instant.optional().describe('Inclusive; default 30 days before `to`'),
    to: instant.optional().describe('Exclusive; default now'),
  })
  .strict();

@Controller('api/v1/insights')
@RequiresScope('read')
@UseInterceptors(QueryCancellationInterceptor)
export class InsightsController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  /**
   * Where the project's calls waste money, by the seed article's strategies: each insight names
   * the feature and model, the evidence, the monthly saving priced with the catalog, a
   * confidence and a caveat; the projection applies them in the article's order.
   */
  @Get()
  async insights(@ProjectId() projectId: string, @Query() query: Record<string, unknown>): Promise<InsightsResponse> {
    const params = parseBody(insightsParamsSchema, query, 'query');
    const to = params.to ? new Date(params.to) : new Date();
    const from = params.from ? new Date(params.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from.getTime() >= to.getTime()) throw new CostscopeBadRequestError('query.from', 'must be before to');
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new CostscopeBadRequestError('query.from', `the range may span at most ${MAX_RANGE_DAYS} days`);
    }
    const found = await buildSavingsInsights(this.transport, { projectId, from, to, timezone: this.config.timezone });
    return savingsInsightsJson(found, { from, to });
  }
}
