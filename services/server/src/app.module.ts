import { Module } from '@nestjs/common';
import { HealthController } from './health/health.controller.js';
import { StorageModule } from './storage/storage.module.js';

@Module({
  imports: [StorageModule.forRoot()],
  controllers: [HealthController],
})
export class AppModule {}
