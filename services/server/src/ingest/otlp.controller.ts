import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { ServerMetrics } from '../health/server-metrics.js';
import { ProjectId, type ProjectRequest } from '../http/project-request.js';
import { IngestPipeline } from './ingest-pipeline.js';
import { ProjectPriceOverrides } from './project-price-overrides.js';
import type { ProcessedTraceRequest } from './process-trace-request.js';
import { receiveOtlpTraces } from './receive-otlp-traces.js';

/**
 * Requests being decoded and written at once. Beyond this the server answers 429 with
 * Retry-After instead of queueing without bound: OTLP exporters back off and resend, and memory
 * stays flat under a burst.
 */
const MAX_IN_FLIGHT_REQUESTS = 64;

@Controller()
@RequiresScope('ingest')
export class OtlpController {
  private inFlight = 0;

  constructor(
    @Inject(IngestPipeline) private readonly pipeline: IngestPipeline,
    @Inject(ProjectPriceOverrides) private readonly overrides: ProjectPriceOverrides,
    @Inject(ServerMetrics) private readonly metrics: ServerMetrics,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  /** OTLP/HTTP traces. The raw body stream is read here: no body parser runs on this route. */
  @Post('v1/traces')
  async traces(@ProjectId() projectId: string, @Req() request: ProjectRequest, @Res() response: Response): Promise<void> {
    if (this.inFlight >= MAX_IN_FLIGHT_REQUESTS) {
      this.metrics.requestsRejected.inc({ status: '429' });
      response.status(429).set({ 'Retry-After': '1', Connection: 'close' }).json({ code: 8, message: 'Too many concurrent exports; retry after 1 s' });
      return;
    }
    this.inFlight += 1;
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
      this.inFlight -= 1;
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
