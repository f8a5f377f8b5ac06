// otel.mjs: the app's own OpenTelemetry, then Costscope in code
/* eslint-disable @nx/enforce-module-boundaries -- docs/sdk.md shows this file as written */
import { register } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { init } from '@costscope/sdk';

// ES modules (node:http included) are instrumented through OpenTelemetry's import hook.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
export const sdk = new NodeSDK({
  serviceName: 'support-bot',
  traceExporter: new OTLPTraceExporter(), // your collector: OTEL_EXPORTER_OTLP_ENDPOINT
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();
await init().ready; // after sdk.start(): Costscope adds its exporter to the provider NodeSDK registered
