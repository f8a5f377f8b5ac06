import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { ServerMetrics } from '../health/server-metrics.js';
import { ProjectId, type ProjectRequest } from '../http/project-request.js';
import { IngestPipeline } from './ingest-pipeline.js';
import { IngestShare } from './otlp/ingest-share.js';
import { ProjectPriceOverrides } from './project-price-overrides.js';
import type { ProcessedTraceRequest } from './process-trace-request.js';
import { receiveOtlpTraces } from './receive-otlp-traces.js';

@Controller()
@RequiresScope('ingest')
export class OtlpController {
  /**
   * Requests being decoded and written at once, in all and per project. Beyond either the server
   * answers 429 with Retry-After instead of queueing without bound: OTLP exporters back off and
   * resend, memory stays flat under a burst, and one project's burst leaves room for the others.
   */
  private readonly share: IngestShare;

  constructor(
    @Inject(IngestPipeline) private readonly pipeline: IngestPipeline,
    @Inject(ProjectPriceOverrides) private readonly overrides: ProjectPriceOverrides,
    @Inject(ServerMetrics) private readonly metrics: ServerMetrics,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {
    this.share = new IngestShare(config.ingestConcurrency.maxInFlight, config.ingestConcurrency.maxInFlightPerProject);
  }

  /** OTLP/HTTP traces. The raw body stream is read here: no body parser runs on this route. */
  @Post('v1/traces')
  async traces(@ProjectId() projectId: string, @Req() request: ProjectRequest, @Res() response: Response): Promise<void> {
    const place = this.share.enter(projectId);
    if ('refused' in place) {
      this.metrics.requestsRejected.inc({ status: '429' });
      const whose = place.refused === 'project' ? "this project's share of the ingest" : 'the server';
      response
        .status(429)
        .set({ 'Retry-After': '1', Connection: 'close' })
        .json({ code: 8, message: `Too many concurrent exports for ${whose}; retry after 1 s` });
      return;
    }
    try {
      const answer = await receiveOtlpTraces(
        request,
        { contentType: request.headers['content-type'], contentEncoding: request.headers['content-encoding'] },
        {
          projectId,
          overrides: await this.overrides.forProject(projectId),
          now: new Date(),
          retentionDays: this.config.retentionDays,
          sink: this.pipeline.batcher,
        },
      );
      this.record(answer.status, answer.processed);
      response.status(answer.status).set(answer.headers).send(answer.body);
    } finally {
      place.release();
    }
  }

  private record(status: number, processed: ProcessedTraceRequest | undefined): void {
    if (status !== 200) this.metrics.requestsRejected.inc({ status: String(status) });
    if (!processed) return;
    this.metrics.spansReceived.inc(processed.spansReceived);
    if (status === 200) this.metrics.spansAccepted.inc(processed.records.length);
    for (const [reason, count] of Object.entries(processed.skipped)) this.metrics.spansSkipped.inc({ reason }, count ?? 0);
    for (const [reason, count] of Object.entries(processed.rejected)) this.metrics.spansRejected.inc({ reason }, count ?? 0);
  }
}
