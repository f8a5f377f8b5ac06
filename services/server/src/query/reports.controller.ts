import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ProjectKeyGuard } from '../auth/project-key.guard.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import { listAlertEpisodes } from '../storage/alert-episodes.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { getWeeklyReview, isoWeekMonday } from '../storage/weekly-review.js';
import { usdJson } from './money-json.js';
import { episodeJson } from './alerts.controller.js';

const weeklyParamsSchema = z.object({ week: z.string().regex(/^\d{4}-W\d{2}$/, 'an ISO week such as 2026-W48').optional() }).strict();

/** The ISO week (`2026-W48`) that contains `date`'s UTC day. */
export function isoWeekOf(date: Date): string {
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  // An ISO week belongs to the year of its Thursday.
  thursday.setUTCDate(thursday.getUTCDate() + 4 - (thursday.getUTCDay() || 7));
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((thursday.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

@Controller('api/v1/reports')
@UseGuards(ProjectKeyGuard)
export class ReportsController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  /**
   * The weekly cost review: per feature, this week against last, the biggest movers and the
   * week's alerts. Without `week`, the last complete week.
   */
  @Get('weekly')
  async weekly(@ProjectId() projectId: string, @Query() query: Record<string, unknown>) {
    const params = parseBody(weeklyParamsSchema, query, 'query');
    const week = params.week ?? isoWeekOf(new Date(Date.now() - 7 * 86_400_000));
    const review = await getWeeklyReview(this.transport, { projectId, week, timezone: this.config.timezone });
    const monday = new Date(`${isoWeekMonday(week)}T00:00:00Z`);
    const episodes = await listAlertEpisodes(this.transport, {
      projectId,
      from: monday,
      to: new Date(monday.getTime() + 7 * 86_400_000),
    });
    const features = review.features.map((feature) => ({
      feature: feature.feature,
      thisWeekUsd: usdJson(feature.thisWeekUsd),
      lastWeekUsd: usdJson(feature.lastWeekUsd),
      changeUsd: usdJson(feature.changeUsd),
      thisWeekRequests: feature.thisWeekRequests,
      lastWeekRequests: feature.lastWeekRequests,
    }));
    const magnitude = (value: bigint) => (value < 0n ? -value : value);
    const movers = [...review.features]
      .filter((feature) => feature.changeUsd !== 0n)
      .sort((a, b) => (magnitude(b.changeUsd) > magnitude(a.changeUsd) ? 1 : magnitude(b.changeUsd) < magnitude(a.changeUsd) ? -1 : 0))
      .slice(0, 5)
      .map((feature) => ({ feature: feature.feature, changeUsd: usdJson(feature.changeUsd) }));
    return {
      week: review.week,
      weekStartDay: review.weekStartDay,
      timezone: this.config.timezone,
      thisWeekUsd: usdJson(review.thisWeekUsd),
      lastWeekUsd: usdJson(review.lastWeekUsd),
      features,
      topMovers: movers,
      alerts: episodes.map(episodeJson),
    };
  }
}
