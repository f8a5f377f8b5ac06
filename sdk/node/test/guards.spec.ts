import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { ProviderStandIn } from './support/provider-stand-in.js';
import { runApp } from './support/run-app.js';
import type { AppRun } from './support/run-app.js';
import { attributesOf, openAITokens, request, response, spansOf } from './support/expected.js';

/**
 * Guards from the environment (ESM app, `--import`) and from `init()` options (CommonJS app):
 * `maxInputTokens` stops an oversized request before it is sent, with a typed error and a span
 * recording the block; `defaultMaxTokens` fills in the output limit of a call that set none.
 */
describe.each([
  {
    mode: 'an ESM app with guards from the environment',
    app: 'esm-app.mjs',
    nodeArgs: ['--import', '@costscope/sdk/register'],
    env: { COSTSCOPE_MAX_INPUT_TOKENS: '1000', COSTSCOPE_DEFAULT_MAX_TOKENS: '128', COSTSCOPE_API_KEY: 'cs_from_env' },
    apiKey: 'cs_from_env',
    serviceName: 'support-bot',
    priority: {},
  },
  {
    mode: 'a CommonJS app with guards from init() options, which win over the environment',
    app: 'init-in-code-app.cjs',
    nodeArgs: [],
    env: { COSTSCOPE_MAX_INPUT_TOKENS: '999999', COSTSCOPE_DEFAULT_MAX_TOKENS: '4096', COSTSCOPE_API_KEY: 'cs_from_env' },
    apiKey: 'cs_from_code',
    serviceName: 'billing-worker',
    priority: { 'costscope.priority': 'optional' },
  },
])('$mode', ({ app, nodeArgs, env, apiKey, serviceName, priority }) => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  let run: AppRun;

  beforeAll(async () => {
    const standInUrl = await standIn.start();
    const endpoint = await receiver.start();
    run = await runApp(app, {
      nodeArgs,
      env: {
        ...env,
        SCENARIOS: 'guarded,default-max-tokens,anthropic-plain',
        STAND_IN_URL: standInUrl,
        COSTSCOPE_ENDPOINT: endpoint,
        TEST_OTLP_URL: endpoint,
        OTEL_SERVICE_NAME: 'support-bot',
      },
    });
  });
  afterAll(async () => {
    await standIn.stop();
    await receiver.stop();
  });

  it('rejects an oversized request with CostscopeInputTooLargeError before sending it', () => {
    expect(run.outcomes.get('guarded')).toEqual({
      scenario: 'guarded',
      ok: false,
      // 20 000 characters of prompt ≈ 5000 tokens (characters / 4), over the limit of 1000.
      error: { class: 'CostscopeInputTooLargeError', isCostscopeError: true, isInputTooLarge: true, estimatedInputTokens: 5000 },
    });
    expect(standIn.requests.filter((r) => r.body['model'] === 'gpt-guarded')).toEqual([]);
  });

  it('records the block in a span, with no tokens since nothing was billed', () => {
    const spans = spansOf(receiver.spans, 'guarded');
    expect(attributesOf(spans)).toEqual([
      {
        ...request('openai', 'chat', 'gpt-guarded', 'guarded'),
        ...priority,
        'gen_ai.request.max_tokens': 128,
        'costscope.guard.default_max_tokens_applied': true,
        'costscope.attempt': 1,
        'costscope.guard.blocked': 'max_input_tokens',
        'costscope.guard.estimated_input_tokens': 5000,
        'costscope.guard.max_input_tokens': 1000,
        // No tokenizer ships for this model: characters / 4, and the span says so.
        'costscope.guard.input_token_counter': 'chars/4',
        'error.type': 'CostscopeInputTooLargeError',
      },
    ]);
    expect(spans[0]?.statusCode).toBe(2);
  });

  it('applies defaultMaxTokens to a call that set no limit, and only to that one', () => {
    expect(standIn.requests.find((r) => r.body['model'] === 'gpt-no-limit')?.body['max_completion_tokens']).toBe(128);
    expect(attributesOf(spansOf(receiver.spans, 'default-max-tokens'))).toEqual([
      {
        ...request('openai', 'chat', 'gpt-no-limit', 'default-max-tokens'),
        ...priority,
        'gen_ai.request.max_tokens': 128,
        'costscope.guard.default_max_tokens_applied': true,
        'costscope.attempt': 1,
        ...response('gpt-no-limit', ['stop']),
        ...openAITokens(1200, 80),
      },
    ]);
    // Anthropic's call set max_tokens itself: left as the app wrote it.
    expect(standIn.requests.find((r) => r.body['model'] === 'claude-test-sonnet')?.body['max_tokens']).toBe(1024);
    expect(spansOf(receiver.spans, 'anthropic-plain')[0]?.attributes['gen_ai.request.max_tokens']).toBe(1024);
  });

  it('exports with the resolved project key and service name', () => {
    expect(run.exitCode).toBe(0);
    expect(new Set(receiver.exports.map((e) => e.authorization))).toEqual(new Set([`Bearer ${apiKey}`]));
    expect(new Set(receiver.spans.map((span) => span.resource['service.name']))).toEqual(new Set([serviceName]));
  });
});
