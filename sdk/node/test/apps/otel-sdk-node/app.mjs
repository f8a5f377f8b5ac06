// The app, the same in every setup: POST /api/answer drafts with OpenAI and reviews with
// Anthropic inside a span of its own. It calls itself once, then shuts its OpenTelemetry down
// (APP_OTEL_SETUP names the setup file it was started with) and prints what it saw.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
import http from 'node:http';
import { trace } from '@opentelemetry/api';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { withTags } from '@costscope/sdk';

const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${process.env.STAND_IN_URL}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: process.env.STAND_IN_URL, maxRetries: 0 });
const tracer = trace.getTracer('support-bot');

const server = http.createServer((request, response) =>
  withTags({ feature: process.env.FEATURE, endpoint: 'POST /api/answer' }, () =>
    tracer.startActiveSpan('answer-question', async (span) => {
      const draft = await openai.chat.completions.create({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: 'Where is my order?' }],
      });
      const review = await anthropic.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        messages: [{ role: 'user', content: `Review: ${draft.choices[0].message.content}` }],
      });
      span.end();
      response.writeHead(200, { 'content-type': 'text/plain' }).end(review.content[0].text);
    }),
  ),
);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const answer = await new Promise((resolve, reject) => {
  const call = http.request({ host: '127.0.0.1', port: server.address().port, path: '/api/answer', method: 'POST' }, (response) => {
    let body = '';
    response.setEncoding('utf8').on('data', (chunk) => (body += chunk));
    response.on('end', () => resolve(body));
  });
  call.on('error', reject).end();
});
server.close();

const { sdk } = await import(new URL(process.env.APP_OTEL_SETUP, import.meta.url).href);
await sdk.shutdown();
console.log(JSON.stringify({ answer, globalProvider: trace.getTracerProvider().getDelegate().constructor.name }));
