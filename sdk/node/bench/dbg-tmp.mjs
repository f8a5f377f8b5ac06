import OpenAI from 'openai';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import * as sdk from '@costscope/sdk';
await sdk.init({ tracerProvider: new BasicTracerProvider(), flushOnExit: false, endpoint: 'http://127.0.0.1:9' }).ready;
const body = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } });
const client = new OpenAI({ apiKey: 'x', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: async (url, init) => { console.log('app fetch sees', Object.getOwnPropertySymbols(init), init.headers.get?.('x-costscope-call')); return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }); } });
await client.chat.completions.create({ model: 'm', messages: [] });
await client.chat.completions.create({ model: 'm', messages: [] });
