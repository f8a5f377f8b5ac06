import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { ProviderStandIn } from './support/provider-stand-in.js';
import { runApp } from './support/run-app.js';
import type { AppRun } from './support/run-app.js';
import { anthropicTokens, attributesOf, openAITokens, request, response, spansOf } from './support/expected.js';

/**
 * The supported range, oldest first: openai 4, 5 and 6 beside @anthropic-ai/sdk 0.30 (openai 7
 * and @anthropic-ai/sdk 1.x run in every other test). Their clients differ (node-fetch vs global
 * fetch, plain-object vs Headers request headers, request options as promises); what the app
 * receives and what Costscope exports must not.
 */
describe.each([
  { openaiPackage: 'openai-v4', anthropicPackage: 'anthropic-sdk-v0' },
  { openaiPackage: 'openai-v5', anthropicPackage: 'anthropic-sdk-v0' },
  { openaiPackage: 'openai-v6', anthropicPackage: 'anthropic-sdk-v0' },
])('$openaiPackage with $anthropicPackage', ({ openaiPackage, anthropicPackage }) => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  let run: AppRun;

  beforeAll(async () => {
    const standInUrl = await standIn.start();
    const endpoint = await receiver.start();
    run = await runApp('compat-app.cjs', {
      env: {
        OPENAI_PACKAGE: openaiPackage,
        ANTHROPIC_PACKAGE: anthropicPackage,
        SCENARIOS: 'chat-plain,chat-stream,chat-stream-abandoned,retried-by-client,failed-429,anthropic-cached,anthropic-stream',
        STAND_IN_URL: standInUrl,
        COSTSCOPE_ENDPOINT: endpoint,
      },
    });
  });
  afterAll(async () => {
    await standIn.stop();
    await receiver.stop();
  });

  it('runs every call as it would without Costscope', () => {
    expect(run.stderr).toBe('');
    expect([...run.outcomes.values()].map((outcome) => [outcome.scenario, outcome.ok])).toEqual([
      ['chat-plain', true],
      ['chat-stream', true],
      ['chat-stream-abandoned', true],
      ['retried-by-client', true],
      ['failed-429', false],
      ['anthropic-cached', true],
      ['anthropic-stream', true],
    ]);
    expect(run.outcomes.get('chat-stream')?.received).toEqual({
      chunks: 5,
      text: 'Hello from the stand-in',
      chunksWithUsageField: 0,
      usageOnlyChunks: 0,
      streamHasController: true,
    });
    expect(run.outcomes.get('failed-429')?.error).toMatchObject({ class: 'RateLimitError', status: 429 });
  });

  it('records plain and streamed chat with exact tokens', () => {
    expect(attributesOf(spansOf(receiver.spans, 'chat-plain'))).toEqual([
      {
        ...request('openai', 'chat', 'gpt-4o-mini', 'chat-plain'),
        'gen_ai.request.max_tokens': 300,
        'costscope.attempt': 1,
        ...response('gpt-4o-mini', ['stop']),
        ...openAITokens(1200, 80),
      },
    ]);
    expect(spansOf(receiver.spans, 'chat-stream')[0]?.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      ...response('gpt-4o-mini', ['stop']),
      ...openAITokens(1200, 80),
    });
    expect(spansOf(receiver.spans, 'chat-stream-abandoned')[0]?.attributes).toMatchObject({ 'costscope.stream.abandoned': true });
  });

  it('sees the client\'s retry as attempt 2 and a 429 as a failed attempt', () => {
    expect(attributesOf(spansOf(receiver.spans, 'retried-by-client')).map((a) => [a['costscope.attempt'], a['error.type']])).toEqual([
      [1, '500'],
      [2, undefined],
    ]);
    expect(spansOf(receiver.spans, 'failed-429')[0]?.attributes).toMatchObject({ 'error.type': '429', 'http.response.status_code': 429 });
  });

  it('records Anthropic cache reads and writes, plain and streamed', () => {
    expect(spansOf(receiver.spans, 'anthropic-cached')[0]?.attributes).toMatchObject(anthropicTokens(2350, 40, 2000, 300));
    expect(spansOf(receiver.spans, 'anthropic-stream')[0]?.attributes).toMatchObject({
      ...response('claude-test-sonnet', ['end_turn']),
      ...anthropicTokens(50, 40),
    });
  });
});
