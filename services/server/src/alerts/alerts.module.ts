import { Logger, Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { loadOrCreateSecretKey } from '../config/secret-key.js';
import type { ServerConfig } from '../config/server-config.js';
import { ALERT_DELIVERY_CONFIG } from './channels/alert-delivery-config.js';
import { ChannelSecretBox } from './channels/channel-secrets.js';
import { CHANNEL_SECRET_BOX, ProjectAddressPolicy, ProjectChannels } from './channels/project-channels.js';
import { ChannelTestController } from './channel-test.controller.js';
import { AlertClock } from './scheduler/alert-clock.js';
import { AlertScheduler } from './scheduler/alert-scheduler.js';

/** The key that encrypts channel secrets; a generated one is announced once, never its value. */
async function openChannelSecretBox(config: ServerConfig): Promise<ChannelSecretBox> {
  const loaded = await loadOrCreateSecretKey({ envKey: config.secretKey, dataDir: config.dataDir });
  // Under `npm start` one process holds the whole data directory and the banner says to keep it.
  if (loaded.source === 'generated' && !config.launched) {
    new Logger('ChannelSecrets').warn(
      `Created ${loaded.file}, the key that encrypts channel secrets: keep it with the data (every api and scheduler process needs the same key; set COSTSCOPE_SECRET_KEY when they do not share this directory)`,
    );
  }
  return new ChannelSecretBox(loaded.key);
}

/**
 * Alerts: the scheduler for the `scheduler` role, the channel test-send endpoint for the `api`
 * role, and for both the project channels (settings with encrypted secrets, address rules),
 * which the settings API uses too. The delivery settings come from `ServerConfig` (read once at
 * start, so a bad channel variable fails the start naming it). An ingest-only process holds no
 * channel and no secret key.
 */
@Module({})
export class AlertsModule {
  static forRoot(config: ServerConfig): DynamicModule {
    const providers: Provider[] = [{ provide: ALERT_DELIVERY_CONFIG, useValue: config.alertDelivery }, AlertClock];
    const exports: Array<Type | symbol> = [AlertClock];
    const controllers: Type[] = [];
    const imports: DynamicModule[] = [];
    if (config.roles.includes('api') || config.roles.includes('scheduler')) {
      providers.push({ provide: CHANNEL_SECRET_BOX, useFactory: () => openChannelSecretBox(config) }, ProjectAddressPolicy, ProjectChannels);
      exports.push(ProjectAddressPolicy, ProjectChannels);
    }
    if (config.roles.includes('scheduler')) {
      // The scheduler's evaluation interval lives in @nestjs/schedule's registry.
      imports.push(ScheduleModule.forRoot());
      providers.push(AlertScheduler);
      exports.push(AlertScheduler);
    }
    if (config.roles.includes('api')) controllers.push(ChannelTestController);
    return { module: AlertsModule, global: true, imports, providers, controllers, exports };
  }
}
