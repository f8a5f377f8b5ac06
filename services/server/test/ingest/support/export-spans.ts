import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export type SpanToExport = {
  name: string;
  attributes: Attributes;
  startTime: Date;
  durationMs: number;
  error?: boolean;
};

/**
 * Sends spans through the real OpenTelemetry JS exporters (`-proto` or `-http` JSON, optionally
 * gzip) to `url`, exactly as an instrumented app would, and returns once they were exported.
 */
export async function exportSpans(
  url: string,
  spans: SpanToExport[],
  options: { encoding: 'protobuf' | 'json'; gzip: boolean; serviceName: string; headers?: Record<string, string> },
): Promise<Array<{ traceId: string; spanId: string }>> {
  const config = { url, compression: options.gzip ? 'gzip' : 'none', headers: options.headers ?? {} } as const;
  const exporter =
    options.encoding === 'protobuf'
      ? new OTLPProtoExporter(config as ConstructorParameters<typeof OTLPProtoExporter>[0])
      : new OTLPHttpJsonExporter(config as ConstructorParameters<typeof OTLPHttpJsonExporter>[0]);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'deployment.environment.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('costscope-ingest-test', '1.0.0');
  const ids: Array<{ traceId: string; spanId: string }> = [];
  for (const spec of spans) {
    const span = tracer.startSpan(spec.name, { attributes: spec.attributes, startTime: spec.startTime });
    if (spec.error) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
    span.end(new Date(spec.startTime.getTime() + spec.durationMs));
    const { traceId, spanId } = span.spanContext();
    ids.push({ traceId, spanId });
  }
  await provider.forceFlush();
  await provider.shutdown();
  return ids;
}
