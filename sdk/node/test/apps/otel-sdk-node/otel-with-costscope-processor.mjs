// otel.mjs: Costscope's span processor wired into the app's NodeSDK
/* eslint-disable @nx/enforce-module-boundaries -- docs/sdk.md shows this file as written */
import { register } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createCostscopeSpanProcessor, init } from '@costscope/sdk';

// ES modules (node:http included) are instrumented through OpenTelemetry's import hook.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
export const sdk = new NodeSDK({
  serviceName: 'support-bot',
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter()), createCostscopeSpanProcessor()],
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();
await init().ready; // instruments openai and @anthropic-ai/sdk; finds the processor above and adds no second one
