// An app with its own OpenTelemetry setup (its provider, its exporter), which then starts
// Costscope in code: Costscope must join that provider, not register a second one.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { createCostscopeSpanProcessor, init } from '@costscope/sdk';

const appExporter = new InMemorySpanExporter();
// With APP_WIRES_PROCESSOR=1 the app also wires Costscope's processor into its provider itself.
const appProcessors = [new SimpleSpanProcessor(appExporter)];
if (process.env.APP_WIRES_PROCESSOR === '1') appProcessors.push(createCostscopeSpanProcessor());
const appProvider = new NodeTracerProvider({ spanProcessors: appProcessors });
appProvider.register();

const costscope = init({ serviceName: 'ignored-when-joining' });
await costscope.ready;

const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${process.env.STAND_IN_URL}/v1`, maxRetries: 0 });
const tracer = trace.getTracer('support-app');
await tracer.startActiveSpan('POST /api/answer', async (span) => {
  await openai.chat.completions.create({ model: 'gpt-joined', messages: [{ role: 'user', content: 'Hi' }] });
  span.end();
});
await costscope.shutdown();
console.log(
  JSON.stringify({
    globalIsAppProvider: trace.getTracerProvider().getDelegate?.() === appProvider,
    appSpans: appExporter.getFinishedSpans().map((span) => ({
      name: span.name,
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
      parentSpanId: span.parentSpanContext?.spanId,
    })),
  }),
);
