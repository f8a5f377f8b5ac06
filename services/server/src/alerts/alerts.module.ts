import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import type { ServerConfig } from '../config/server-config.js';
import { ALERT_DELIVERY_CONFIG } from './channels/alert-delivery-config.js';
import { ChannelTestController } from './channel-test.controller.js';
import { AlertClock } from './scheduler/alert-clock.js';
import { AlertScheduler } from './scheduler/alert-scheduler.js';

/**
 * Alerts: the scheduler for the `scheduler` role, the channel test-send endpoint for the `api`
 * role. The delivery settings come from `ServerConfig` (read once at start, so a bad
 * channel variable fails the start naming it).
 */
@Module({})
export class AlertsModule {
  static forRoot(config: ServerConfig): DynamicModule {
    const providers: Provider[] = [{ provide: ALERT_DELIVERY_CONFIG, useValue: config.alertDelivery }, AlertClock];
    const controllers: Type[] = [];
    if (config.roles.includes('scheduler')) providers.push(AlertScheduler);
    if (config.roles.includes('api')) controllers.push(ChannelTestController);
    return { module: AlertsModule, providers, controllers, exports: [AlertClock, ...(config.roles.includes('scheduler') ? [AlertScheduler] : [])] };
  }
}
