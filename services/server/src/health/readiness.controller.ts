import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { ServerMetrics } from './server-metrics.js';

/** Readiness and metrics: public, like liveness, so probes and scrapers need no project key. */
@Controller()
export class ReadinessController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(ServerMetrics) private readonly metrics: ServerMetrics,
  ) {}

  /** 200 when storage answers; 503 (with the reason) when it does not. */
  @Get('readyz')
  async readyz(@Res() response: Response): Promise<void> {
    try {
      await this.transport.ping();
      response.status(200).json({ status: 'ready', storage: this.transport.kind });
    } catch (error) {
      response.status(503).json({ status: 'unavailable', storage: this.transport.kind, reason: error instanceof Error ? error.message : String(error) });
    }
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
