// otel.mjs: the app's own OpenTelemetry, loaded before the app (node --import ./otel.mjs app.mjs)
import { register } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';

// ES modules (node:http included) are instrumented through OpenTelemetry's import hook.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
export const sdk = new NodeSDK({
  serviceName: 'support-bot',
  traceExporter: new OTLPTraceExporter(), // your collector: OTEL_EXPORTER_OTLP_ENDPOINT
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();
