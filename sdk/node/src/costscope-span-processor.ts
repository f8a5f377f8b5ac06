import { TraceFlags, context, diag } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { CallRecord, CallRecordSink } from './export/call-record.js';
import { encodeCallRecords, encodeResource } from './export/encode-call-records.js';
import { ExportQueue } from './export/export-queue.js';
import { sendOtlp, unrefAgent } from './export/send-otlp.js';
import { COSTSCOPE_SCOPE_NAME } from './instrumentation/provider-instrumentation.js';
import { resolveSettings } from './settings.js';
import type { CostscopeOptions, CostscopeSettings } from './types.js';

const COSTSCOPE_SPAN_PROCESSOR = Symbol.for('costscope.spanProcessor');
const MAX_BATCH_SIZE = 512;
const EXPORT_TIMEOUT_MS = 10_000;

/** True for a `CostscopeSpanProcessor` (whichever copy of the package made it). */
export function isCostscopeSpanProcessor(value: unknown): value is SpanProcessor {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[COSTSCOPE_SPAN_PROCESSOR] === true;
}

/**
 * Exports Costscope's spans, and only those, to the Costscope server. Added to an app's own
 * tracer provider it leaves the app's other spans (HTTP, database…) to the app's exporters.
 *
 * Two queues: OpenTelemetry spans (from an app's provider Costscope joined) go through
 * OpenTelemetry's OTLP exporter; call records (Costscope's own provider, see `CallRecord`) are
 * encoded here and posted directly. Both queues are bounded and their timers unref'd
 * (`ExportQueue`), which matters to an app whose Costscope server is down or hangs. Export
 * errors go to the diag logger, never to the app. One export per queue runs at a time.
 */
export class CostscopeSpanProcessor implements SpanProcessor, CallRecordSink {
  /** Lets `init` recognise a processor the app already added (from either build of the package). */
  readonly [COSTSCOPE_SPAN_PROCESSOR] = true;
  private readonly exporter: SpanExporter;
  private readonly spans: ExportQueue<ReadableSpan>;
  private readonly records: ExportQueue<CallRecord>;
  private readonly tracesUrl: URL;
  private readonly headers: Record<string, string>;
  /** The encoded resource of call records, set by `init` with Costscope's own provider. */
  private recordResource: Buffer | undefined;
  private isShutdown = false;

  constructor(settings: CostscopeSettings, exporter?: SpanExporter) {
    this.headers = settings.apiKey === undefined ? {} : { Authorization: `Bearer ${settings.apiKey}` };
    this.tracesUrl = new URL(settings.tracesUrl);
    this.exporter =
      exporter ??
      new OTLPTraceExporter({ url: settings.tracesUrl, headers: this.headers, timeoutMillis: EXPORT_TIMEOUT_MS, httpAgentOptions: unrefAgent });
    const maxBatchSize = Math.min(MAX_BATCH_SIZE, settings.maxQueueSize);
    this.spans = new ExportQueue(settings.maxQueueSize, maxBatchSize, (batch) => this.exportSpans(batch));
    this.records = new ExportQueue(settings.maxQueueSize, maxBatchSize, (batch) => this.exportRecords(batch));
  }

  /** Call records will carry this resource (the attributes of Costscope's own provider). */
  useRecordResource(attributes: Attributes): void {
    this.recordResource = encodeResource(attributes);
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Nothing to do at start: spans are selected when they end.
  }

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown || !span.instrumentationScope.name.startsWith(COSTSCOPE_SCOPE_NAME)) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.spans.add(span);
  }

  addRecord(record: CallRecord): void {
    if (!this.isShutdown) this.records.add(record);
  }

  /**
   * Exports everything queued, waiting for an export in flight first. The sockets and timers of
   * exports are unref'd; an explicit flush holds the process up until it is done.
   */
  async forceFlush(): Promise<void> {
    const holdProcess = setInterval(() => undefined, 60_000);
    try {
      await Promise.all([this.spans.flush(), this.records.flush()]);
    } finally {
      clearInterval(holdProcess);
    }
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.isShutdown = true;
    await this.exporter.shutdown();
  }

  private exportRecords(batch: CallRecord[]): Promise<boolean> {
    let body: Buffer;
    try {
      body = encodeCallRecords(batch, this.recordResource ?? EMPTY_RESOURCE);
    } catch (error) {
      diag.error('costscope: could not encode spans for export', error);
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      // The app's HTTP instrumentation must not trace Costscope's exports.
      context.with(suppressTracing(context.active()), () => {
        void sendOtlp(this.tracesUrl, this.headers, body, EXPORT_TIMEOUT_MS).then(({ ok, error }) => {
          if (!ok) diag.warn('costscope: span export failed', error);
          resolve(ok);
        });
      });
    });
  }

  private exportSpans(batch: ReadableSpan[]): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timeout = setTimeout(() => {
        diag.warn('costscope: span export timed out');
        resolve(false);
      }, EXPORT_TIMEOUT_MS + 1000);
      timeout.unref();
      const send = () =>
        this.exporter.export(batch, (result) => {
          clearTimeout(timeout);
          const sent = result.code === ExportResultCode.SUCCESS;
          if (!sent) diag.warn('costscope: span export failed', result.error);
          resolve(sent);
        });
      const sendSuppressed = () => {
        try {
          // The app's HTTP instrumentation must not trace Costscope's exports. (Without a context
          // manager of the app's, `context.with` only calls `send`.)
          context.with(suppressTracing(context.active()), send);
        } catch (error) {
          clearTimeout(timeout);
          diag.error('costscope: span export failed', error);
          resolve(false);
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

const EMPTY_RESOURCE = Buffer.alloc(0);

/**
 * For apps that build their own provider (e.g. `new NodeSDK({ spanProcessors: [...] })`):
 * the processor that sends Costscope's spans, with settings resolved like `init`'s.
 */
export function createCostscopeSpanProcessor(options: CostscopeOptions = {}): SpanProcessor {
  return new CostscopeSpanProcessor(resolveSettings(options));
}
