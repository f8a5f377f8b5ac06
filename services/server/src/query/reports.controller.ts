import { Controller, Get, Inject, Query, UseInterceptors } from '@nestjs/common';
import { z } from 'zod';
import { buildWeeklyReport, weeklyReportJson } from '../alerts/scheduler/weekly-report.js';
import { isoWeekOfDay, previousIsoWeek } from '@costscope/core';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { episodeJson } from './alerts.controller.js';
import type { WeeklyReportResponse } from './response-schemas.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';

export const weeklyParamsSchema = z.object({ week: z.string().regex(/^\d{4}-W\d{2}$/, 'an ISO week such as 2026-W48').optional() }).strict();

/** The ISO week (`2026-W48`) that contains `date`'s UTC day. */
export function isoWeekOf(date: Date): string {
  return isoWeekOfDay(date.toISOString().slice(0, 10));
}

@Controller('api/v1/reports')
@RequiresScope('read')
@UseInterceptors(QueryCancellationInterceptor)
export class ReportsController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  /**
   * The weekly cost review: per feature, this week against last with cost per successful
   * response, the biggest movers and the week's alerts. Without `week`, the last complete week
   * in `COSTSCOPE_TIMEZONE`. The Monday digest is built by the same `buildWeeklyReport`.
   */
  @Get('weekly')
  async weekly(@ProjectId() projectId: string, @Query() query: Record<string, unknown>): Promise<WeeklyReportResponse> {
    const params = parseBody(weeklyParamsSchema, query, 'query');
    const week = params.week ?? previousIsoWeek(new Date(), this.config.timezone);
    const report = await buildWeeklyReport(this.transport, { projectId, week, timezone: this.config.timezone });
    return weeklyReportJson(report, episodeJson);
  }
}
