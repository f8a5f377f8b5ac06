import { Module } from '@nestjs/common';
import { AlertsController } from './alerts.controller.js';
import { ApiDocsController } from './api-docs.controller.js';
import { BudgetStateController } from './budget-state.controller.js';
import { CallsTransferController } from './calls-transfer.controller.js';
import { CostsController } from './costs.controller.js';
import { InsightsController } from './insights.controller.js';
import { PricesController } from './prices.controller.js';
import { ProjectController } from './project.controller.js';
import { ReportsController } from './reports.controller.js';
import { RepriceJobs } from './reprice-jobs.js';
import { SettingsController } from './settings.controller.js';
import { WhatIfController } from './what-if.controller.js';

/** The `api` role: the JSON API the dashboard and the CLI read through. */
@Module({
  controllers: [
    ApiDocsController,
    ProjectController,
    CostsController,
    AlertsController,
    ReportsController,
    PricesController,
    SettingsController,
    WhatIfController,
    InsightsController,
    CallsTransferController,
    BudgetStateController,
  ],
  providers: [RepriceJobs],
})
export class QueryModule {}
