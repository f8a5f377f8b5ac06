import { Module } from '@nestjs/common';
import { IngestPipeline } from './ingest-pipeline.js';
import { OtlpController } from './otlp.controller.js';

/** The `ingest` role: `POST /v1/traces` and the durable write path behind it. */
@Module({
  providers: [IngestPipeline],
  controllers: [OtlpController],
  // Readiness of an ingest process asks the pipeline whether its spool can take calls.
  exports: [IngestPipeline],
})
export class IngestModule {}
