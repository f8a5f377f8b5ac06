// An app whose own provider samples nothing (AlwaysOff: the extreme of "keep 10 %"), giving
// Costscope a provider of its own that keeps every call, as docs/sdk.md advises.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
import { trace } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { init } from '@costscope/sdk';

const appExporter = new InMemorySpanExporter();
new NodeTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor(appExporter)] }).register();

const costscope = init({ tracerProvider: new NodeTracerProvider({ sampler: new AlwaysOnSampler() }) });
await costscope.ready;

const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${process.env.STAND_IN_URL}/v1`, maxRetries: 0 });
let requestTraceId;
await trace.getTracer('support-app').startActiveSpan('POST /api/answer', async (span) => {
  requestTraceId = span.spanContext().traceId;
  await openai.chat.completions.create({ model: 'gpt-sampled-app', messages: [{ role: 'user', content: 'Hi' }] });
  span.end();
});
await costscope.shutdown();
console.log(JSON.stringify({ requestTraceId, appSpans: appExporter.getFinishedSpans().length }));
