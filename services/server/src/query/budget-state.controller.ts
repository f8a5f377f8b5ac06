import { Controller, Get, Inject, UseInterceptors } from '@nestjs/common';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { ProjectId } from '../http/project-request.js';
import { getBudgetState } from '../storage/budget-state.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { usdJson } from './money-json.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';
import type { BudgetStateResponse } from './response-schemas.js';

/**
 * `GET /api/v1/budget-state`: what the SDK's load shedding reads, and nothing more, so the
 * `ingest` key an app already holds is enough: per feature with a monthly allocation, its
 * month-to-date spend, the allocation and whether it is spent, and the same for the whole project
 * against its monthly budget. No other figures of the project.
 */
@Controller('api/v1/budget-state')
@RequiresScope('ingest')
@UseInterceptors(QueryCancellationInterceptor)
export class BudgetStateController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  @Get()
  async budgetState(@ProjectId() projectId: string): Promise<BudgetStateResponse> {
    const now = new Date();
    const state = await getBudgetState(this.transport, { projectId, now, timezone: this.config.timezone });
    return {
      asOf: now.toISOString(),
      features: state.features.map((budget) => ({
        feature: budget.feature,
        monthToDateUsd: usdJson(budget.monthToDateUsd),
        allocationUsd: usdJson(budget.allocationUsd),
        spent: budget.spent,
      })),
      project:
        state.project === null
          ? null
          : { monthToDateUsd: usdJson(state.project.monthToDateUsd), budgetUsd: usdJson(state.project.budgetUsd), spent: state.project.spent },
    };
  }
}
