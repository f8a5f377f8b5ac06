import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { AlertsModule } from './alerts/alerts.module.js';
import { AuthModule } from './auth/auth.module.js';
import { SERVER_CONFIG, type ServerConfig } from './config/server-config.js';
import { HealthController } from './health/health.controller.js';
import { ReadinessController } from './health/readiness.controller.js';
import { ServerMetrics } from './health/server-metrics.js';
import { IngestModule } from './ingest/ingest.module.js';
import { ProjectPriceOverrides } from './ingest/project-price-overrides.js';
import { QueryModule } from './query/query.module.js';
import { StorageModule } from './storage/storage.module.js';

/** What every role shares: the settings, the metrics and each project's price overrides. */
@Global()
@Module({})
class SharedModule {
  static forRoot(config: ServerConfig): DynamicModule {
    return {
      module: SharedModule,
      providers: [{ provide: SERVER_CONFIG, useValue: config }, ServerMetrics, ProjectPriceOverrides],
      exports: [SERVER_CONFIG, ServerMetrics, ProjectPriceOverrides],
    };
  }
}

/**
 * One app, the roles picked by `COSTSCOPE_ROLES`: `ingest` (`/v1/traces`), `api` (`/api/v1/*`),
 * `scheduler` (alerts). All run in one process by default, which the embedded engine requires.
 */
@Module({})
export class AppModule {
  static forRoot(config: ServerConfig): DynamicModule {
    const roleModules: Type[] = [];
    if (config.roles.includes('ingest')) roleModules.push(IngestModule);
    if (config.roles.includes('api')) roleModules.push(QueryModule);
    return {
      module: AppModule,
      imports: [SharedModule.forRoot(config), StorageModule.forRoot(config.storage), AuthModule.forRoot(config), ...roleModules, AlertsModule.forRoot(config)],
      controllers: [HealthController, ReadinessController],
    };
  }
}
