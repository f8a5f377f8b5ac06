import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from './support/otlp-receiver.js';
import type { ReceivedSpan } from './support/otlp-receiver.js';
import { ProviderStandIn } from './support/provider-stand-in.js';
import { runApp } from './support/run-app.js';
import type { AppRun } from './support/run-app.js';
import { anthropicTokens, attributesOf, openAITokens, request, response, spansOf } from './support/expected.js';

const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;
const STATUS_UNSET = 0;
const SYSTEM_PROMPT = 'You are the support assistant of Costscope. Answer briefly.';
/** Every scenario but the guards', which run with guard settings in guards.spec.ts. */
const SCENARIOS = [
  'chat-plain', 'chat-cached', 'chat-reasoning', 'chat-stream', 'chat-stream-app-asked-usage', 'chat-stream-abandoned',
  'responses', 'responses-stream', 'embeddings', 'anthropic-plain', 'anthropic-cached', 'anthropic-stream',
  'anthropic-stream-abandoned', 'failed-429', 'failed-500', 'retried-by-client', 'retried-by-app', 'tags-nested',
  'tags-concurrent', 'prefix-hash', 'batch-results', 'impossible-usage',
].join(',');

/**
 * The same user app, as ESM preloaded with `--import` and as CommonJS preloaded with `-r`, runs
 * every scenario of test/apps/scenarios.mjs with the real `openai` and `@anthropic-ai/sdk` against
 * the provider stand-in; the spans are read back from what the SDK exported over OTLP.
 */
