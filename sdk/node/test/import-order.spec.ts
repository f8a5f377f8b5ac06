import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { ProviderStandIn } from './support/provider-stand-in.js';
import { runApp } from './support/run-app.js';
import type { AppRun } from './support/run-app.js';
import { anthropicTokens, attributesOf, openAITokens, request, response, spansOf } from './support/expected.js';

/**
 * The register module imported in the app's code AFTER `openai` and `@anthropic-ai/sdk` (no
 * preload flag): the providers' classes were loaded first, and calls are still instrumented. And
 * an ESM app preloaded with `-r`, the CommonJS flag.
 */
describe.each<{ mode: string; app: string; env: Record<string, string>; nodeArgs?: string[] }>([
  { mode: 'an ESM app importing @costscope/sdk/register after the providers', app: 'esm-app-imports-register.mjs', env: {} },
  {
    mode: 'a CommonJS app requiring @costscope/sdk/register after the providers',
    app: 'cjs-app.cjs',
    env: { COSTSCOPE_TEST_REQUIRE_LATE: '1' },
  },
  {
    mode: 'an ESM app preloaded with the CommonJS flag (node -r @costscope/sdk/register)',
    app: 'esm-app.mjs',
    env: {},
    nodeArgs: ['-r', '@costscope/sdk/register'],
  },
])('$mode', ({ app, env, nodeArgs }) => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  let run: AppRun;

  beforeAll(async () => {
    const standInUrl = await standIn.start();
    const endpoint = await receiver.start();
    run = await runApp(app, {
      nodeArgs: nodeArgs ?? [],
      env: { ...env, SCENARIOS: 'chat-plain,anthropic-stream', STAND_IN_URL: standInUrl, COSTSCOPE_ENDPOINT: endpoint },
    });
  });
  afterAll(async () => {
    await standIn.stop();
    await receiver.stop();
  });

  it('instruments OpenAI calls', () => {
    expect(run.outcomes.get('chat-plain')?.ok).toBe(true);
    expect(attributesOf(spansOf(receiver.spans, 'chat-plain'))).toEqual([
      {
        ...request('openai', 'chat', 'gpt-4o-mini', 'chat-plain'),
        'gen_ai.request.max_tokens': 300,
        'costscope.attempt': 1,
        ...response('gpt-4o-mini', ['stop']),
        ...openAITokens(1200, 80),
      },
    ]);
  });

  it('instruments Anthropic streams', () => {
    expect(spansOf(receiver.spans, 'anthropic-stream').map((span) => span.attributes)).toEqual([
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
  });

  it('falls back to the default service name and sends no Authorization header without a key', () => {
    expect(new Set(receiver.spans.map((span) => span.resource['service.name']))).toEqual(new Set([`unknown_service:${process.execPath}`]));
    expect(new Set(receiver.exports.map((e) => e.authorization))).toEqual(new Set([undefined]));
  });
});
