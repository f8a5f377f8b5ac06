import type { Agent } from 'node:http';
import { TraceFlags, context, diag } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { COSTSCOPE_SCOPE_NAME } from './instrumentation/provider-instrumentation.js';
import { resolveSettings } from './settings.js';
import type { CostscopeOptions, CostscopeSettings } from './types.js';

const COSTSCOPE_SPAN_PROCESSOR = Symbol.for('costscope.spanProcessor');
const MAX_BATCH_SIZE = 512;
const SCHEDULED_DELAY_MS = 1000;
const EXPORT_TIMEOUT_MS = 10_000;

/** True for a `CostscopeSpanProcessor` (whichever copy of the package made it). */
export function isCostscopeSpanProcessor(value: unknown): value is SpanProcessor {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[COSTSCOPE_SPAN_PROCESSOR] === true;
}

/**
 * Exports Costscope's spans, and only those, to the Costscope server. Added to an app's own
 * tracer provider it leaves the app's other spans (HTTP, database…) to the app's exporters.
 *
 * A batch processor of its own rather than OpenTelemetry's `BatchSpanProcessor`, for two reasons
 * that matter to an app whose Costscope server is down or hangs: every timer here is unref'd, so
 * a pending export never keeps a finished process alive (the flush at exit waits, bounded, on its
 * own), and the queue is bounded (`maxQueueSize`): beyond it new spans are dropped, never memory
 * grown. Export errors go to the diag logger, never to the app. One export runs at a time.
 */
export class CostscopeSpanProcessor implements SpanProcessor {
  /** Lets `init` recognise a processor the app already added (from either build of the package). */
  readonly [COSTSCOPE_SPAN_PROCESSOR] = true;
  private readonly exporter: SpanExporter;
  private readonly maxQueueSize: number;
  private readonly maxBatchSize: number;
  private queue: ReadableSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> | undefined;
  private droppedSince = 0;
  private isShutdown = false;

  constructor(settings: CostscopeSettings, exporter?: SpanExporter) {
    this.exporter =
      exporter ??
      new OTLPTraceExporter({
        url: settings.tracesUrl,
        headers: settings.apiKey === undefined ? {} : { Authorization: `Bearer ${settings.apiKey}` },
        timeoutMillis: EXPORT_TIMEOUT_MS,
        httpAgentOptions: unrefAgent,
      });
    this.maxQueueSize = settings.maxQueueSize;
    this.maxBatchSize = Math.min(MAX_BATCH_SIZE, settings.maxQueueSize);
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Nothing to do at start: spans are selected when they end.
  }

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown || !span.instrumentationScope.name.startsWith(COSTSCOPE_SCOPE_NAME)) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queue.length >= this.maxQueueSize) {
      if (this.droppedSince === 0) diag.warn('costscope: export queue full (is the Costscope server reachable?); dropping spans');
      this.droppedSince += 1;
      return;
    }
    this.queue.push(span);
    // A full batch goes now; while an export runs, the next one starts when it ends.
    if (this.queue.length >= this.maxBatchSize && this.exporting === undefined) void this.exportBatches(false);
    else this.scheduleExport();
  }

  /**
   * Exports everything queued, waiting for an export in flight first. The sockets and timers of
   * exports are unref'd; an explicit flush holds the process up until it is done.
   */
  async forceFlush(): Promise<void> {
    const holdProcess = setInterval(() => undefined, 60_000);
    try {
      await this.exportBatches(true);
    } finally {
      clearInterval(holdProcess);
    }
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.isShutdown = true;
    await this.exporter.shutdown();
  }

  private scheduleExport(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.exportBatches(false);
    }, SCHEDULED_DELAY_MS);
    this.timer.unref();
  }

  /** Exports full batches (or, with `all`, everything), one export at a time. */
  private exportBatches(all: boolean): Promise<void> {
    if (this.exporting !== undefined) {
      return this.exporting.then(() => (all || this.queue.length >= this.maxBatchSize ? this.exportBatches(all) : undefined));
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length === 0) return Promise.resolve();
    const batch = this.queue.splice(0, this.maxBatchSize);
    this.exporting = this.exportBatch(batch).finally(() => {
      this.exporting = undefined;
      if (all) return;
      if (this.queue.length >= this.maxBatchSize) void this.exportBatches(false);
      else if (this.queue.length > 0) this.scheduleExport();
    });
    return this.exporting.then(() => (all && this.queue.length > 0 ? this.exportBatches(true) : undefined));
  }

  private exportBatch(batch: ReadableSpan[]): Promise<void> {
    return new Promise<void>((resolve) => {
      const timeout = setTimeout(() => {
        diag.warn('costscope: span export timed out');
        resolve();
      }, EXPORT_TIMEOUT_MS + 1000);
      timeout.unref();
      const send = () =>
        this.exporter.export(batch, (result) => {
          clearTimeout(timeout);
          if (result.code !== ExportResultCode.SUCCESS) diag.warn('costscope: span export failed', result.error);
          else if (this.droppedSince > 0) {
            diag.warn(`costscope: ${this.droppedSince} spans were dropped while the queue was full`);
            this.droppedSince = 0;
          }
          resolve();
        });
      const sendSuppressed = () => {
        try {
          // The app's HTTP instrumentation must not trace Costscope's exports. (Without a context
          // manager of the app's, `context.with` only calls `send`.)
          context.with(suppressTracing(context.active()), send);
        } catch (error) {
          clearTimeout(timeout);
          diag.error('costscope: span export failed', error);
          resolve();
        }
      };
      // Spans of a provider whose resource detectors are still running (NodeSDK's host and
      // process detectors) wait for them, as OpenTelemetry's own batch processor does, so the
      // export carries the whole resource.
      const pending = batch.map((span) => span.resource).filter((resource) => resource.asyncAttributesPending === true);
      if (pending.length === 0) sendSuppressed();
      else {
        void Promise.all(pending.map((resource) => resource.waitForAsyncAttributes?.())).then(sendSuppressed, (error: unknown) => {
          diag.warn('costscope: resource attributes could not be resolved', error);
          sendSuppressed();
        });
      }
    });
  }
}

/**
 * An HTTP agent whose sockets do not keep the process alive: an export waiting on a Costscope
 * server that hangs must not keep a finished app running. (The flush at exit keeps the process up
 * for its own bounded wait.) Loaded lazily, as the exporter's docs ask, so HTTP instrumentations
 * can patch the module first.
 */
async function unrefAgent(protocol: string): Promise<Agent> {
  const transport = protocol === 'http:' ? await import('node:http') : await import('node:https');
  const agent = new transport.Agent({ keepAlive: true }) as Agent;
  const withConnection = agent as unknown as { createConnection: (...args: unknown[]) => { unref?: () => void } | undefined };
  const createConnection = withConnection.createConnection;
  withConnection.createConnection = function (this: unknown, ...args: unknown[]) {
    const socket = createConnection.apply(this, args);
    socket?.unref?.();
    return socket;
  };
  return agent;
}

/**
 * For apps that build their own provider (e.g. `new NodeSDK({ spanProcessors: [...] })`):
 * the processor that sends Costscope's spans, with settings resolved like `init`'s.
 */
export function createCostscopeSpanProcessor(options: CostscopeOptions = {}): SpanProcessor {
  return new CostscopeSpanProcessor(resolveSettings(options));
}