describe.each([
  { mode: 'an ESM app (node --import @costscope/sdk/register)', app: 'esm-app.mjs', nodeArgs: ['--import', '@costscope/sdk/register'] },
  { mode: 'a CommonJS app (node -r @costscope/sdk/register)', app: 'cjs-app.cjs', nodeArgs: ['-r', '@costscope/sdk/register'] },
])('$mode', ({ app, nodeArgs }) => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  let run: AppRun;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    const standInUrl = await standIn.start();
    const endpoint = await receiver.start();
    run = await runApp(app, {
      nodeArgs,
      env: { SCENARIOS, STAND_IN_URL: standInUrl, COSTSCOPE_ENDPOINT: endpoint, COSTSCOPE_API_KEY: 'cs_project_key', OTEL_SERVICE_NAME: 'support-bot' },
    });
    spans = receiver.spans;
  });
  afterAll(async () => {
    await standIn.stop();
    await receiver.stop();
  });

  const scenario = (feature: string) => spansOf(spans, feature);
  const received = (feature: string) => run.outcomes.get(feature)?.received;

  it('runs the app to its normal end and exports with the project key as a Bearer token', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(receiver.exports.length).toBeGreaterThan(0);
    for (const exported of receiver.exports) {
      expect(exported).toEqual({ authorization: 'Bearer cs_project_key', contentType: 'application/x-protobuf' });
    }
  });

  it('names the service and exports only its own spans, as CLIENT spans named "<operation> <model>"', () => {
    // 22 scenarios; retries add 2 spans, nested tags 2, concurrent tags 5, prefix hashes 2, batch results 2.
    expect(spans.length).toBe(35);
    for (const span of spans) {
      expect(span.resource['service.name']).toBe('support-bot');
      expect(span.scope).toBe(
        span.attributes['costscope.batch'] === true ? '@costscope/sdk/batch' : `@costscope/sdk/${String(span.attributes['gen_ai.provider.name'])}`,
      );
      expect(span.kind).toBe(SPAN_KIND_CLIENT);
      const model = span.attributes['gen_ai.request.model'];
      expect(span.name).toBe(model === undefined ? span.attributes['gen_ai.operation.name'] : `${String(span.attributes['gen_ai.operation.name'])} ${String(model)}`);
    }
  });

  it('records a plain chat completion with its exact tokens', () => {
    expect(attributesOf(scenario('chat-plain'))).toEqual([
      {
        ...request('openai', 'chat', 'gpt-4o-mini', 'chat-plain'),
        'gen_ai.request.max_tokens': 300,
        'costscope.attempt': 1,
        ...response('gpt-4o-mini', ['stop']),
        ...openAITokens(1200, 80),
      },
    ]);
    expect(scenario('chat-plain')[0]?.statusCode).toBe(STATUS_UNSET);
  });

  it('records OpenAI cached tokens inside the input count, with the prompt prefix hash', () => {
    const [span] = scenario('chat-cached');
    expect(span?.attributes).toEqual({
      ...request('openai', 'chat', 'gpt-4o-cached', 'chat-cached'),
      'costscope.prompt.prefix_hash': expect.stringMatching(/^[0-9a-f]{16}$/),
      'costscope.attempt': 1,
      ...response('gpt-4o-cached', ['stop']),
      ...openAITokens(1200, 80, 1024),
    });
  });

  it('records reasoning tokens as part of the output', () => {
    expect(scenario('chat-reasoning')[0]?.attributes).toMatchObject({
      'gen_ai.request.max_tokens': 500,
      ...openAITokens(1200, 80, 0, 64),
    });
  });

  it('captures a stream\'s usage by asking for it, and the app receives exactly the chunks it would have', () => {
    expect(scenario('chat-stream').map((span) => span.attributes)).toEqual([
      {
        ...request('openai', 'chat', 'gpt-4o-mini', 'chat-stream'),
        'gen_ai.request.stream': true,
        'costscope.attempt': 1,
        'costscope.time_to_first_token_ms': expect.any(Number),
        ...response('gpt-4o-mini', ['stop']),
        ...openAITokens(1200, 80),
      },
    ]);
    // The provider got include_usage; the app saw no usage-only chunk and no `usage: null` fields.
    const sent = standIn.requests.filter((r) => r.body['model'] === 'gpt-4o-mini' && r.body['stream'] === true);
    expect(sent.map((r) => r.body['stream_options'])).toEqual([{ include_usage: true }, { include_usage: true }]);
    expect(received('chat-stream')).toEqual({
      chunks: 5,
      text: 'Hello from the stand-in',
      chunksWithUsageField: 0,
      usageOnlyChunks: 0,
      streamHasController: true,
    });
  });

  it('leaves a stream whose app asked for usage as the provider sent it', () => {
    expect(received('chat-stream-app-asked-usage')).toEqual({
      chunks: 6,
      text: 'Hello from the stand-in',
      chunksWithUsageField: 6,
      usageOnlyChunks: 1,
      streamHasController: true,
    });
    expect(scenario('chat-stream-app-asked-usage')[0]?.attributes).toMatchObject(openAITokens(1200, 80));
  });

  it('ends the span of an abandoned OpenAI stream with what is known: model, first token, no invented usage', () => {
    expect(received('chat-stream-abandoned')).toEqual({ read: 3 });
    expect(attributesOf(scenario('chat-stream-abandoned'))).toEqual([
      {
        ...request('openai', 'chat', 'slow-stream-gpt', 'chat-stream-abandoned'),
        'gen_ai.request.stream': true,
        'costscope.attempt': 1,
        'costscope.time_to_first_token_ms': expect.any(Number),
        ...response('slow-stream-gpt'),
        'costscope.stream.abandoned': true,
      },
    ]);
  });

  it('records responses.create with cached and reasoning tokens', () => {
    expect(attributesOf(scenario('responses'))).toEqual([
      {
        ...request('openai', 'chat', 'gpt-5-mini', 'responses'),
        'gen_ai.request.max_tokens': 400,
        'costscope.prompt.prefix_hash': expect.stringMatching(/^[0-9a-f]{16}$/),
        'costscope.attempt': 1,
        ...response('gpt-5-mini', ['completed']),
        ...openAITokens(900, 150, 0, 100),
      },
    ]);
    expect(attributesOf(scenario('responses-stream'))).toEqual([
      {
        ...request('openai', 'chat', 'gpt-5-mini', 'responses-stream'),
        'gen_ai.request.stream': true,
        'costscope.attempt': 1,
        'costscope.time_to_first_token_ms': expect.any(Number),
        ...response('gpt-5-mini', ['completed']),
        ...openAITokens(900, 150, 0, 100),
      },
    ]);
    expect(received('responses-stream')).toEqual({ types: ['response.created', 'response.output_text.delta', 'response.completed'] });
  });

  it('records embeddings as input tokens only', () => {
    expect(attributesOf(scenario('embeddings'))).toEqual([
      {
        ...request('openai', 'embeddings', 'text-embedding-3-small', 'embeddings'),
        'costscope.attempt': 1,
        'gen_ai.response.model': 'text-embedding-3-small-2026-01-15',
        'gen_ai.usage.input_tokens': 8,
        'gen_ai.usage.output_tokens': 0,
      },
    ]);
    expect(received('embeddings')).toEqual({ dimensions: 3, usage: { prompt_tokens: 8, total_tokens: 8 } });
  });

  it('records an Anthropic message', () => {
    expect(attributesOf(scenario('anthropic-plain'))).toEqual([
      {
        ...request('anthropic', 'chat', 'claude-test-sonnet', 'anthropic-plain'),
        'gen_ai.request.max_tokens': 1024,
        'costscope.attempt': 1,
        ...response('claude-test-sonnet', ['end_turn']),
        ...anthropicTokens(50, 40),
      },
    ]);
  });

  it('sums Anthropic cache reads and writes into the input count and keeps them apart', () => {
    expect(attributesOf(scenario('anthropic-cached'))).toEqual([
      {
        ...request('anthropic', 'chat', 'claude-cached-haiku', 'anthropic-cached'),
        'gen_ai.request.max_tokens': 512,
        'costscope.prompt.prefix_hash': expect.stringMatching(/^[0-9a-f]{16}$/),
        'costscope.attempt': 1,
        ...response('claude-cached-haiku', ['end_turn']),
        // 50 uncached + 2000 cache reads + 300 cache writes
        ...anthropicTokens(2350, 40, 2000, 300),
      },
    ]);
    // The app still sees Anthropic's own numbers.
    expect(received('anthropic-cached')).toEqual({
      usage: { input_tokens: 50, cache_read_input_tokens: 2000, cache_creation_input_tokens: 300, output_tokens: 40 },
    });
  });

  it('records an Anthropic stream from message_start and message_delta, every event reaching the app', () => {
    expect(attributesOf(scenario('anthropic-stream'))).toEqual([
      {
        ...request('anthropic', 'chat', 'claude-test-sonnet', 'anthropic-stream'),
        'gen_ai.request.max_tokens': 1024,
        'gen_ai.request.stream': true,
        'costscope.attempt': 1,
        'costscope.time_to_first_token_ms': expect.any(Number),
        ...response('claude-test-sonnet', ['end_turn']),
        ...anthropicTokens(50, 40),
      },
    ]);
    expect(received('anthropic-stream')).toEqual({
      types: ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    });
  });

  it('ends an abandoned Anthropic stream with the input tokens message_start reported', () => {
    expect(attributesOf(scenario('anthropic-stream-abandoned'))).toEqual([
      {
        ...request('anthropic', 'chat', 'slow-stream-claude', 'anthropic-stream-abandoned'),
        'gen_ai.request.max_tokens': 1024,
        'gen_ai.request.stream': true,
        'costscope.attempt': 1,
        'costscope.time_to_first_token_ms': expect.any(Number),
        ...response('slow-stream-claude'),
        ...anthropicTokens(50, 1),
        'costscope.stream.abandoned': true,
      },
    ]);
  });

  it('records a 429 with its status and rethrows the client\'s own error unchanged', () => {
    const [span] = scenario('failed-429');
    expect(span?.attributes).toEqual({
      ...request('openai', 'chat', 'fail-429', 'failed-429'),
      'costscope.attempt': 1,
      'http.response.status_code': 429,
      'error.type': '429',
    });
    expect(span?.statusCode).toBe(STATUS_ERROR);
    expect(run.outcomes.get('failed-429')?.error).toEqual({ class: 'RateLimitError', status: 429, isCostscopeError: false, isInputTooLarge: false });
  });

  it('records a 500 from Anthropic and rethrows it unchanged', () => {
    expect(attributesOf(scenario('failed-500'))).toEqual([
      {
        ...request('anthropic', 'chat', 'fail-500', 'failed-500'),
        'gen_ai.request.max_tokens': 100,
        'costscope.attempt': 1,
        'http.response.status_code': 500,
        'error.type': '500',
      },
    ]);
    expect(run.outcomes.get('failed-500')?.error).toEqual({ class: 'InternalServerError', status: 500, isCostscopeError: false, isInputTooLarge: false });
  });

  it('makes each of the client\'s own retries an attempt span', () => {
    const spansOfCall = scenario('retried-by-client');
    expect(attributesOf(spansOfCall)).toEqual([
      {
        ...request('openai', 'chat', 'flaky-gpt', 'retried-by-client'),
        'costscope.attempt': 1,
        'http.response.status_code': 500,
        'error.type': '500',
      },
      {
        ...request('openai', 'chat', 'flaky-gpt', 'retried-by-client'),
        'costscope.attempt': 2,
        ...response('flaky-gpt', ['stop']),
        ...openAITokens(1200, 80),
      },
    ]);
    expect(spansOfCall.map((span) => span.statusCode)).toEqual([STATUS_ERROR, STATUS_UNSET]);
    expect(standIn.requests.filter((r) => r.body['model'] === 'flaky-gpt').map((r) => r.retryCount)).toEqual(['0', '1']);
  });

  it('counts the app\'s own retry of the same request as the next attempt', () => {
    expect(received('retried-by-app')).toEqual({ attempts: 2, text: 'Hello from the stand-in' });
    expect(attributesOf(scenario('retried-by-app')).map((a) => [a['costscope.attempt'], a['error.type'], a['gen_ai.usage.input_tokens']])).toEqual([
      [1, '500', undefined],
      [2, undefined, 50],
    ]);
  });

  it('merges nested tags, inner keys winning, and restores the outer tags after', () => {
    const byModel = new Map(scenario('tags-nested').map((span) => [span.attributes['gen_ai.request.model'], span.attributes]));
    const tagsOf = (model: string) => {
      const attributes = byModel.get(model) ?? {};
      return Object.fromEntries(
        Object.entries(attributes).filter(([key]) => ['costscope.feature', 'costscope.endpoint', 'user.id', 'costscope.user.tier', 'costscope.priority'].includes(key)),
      );
    };
    expect(tagsOf('gpt-outer')).toEqual({ 'costscope.feature': 'tags-nested', 'costscope.user.tier': 'pro', 'costscope.priority': 'important' });
    expect(tagsOf('gpt-inner')).toEqual({
      'costscope.feature': 'tags-nested',
      'costscope.endpoint': 'POST /api/answer',
      'user.id': 'user-42',
      'costscope.user.tier': 'pro',
      'costscope.priority': 'important',
    });
    expect(tagsOf('gpt-overridden')).toEqual({ 'costscope.feature': 'tags-nested', 'costscope.user.tier': 'pro', 'costscope.priority': 'optional' });
    expect(received('tags-nested')).toEqual({ tagsAfterInner: { feature: 'tags-nested', userTier: 'pro', priority: 'important' } });
  });

  it('keeps the tags of concurrent requests apart', () => {
    const pairs = scenario('tags-concurrent').map((span) => [span.attributes['gen_ai.request.model'], span.attributes['user.id']]);
    expect(pairs).toHaveLength(6);
    for (const [model, userId] of pairs) expect(model).toBe(`gpt-for-${String(userId)}`);
    expect(new Set(pairs.map(([, userId]) => userId)).size).toBe(6);
  });

  it('hashes the stable prefix: same system prompt and tools, same hash; never the text', () => {
    const hashes = scenario('prefix-hash').map((span) => span.attributes['costscope.prompt.prefix_hash']);
    expect(hashes).toHaveLength(3);
    expect(hashes[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(hashes[1]).toBe(hashes[0]);
    expect(hashes[2]).not.toBe(hashes[0]);
    // The same system prompt with the same tools hashes the same in another feature too.
    expect(scenario('chat-cached')[0]?.attributes['costscope.prompt.prefix_hash']).toBe(hashes[0]);
  });

  it('records Batch API results as batch calls with their tokens; an expired request as an error without tokens', () => {
    expect(received('batch-results')).toEqual({ recorded: 3 });
    expect(attributesOf(scenario('batch-results'))).toEqual([
      {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini-2026-01-15',
        'gen_ai.response.model': 'gpt-4o-mini-2026-01-15',
        'costscope.feature': 'batch-results',
        'costscope.batch': true,
        'costscope.attempt': 1,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 3000,
        'gen_ai.usage.output_tokens': 200,
        'gen_ai.usage.cache_read.input_tokens': 0,
      },
      {
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'claude-test-haiku',
        'gen_ai.response.model': 'claude-test-haiku',
        'costscope.feature': 'batch-results',
        'costscope.batch': true,
        'costscope.attempt': 1,
        'gen_ai.response.finish_reasons': ['end_turn'],
        ...anthropicTokens(1000, 120, 100, 0),
      },
      {
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.operation.name': 'chat',
        'costscope.feature': 'batch-results',
        'costscope.batch': true,
        'costscope.attempt': 1,
        'error.type': 'expired',
      },
    ]);
  });

  it('records a call whose usage cannot be real without tokens, and the app gets its answer unchanged', () => {
    expect(received('impossible-usage')).toEqual({
      content: 'Hello from the stand-in',
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 50 } },
    });
    expect(attributesOf(scenario('impossible-usage'))).toEqual([
      {
        ...request('openai', 'chat', 'impossible-usage-gpt', 'impossible-usage'),
        'costscope.attempt': 1,
        ...response('impossible-usage-gpt', ['stop']),
      },
    ]);
  });

  it('exports no prompt or completion text', () => {
    for (const span of spans) {
      for (const value of Object.values(span.attributes)) {
        const text = JSON.stringify(value);
        expect(text).not.toContain(SYSTEM_PROMPT.slice(0, 20));
        expect(text).not.toContain('Hello from the stand-in');
        expect(text).not.toContain('question');
      }
    }
  });
});
