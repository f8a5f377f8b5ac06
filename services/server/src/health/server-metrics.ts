import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The server's Prometheus metrics, one registry per app instance (not prom-client's global one),
 * so two servers in one test process never share counters.
 */
export class ServerMetrics {
  readonly registry = new Registry();

  readonly spansReceived = new Counter({
    name: 'costscope_spans_received_total',
    help: 'Spans received on /v1/traces, before validation.',
    registers: [this.registry],
  });

  readonly spansAccepted = new Counter({
    name: 'costscope_spans_accepted_total',
    help: 'LLM-call spans accepted and made durable.',
    registers: [this.registry],
  });

  readonly spansRejected = new Counter({
    name: 'costscope_spans_rejected_total',
    help: 'Spans rejected, by reason (invalid tokens, outside the time window, …).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly spansSkipped = new Counter({
    name: 'costscope_spans_skipped_total',
    help: 'Spans that are not LLM calls (HTTP, database, framework spans), by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly requestsRejected = new Counter({
    name: 'costscope_otlp_requests_rejected_total',
    help: 'Whole OTLP requests refused, by HTTP status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly spoolDepthBytes = new Gauge({
    name: 'costscope_spool_depth_bytes',
    help: 'Bytes of accepted calls waiting in the local spool for storage to take them.',
    registers: [this.registry],
  });

  readonly deadLetteredCalls = new Counter({
    name: 'costscope_spool_dead_lettered_calls_total',
    help: 'Calls storage refused for their content, moved to <data dir>/dead-letter so the calls behind them flow.',
    registers: [this.registry],
  });

  readonly priceOverrideFallbacks = new Counter({
    name: 'costscope_price_override_fallbacks_total',
    help: 'Times storage did not answer for a project\'s price overrides and the ingest priced with the last known ones (memory, snapshot) or the catalog alone.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly insertLatency = new Histogram({
    name: 'costscope_insert_duration_seconds',
    help: 'Time to insert one coalesced batch of calls into ClickHouse.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'costscope_process_' });
  }
}
