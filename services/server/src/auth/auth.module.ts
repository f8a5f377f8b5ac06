import { Global, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { ensureBootstrapKey } from './bootstrap-key.js';
import { KeysController } from './keys.controller.js';
import { ProjectKeyGuard } from './project-key.guard.js';
import { ProjectKeyResolver } from './project-key-resolver.js';

/** Registers or generates the default project's first key when the server starts. */
@Injectable()
class BootstrapKey implements OnApplicationBootstrap {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const result = await ensureBootstrapKey({ transport: this.transport, dataDir: this.config.dataDir, envKey: this.config.apiKey });
    if (result.outcome === 'generated') {
      // Printed once, on the start that created it; afterwards it is only in the credentials file.
      // Straight to stdout, not through the framework logger: its level (warn by default) must
      // never hide the one line a first start exists to show.
      console.log(`Created the default project's API key (also in ${result.credentialsPath}): ${result.key}`);
    }
  }
}

@Global()
@Module({
  providers: [
    {
      provide: ProjectKeyResolver,
      inject: [CLICKHOUSE_TRANSPORT],
      useFactory: (transport: ClickHouseTransport) => new ProjectKeyResolver(transport),
    },
    ProjectKeyGuard,
    BootstrapKey,
  ],
  controllers: [KeysController],
  exports: [ProjectKeyResolver, ProjectKeyGuard],
})
export class AuthModule {}
