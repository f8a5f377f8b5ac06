import { Controller, Get, Inject, Query, UseInterceptors } from '@nestjs/common';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { ProjectId } from '../http/project-request.js';
import { getCosts } from '../storage/costs.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { parseCostQueryParams } from './cost-query-params.js';
import { costFiguresJson } from './money-json.js';
import type { CostsResponse } from './response-schemas.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';

@Controller('api/v1/costs')
@RequiresScope('read')
@UseInterceptors(QueryCancellationInterceptor)
export class CostsController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  /** Cost, requests, errors and tokens grouped by any dimensions, optionally per hour, day or week. */
  @Get()
  async costs(@ProjectId() projectId: string, @Query() query: Record<string, unknown>): Promise<CostsResponse> {
    const params = parseCostQueryParams(query, new Date(), this.config.timezone);
    const report = await getCosts(this.transport, { projectId, ...params });
    return {
      from: params.from.toISOString(),
      to: params.to.toISOString(),
      groupBy: params.groupBy,
      interval: params.interval ?? null,
      timezone: params.timezone,
      source: report.source,
      truncated: report.truncated,
      rows: report.rows.map((row) => ({
        ...row.keys,
        ...(row.bucket ? { bucket: row.bucket.toISOString() } : {}),
        ...costFiguresJson(row),
      })),
      totals: costFiguresJson(report.totals),
    };
  }
}
