import type { Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { COSTSCOPE_SCOPE_NAME } from './instrumentation/provider-instrumentation.js';
import { resolveSettings } from './settings.js';
import type { CostscopeOptions, CostscopeSettings } from './types.js';

const COSTSCOPE_SPAN_PROCESSOR = Symbol.for('costscope.spanProcessor');

/** True for a `CostscopeSpanProcessor` (whichever copy of the package made it). */
export function isCostscopeSpanProcessor(value: unknown): value is SpanProcessor {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[COSTSCOPE_SPAN_PROCESSOR] === true;
}

/**
 * Exports Costscope's spans, and only those, to the Costscope server. Added to an app's own
 * tracer provider it leaves the app's other spans (HTTP, database…) to the app's exporters.
 * The batch queue is bounded (`maxQueueSize`): when the server is down, new spans are dropped
 * rather than memory grown, and export errors go to the diag logger, never to the app.
 */
export class CostscopeSpanProcessor implements SpanProcessor {
  /** Lets `init` recognise a processor the app already added (from either build of the package). */
  readonly [COSTSCOPE_SPAN_PROCESSOR] = true;
  private readonly batch: BatchSpanProcessor;

  constructor(settings: CostscopeSettings) {
    const exporter = new OTLPTraceExporter({
      url: settings.tracesUrl,
      headers: settings.apiKey === undefined ? {} : { Authorization: `Bearer ${settings.apiKey}` },
      timeoutMillis: 10_000,
    });
    this.batch = new BatchSpanProcessor(exporter, {
      maxQueueSize: settings.maxQueueSize,
      maxExportBatchSize: Math.min(512, settings.maxQueueSize),
      scheduledDelayMillis: 1000,
      exportTimeoutMillis: 10_000,
    });
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Nothing to do at start: spans are selected when they end.
  }

  onEnd(span: ReadableSpan): void {
    if (span.instrumentationScope.name.startsWith(COSTSCOPE_SCOPE_NAME)) this.batch.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown();
  }
}

/**
 * For apps that build their own provider (e.g. `new NodeSDK({ spanProcessors: [...] })`):
 * the processor that sends Costscope's spans, with settings resolved like `init`'s.
 */
export function createCostscopeSpanProcessor(options: CostscopeOptions = {}): SpanProcessor {
  return new CostscopeSpanProcessor(resolveSettings(options));
}
