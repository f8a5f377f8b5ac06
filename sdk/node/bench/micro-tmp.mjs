import OpenAI from 'openai';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import * as sdk from '@costscope/sdk';
const provider = new BasicTracerProvider();
await sdk.init({ tracerProvider: provider, flushOnExit: false, endpoint: 'http://127.0.0.1:9' }).ready;
if (process.env.NOEXPORT) provider._activeSpanProcessor._spanProcessors.length = 0;
const body = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2026', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1200, completion_tokens: 80, total_tokens: 1280, prompt_tokens_details: { cached_tokens: 1024 } } });
const client = new OpenAI({ apiKey: 'x', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }) });
const messages = [{ role: 'system', content: 'You are the support assistant of Costscope. Answer briefly.' }, { role: 'user', content: 'Where is my invoice?' }];
const proto = OpenAI.Chat.Completions.prototype; const wrapped = proto.create; const bare = wrapped.__original;
const call = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 100 });
async function round(fn, n) { proto.create = fn; const c0 = process.cpuUsage(); for (let i = 0; i < n; i++) await call(); const c = process.cpuUsage(c0); return (c.user + c.system) / n; }
await round(bare, 3000); await round(wrapped, 3000);
const d = []; for (let r = 0; r < 60; r++) { const b = await round(bare, 2000); const w = await round(wrapped, 2000); d.push(w - b); }
d.sort((a, b) => a - b); console.log('instrumentation only (no export), added CPU µs', d[30].toFixed(1));
process.exit(0);
