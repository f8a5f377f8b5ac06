import { Controller, Get, Header, Inject, Optional, Query, Res } from '@nestjs/common';
import { PublicRoute } from '../auth/requires-scope.js';
import type { Response } from 'express';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { CostscopeBadRequestError, parseBody } from '../http/parse-body.js';
import { IngestPipeline } from '../ingest/ingest-pipeline.js';
import { readinessQuerySchema, type ReadinessResponse } from '../query/response-schemas.js';
import { CostscopeStorageError } from '../storage/errors.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { ServerMetrics } from './server-metrics.js';

/** Readiness and metrics: public, like liveness, so probes and scrapers need no project key. */
@Controller()
@PublicRoute()
export class ReadinessController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(ServerMetrics) private readonly metrics: ServerMetrics,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    // Present only in a process with the ingest role.
    @Optional() @Inject(IngestPipeline) private readonly ingest?: IngestPipeline,
  ) {}

  /**
   * Ready when every part this process's roles need can work: the ingest needs its spool to take
   * calls (writable, below its cap) — not storage, which it outlives; the API and the scheduler
   * need storage to answer. A combined process reports each part and is ready when all are;
   * `?role=ingest` (or `api`, `scheduler`) asks about one role, e.g. for the OTLP load balancer
   * of a combined process. 503 names what is wrong in plain words, never an address or a stack.
   */
  @Get('readyz')
  async readyz(@Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const { role } = parseBody(readinessQuerySchema, query, 'query');
    const roles = role === undefined ? [...this.config.roles] : this.config.roles.filter((candidate) => candidate === role);
    if (roles.length === 0) throw new CostscopeBadRequestError('query.role', `this process serves the roles ${this.config.roles.join(', ')}`);
    const checks: Partial<Record<'ingest' | 'storage', ReadinessCheck>> = {};
    if (roles.includes('ingest')) checks.ingest = await this.ingestCheck();
    if (roles.includes('api') || roles.includes('scheduler')) checks.storage = await this.storageCheck();
    const ready = Object.values(checks).every((check) => check.status === 'ready');
    const answer: ReadinessResponse = { status: ready ? 'ready' : 'unavailable', storage: this.transport.kind, roles, checks };
    response.status(ready ? 200 : 503).json(answer);
  }

  private async ingestCheck(): Promise<ReadinessCheck> {
    const reason = this.ingest ? await this.ingest.unavailableReason() : 'the ingest is not running';
    return reason === undefined ? { status: 'ready' } : { status: 'unavailable', reason };
  }

  private async storageCheck(): Promise<ReadinessCheck> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new CostscopeStorageError('storage.ping', 'timeout', 'no answer')), STORAGE_PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.transport.ping(), deadline]);
      return { status: 'ready' };
    } catch (error) {
      return { status: 'unavailable', reason: storageUnavailableReason(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

type ReadinessCheck = { status: 'ready' | 'unavailable'; reason?: string };

/** A probe must answer before the load balancer's own timeout, even when storage hangs. */
const STORAGE_PING_TIMEOUT_MS = 2_000;

/**
 * What a probe may learn about a storage failure: its kind in plain words. The error's message
 * can hold the storage address (`connect ECONNREFUSED 10.0.0.5:8123`) or a query; it goes to
 * nobody unauthenticated.
 */
function storageUnavailableReason(error: unknown): string {
  if (!CostscopeStorageError.isInstance(error)) return 'storage check failed';
  switch (error.kind) {
    case 'unreachable':
      return 'storage unreachable';
    case 'timeout':
      return 'storage did not answer in time';
    case 'auth':
      return 'storage refused the credentials';
    default:
      return 'storage answered with an error';
  }
}
