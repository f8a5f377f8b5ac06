// One benchmark process: the same OpenAI call, in rounds that alternate between the bare client
// and the client instrumented by one instrumentation (Costscope or OpenLLMetry), so both see the
// same machine state. Prints the mean µs per call of each round (wall and CPU) as JSON.
// Transport `heap` instead exports to a receiver that never answers and prints the heap that
// `calls` spans held in the export queue take (run with --expose-gc). Run by bench/overhead.ts.
/* eslint-disable @nx/enforce-module-boundaries -- the benchmark uses the built package by name, as users do */
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';

const [instrumentation, transport, roundsText, callsText] = process.argv.slice(2);
const rounds = Number(roundsText);
const callsPerRound = Number(callsText);

/** Sends the spans still queued: timed as part of the instrumented round (export is overhead too). */
let flush;
const otlpUrl = transport === 'heap' ? process.env.BENCH_BLOCKED_OTLP_URL : process.env.BENCH_OTLP_URL;
if (instrumentation === 'costscope') {
  const sdk = await import('@costscope/sdk');
  await sdk.init({ endpoint: otlpUrl, flushOnExit: false, maxQueueSize: 2 * callsPerRound }).ready;
  flush = sdk.forceFlush;
} else {
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { OpenAIInstrumentation } = await import('@traceloop/instrumentation-openai');
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpUrl}/v1/traces` }), { maxQueueSize: 2 * callsPerRound })],
  });
  provider.register();
  // Same privacy as Costscope's default (no prompt text); OpenLLMetry's own default exports it.
  const openllmetry = new OpenAIInstrumentation({ traceContent: false });
  openllmetry.setTracerProvider(provider);
  // Its module hook covers openai <7; its documented manual path patches the class directly.
  openllmetry.manuallyInstrument(OpenAI);
  flush = () => provider.forceFlush();
}

// Both instrumentations wrap this method with shimmer, which keeps the original at `__original`:
// a bare round puts it back, an instrumented round puts the wrapper back.
const completions = OpenAI.Chat.Completions.prototype;
const instrumented = completions.create;
const bare = instrumented.__original;
if (typeof bare !== 'function') throw new Error(`${instrumentation} did not wrap chat.completions.create`);

const chatCompletion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1764300000,
  model: 'gpt-4o-mini-2026-01-15',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 1200, completion_tokens: 80, total_tokens: 1280, prompt_tokens_details: { cached_tokens: 1024 } },
});
// `in-process`: a fetch answering at once, so only client + instrumentation CPU time is measured.
const inProcessFetch = async () => new Response(chatCompletion, { status: 200, headers: { 'content-type': 'application/json' } });

const client = new OpenAI({
  apiKey: 'sk-bench',
  baseURL: `${process.env.BENCH_STAND_IN_URL}/v1`,
  maxRetries: 0,
  ...(transport === 'stand-in' ? {} : { fetch: inProcessFetch }),
});
const messages = [
  { role: 'system', content: 'You are the support assistant of Costscope. Answer briefly.' },
  { role: 'user', content: 'Where is my invoice?' },
];
const call = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 100 });

async function round(setup, calls) {
  completions.create = setup === 'bare' ? bare : instrumented;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < calls; i += 1) await call();
  const wall = ((performance.now() - start) * 1000) / calls;
  // The export's CPU (serialising, sending) belongs to the round; waiting for the receiver to
  // decode does not (in production the export runs in the background), so wall time stops first.
  if (setup !== 'bare') await flush();
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / calls };
}

/** Heap held per queued span: the heap after `calls` calls whose spans wait for an export that never ends. */
async function queuedHeap(setup, calls) {
  completions.create = setup === 'bare' ? bare : instrumented;
  for (let i = 0; i < 2; i += 1) globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < calls; i += 1) await call();
  for (let i = 0; i < 2; i += 1) globalThis.gc();
  return (process.memoryUsage().heapUsed - before) / calls;
}

if (transport === 'heap') {
  // Warm up the client (and the bare path's lazy state) without queuing spans.
  completions.create = bare;
  for (let i = 0; i < 200; i += 1) await call();
  const bareBytes = await queuedHeap('bare', callsPerRound);
  const bytes = await queuedHeap(instrumentation, callsPerRound);
  process.stdout.write(`${JSON.stringify({ bare: bareBytes, [instrumentation]: bytes })}\n`);
  process.exit(0);
}

await round('bare', 1000);
await round(instrumentation, 1000);
const results = { bare: { wall: [], cpu: [] }, [instrumentation]: { wall: [], cpu: [] } };
for (let i = 0; i < rounds; i += 1) {
  // Alternate which goes first, so neither always follows the other's garbage.
  const order = i % 2 === 0 ? ['bare', instrumentation] : [instrumentation, 'bare'];
  for (const setup of order) {
    const { wall, cpu } = await round(setup, callsPerRound);
    results[setup].wall.push(wall);
    results[setup].cpu.push(cpu);
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
