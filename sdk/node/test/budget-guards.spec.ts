import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdToExactString } from '@costscope/core';
import { startCostscopeServer, standInCallCost, type CostscopeServer } from './support/costscope-server.js';
import type { ReceivedSpan } from './support/otlp-receiver.js';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { ProviderStandIn } from './support/provider-stand-in.js';
import { runApp, type AppRun } from './support/run-app.js';

/**
 * The budget guards (the article's strategy 6) in a real app (test/apps/budget-guards-app.mjs,
 * plain node on the built package) with the real `openai` and `@anthropic-ai/sdk` clients against
 * the provider stand-in: per-user daily limits by tier, `maxInputTokens` counted with the model's
 * tokenizer, and load shedding by priority from a real Costscope server's budget state.
 */

interface Step {
  scenario: string;
  client: 'openai' | 'anthropic';
  model: string;
  tags?: Record<string, string>;
  text?: string;
  times?: number;
  announce?: boolean;
}

function guardedRun(options: { guards: unknown; plan: Step[]; endpoint: string; apiKey: string; standInUrl: string; onLine?: (line: string) => void }) {
  return runApp('budget-guards-app.mjs', {
    env: {
      GUARDS: JSON.stringify(options.guards),
      PLAN: JSON.stringify(options.plan),
      STAND_IN_URL: options.standInUrl,
      COSTSCOPE_ENDPOINT: options.endpoint,
      COSTSCOPE_API_KEY: options.apiKey,
    },
    onLine: options.onLine,
  });
}

/** The spans of the calls tagged with `endpoint` (each step of a plan has its own). */
const spansAt = (spans: ReceivedSpan[], endpoint: string) => spans.filter((span) => span.attributes['costscope.endpoint'] === endpoint);
/** The guard attributes of a span, and its error type. */
function guardAttributes(span: ReceivedSpan | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(span?.attributes ?? {}).filter(([key]) => key.startsWith('costscope.guard.') || key === 'error.type'));
}

/** Requests the stand-in received whose only message is `text`. */
function sentWithText(standIn: ProviderStandIn, text: string): number {
  return standIn.requests.filter((request) => {
    const messages = request.body['messages'];
    return Array.isArray(messages) && (messages[0] as { content?: unknown } | undefined)?.content === text;
  }).length;
}

describe('per-user daily limits by tier, and maxInputTokens counted with the model’s tokenizer', () => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  let run: AppRun;
  // 18 000 characters: 4500 tokens by characters / 4, about 3000 by o200k_base.
  const underByTokenizer = 'hello '.repeat(3000);
  const overByTokenizer = 'The quarterly invoice total is 1234.56 USD, due on 2026-04-30. '.repeat(400);
  const user = (scenario: string, userId: string, userTier?: string) => ({ endpoint: scenario, userId, ...(userTier ? { userTier } : {}) });
  const plan: Step[] = [
    { scenario: 'free-user-a', client: 'openai', model: 'gpt-4o-mini', tags: user('free-user-a', 'u-a', 'free'), times: 51 },
    { scenario: 'free-user-b', client: 'anthropic', model: 'claude-sonnet-4-6', tags: user('free-user-b', 'u-b', 'free'), times: 50 },
    { scenario: 'paid-user', client: 'openai', model: 'gpt-4o-mini', tags: user('paid-user', 'u-p', 'paid'), times: 60 },
    { scenario: 'enterprise-user', client: 'anthropic', model: 'claude-sonnet-4-6', tags: user('enterprise-user', 'u-e', 'enterprise'), times: 60 },
    { scenario: 'pro-user', client: 'anthropic', model: 'claude-sonnet-4-6', tags: user('pro-user', 'u-pro', 'pro'), times: 3 },
    { scenario: 'no-tier', client: 'openai', model: 'gpt-4o-mini', tags: user('no-tier', 'u-x'), times: 60 },
    { scenario: 'tokenized-under', client: 'openai', model: 'gpt-4o-mini', tags: { endpoint: 'tokenized-under' }, text: underByTokenizer },
    { scenario: 'tokenized-o200k', client: 'openai', model: 'gpt-4o-mini', tags: { endpoint: 'tokenized-o200k' }, text: overByTokenizer },
    { scenario: 'tokenized-cl100k', client: 'openai', model: 'gpt-4-turbo', tags: { endpoint: 'tokenized-cl100k' }, text: overByTokenizer },
    { scenario: 'anthropic-chars', client: 'anthropic', model: 'claude-sonnet-4-6', tags: { endpoint: 'anthropic-chars' }, text: 'x'.repeat(20_000) },
  ];

  beforeAll(async () => {
    const standInUrl = await standIn.start();
    const endpoint = await receiver.start();
    run = await guardedRun({
      guards: { dailyRequestsPerUser: { pro: 2 }, maxInputTokens: 4000 },
      plan,
      endpoint,
      apiKey: 'cs_project_key',
      standInUrl,
    });
  }, 60_000);
  afterAll(async () => {
    await standIn.stop();
    await receiver.stop();
  });

  it('refuses a free user’s 51st call of the UTC day with CostscopeLimitError, before sending it', () => {
    expect(run.stderr).toBe('');
    expect(run.outcomes.get('free-user-a')).toEqual({
      scenario: 'free-user-a',
      ok: false,
      received: { sent: 50 },
      error: {
        class: 'CostscopeLimitError',
        isCostscopeError: true,
        isLimitError: true,
        kind: 'daily_requests',
        limit: 50,
        userId: 'u-a',
        userTier: 'free',
        feature: 'free-user-a',
      },
    });
    expect(sentWithText(standIn, 'free-user-a')).toBe(50);
  });

  it('records the refusal on the span, with no tokens since nothing was billed', () => {
    const spans = spansAt(receiver.spans, 'free-user-a');
    expect(spans).toHaveLength(51);
    const refused = spans.filter((span) => span.attributes['error.type'] === 'CostscopeLimitError');
    expect(refused.map(guardAttributes)).toEqual([
      { 'costscope.guard.blocked': 'daily_requests', 'costscope.guard.daily_requests_limit': 50, 'error.type': 'CostscopeLimitError' },
    ]);
    expect(refused[0]?.statusCode).toBe(2);
    expect(refused[0]?.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(spans.filter((span) => span !== refused[0]).map(guardAttributes)).toEqual(Array(50).fill({}));
  });

  it('counts each user apart, gives paid users more and enterprise no limit, and takes the app’s own tiers', () => {
    expect(run.outcomes.get('free-user-b')).toMatchObject({ ok: true, received: { sent: 50 } });
    expect(run.outcomes.get('paid-user')).toMatchObject({ ok: true, received: { sent: 60 } });
    expect(run.outcomes.get('enterprise-user')).toMatchObject({ ok: true, received: { sent: 60 } });
    expect(run.outcomes.get('no-tier')).toMatchObject({ ok: true, received: { sent: 60 } });
    expect(run.outcomes.get('pro-user')).toMatchObject({
      ok: false,
      received: { sent: 2 },
      error: { class: 'CostscopeLimitError', kind: 'daily_requests', limit: 2, userId: 'u-pro', userTier: 'pro' },
    });
    expect(sentWithText(standIn, 'pro-user')).toBe(2);
  });

  it('counts an OpenAI model’s input with its tokenizer: a prompt chars/4 would refuse is sent', () => {
    const tokens = new Tiktoken(o200k).encode(underByTokenizer).length;
    expect(Math.ceil(underByTokenizer.length / 4)).toBeGreaterThan(4000);
    expect(tokens).toBeLessThanOrEqual(4000);
    expect(run.outcomes.get('tokenized-under')).toMatchObject({ ok: true, received: { sent: 1 } });
    expect(guardAttributes(spansAt(receiver.spans, 'tokenized-under')[0])).toEqual({});
  });

  it.each([
    ['tokenized-o200k', 'gpt-4o-mini', 'o200k_base', o200k],
    ['tokenized-cl100k', 'gpt-4-turbo', 'cl100k_base', cl100k],
  ] as const)('refuses %s (%s) over maxInputTokens with its exact %s count, and the span names the tokenizer', (scenario, _model, counter, ranks) => {
    const tokens = new Tiktoken(ranks).encode(overByTokenizer).length;
    expect(tokens).toBeGreaterThan(4000);
    expect(tokens).not.toBe(Math.ceil(overByTokenizer.length / 4));
    expect(run.outcomes.get(scenario)).toMatchObject({ ok: false, error: { class: 'CostscopeInputTooLargeError', estimatedInputTokens: tokens } });
    expect(guardAttributes(spansAt(receiver.spans, scenario)[0])).toEqual({
      'costscope.guard.blocked': 'max_input_tokens',
      'costscope.guard.estimated_input_tokens': tokens,
      'costscope.guard.max_input_tokens': 4000,
      'costscope.guard.input_token_counter': counter,
      'error.type': 'CostscopeInputTooLargeError',
    });
    expect(sentWithText(standIn, overByTokenizer)).toBe(0);
  });

  it('falls back to characters / 4 for a model without a tokenizer (Anthropic), and says so', () => {
    expect(run.outcomes.get('anthropic-chars')).toMatchObject({ ok: false, error: { class: 'CostscopeInputTooLargeError', estimatedInputTokens: 5000 } });
    expect(guardAttributes(spansAt(receiver.spans, 'anthropic-chars')[0])).toMatchObject({
      'costscope.guard.estimated_input_tokens': 5000,
      'costscope.guard.input_token_counter': 'chars/4',
    });
  });
});

describe('load shedding by priority, from a real Costscope server’s budget state', () => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  let server: CostscopeServer;
  let standInUrl: string;
  let receiverUrl: string;
  let ingestKey: string;
  let spend: AppRun;
  let shed: AppRun;
  const model = 'gpt-4.1-mini';
  const step = (scenario: string, priority: string, client: 'openai' | 'anthropic' = 'openai', feature = 'summaries'): Step => ({
    scenario,
    client,
    model: client === 'openai' ? model : 'claude-sonnet-4-6',
    tags: { feature, endpoint: scenario, priority },
  });

  async function putAllocations(allocations: Array<{ feature: string; monthlyUsd: string }>) {
    const response = await fetch(`${server.url}/api/v1/settings/allocations`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(allocations),
    });
    expect(response.status).toBe(200);
  }

  beforeAll(async () => {
    standInUrl = await standIn.start();
    receiverUrl = await receiver.start();
    server = await startCostscopeServer();
    const created = await fetch(`${server.url}/api/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'support app', scope: 'ingest' }),
    });
    expect(created.status).toBe(201);
    ingestKey = ((await created.json()) as { key: string }).key;

    // The allocation is exactly three calls' cost: the app's own three calls spend it.
    const oneCall = standInCallCost(model, 'openai');
    await putAllocations([
      { feature: 'summaries', monthlyUsd: usdToExactString(oneCall * 3n) },
      { feature: 'search', monthlyUsd: '1000' },
    ]);
    spend = await guardedRun({
      guards: { loadShedding: { refreshIntervalMs: 100 } },
      plan: [{ ...step('spend', 'optional'), times: 3 }],
      endpoint: server.url,
      apiKey: ingestKey,
      standInUrl,
    });
    await server.costsOf('summaries', 3);

    shed = await guardedRun({
      guards: { loadShedding: { serverUrl: server.url, refreshIntervalMs: 100, importantRetryDelayMs: 100, importantRetries: 50 } },
      plan: [
        step('critical-runs', 'critical'),
        step('optional-shed', 'optional', 'anthropic'),
        step('important-gives-up', 'important'),
        step('other-feature-runs', 'optional', 'anthropic', 'search'),
        { ...step('important-waits-then-runs', 'important'), announce: true },
      ],
      endpoint: receiverUrl,
      apiKey: ingestKey,
      standInUrl,
      // While the important call is held back, the team raises the allocation.
      onLine: (line) => {
        if (line === JSON.stringify({ starting: 'important-waits-then-runs' })) {
          void putAllocations([{ feature: 'summaries', monthlyUsd: '1000' }]);
        }
      },
    });
  }, 120_000);
  afterAll(async () => {
    await standIn.stop();
    await receiver.stop();
    await server?.stop();
  });

  it('runs every priority while the feature’s budget is not spent, reading the state with an ingest key', async () => {
    expect(spend.stderr).toBe('');
    expect(spend.outcomes.get('spend')).toEqual({ scenario: 'spend', ok: true, received: { sent: 3 } });
    const rows = await server.costsOf('summaries', 3);
    expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(3);
  });

  it('once it is spent: critical runs, optional is refused, the span says why', () => {
    expect(shed.stderr).toBe('');
    expect(shed.outcomes.get('critical-runs')).toMatchObject({ ok: true, received: { sent: 1 } });
    expect(guardAttributes(spansAt(receiver.spans, 'critical-runs')[0])).toEqual({
      'costscope.guard.budget': 'spent',
      'costscope.guard.spent_budget': 'feature',
      'costscope.guard.shedding': 'run',
    });

    expect(shed.outcomes.get('optional-shed')).toMatchObject({
      ok: false,
      error: {
        class: 'CostscopeLimitError',
        isLimitError: true,
        kind: 'budget_spent',
        feature: 'summaries',
        priority: 'optional',
        spentBudget: 'feature',
        message: 'Costscope shed this optional call: the monthly allocation of feature "summaries" is spent',
      },
    });
    expect(guardAttributes(spansAt(receiver.spans, 'optional-shed')[0])).toEqual({
      'costscope.guard.budget': 'spent',
      'costscope.guard.spent_budget': 'feature',
      'costscope.guard.shedding': 'refused',
      'costscope.guard.blocked': 'budget_spent',
      'error.type': 'CostscopeLimitError',
    });
    expect(sentWithText(standIn, 'optional-shed')).toBe(0);
    // The three that spent it, then critical-runs, other-feature-runs and important-waits-then-runs.
    expect(standIn.requests).toHaveLength(3 + 1 + 1 + 1);
  });

  it('holds an important call back, refusing it after its waits, or running it once the budget allows', () => {
    expect(shed.outcomes.get('important-gives-up')).toMatchObject({ ok: false, error: { kind: 'budget_spent', priority: 'important' } });
    expect(guardAttributes(spansAt(receiver.spans, 'important-gives-up')[0])).toEqual({
      'costscope.guard.budget': 'spent',
      'costscope.guard.spent_budget': 'feature',
      'costscope.guard.shedding': 'refused',
      'costscope.guard.shedding_waits': 50,
      'costscope.guard.blocked': 'budget_spent',
      'error.type': 'CostscopeLimitError',
    });
    // One span per call: the waits are not spans.
    expect(spansAt(receiver.spans, 'important-gives-up')).toHaveLength(1);

    expect(shed.outcomes.get('important-waits-then-runs')).toMatchObject({ ok: true, received: { sent: 1 } });
    const waited = spansAt(receiver.spans, 'important-waits-then-runs');
    expect(waited).toHaveLength(1);
    // The budget refreshed while the call waited: it ran without a budget mark, after at least one wait.
    expect(waited[0]?.attributes['costscope.guard.shedding_waits']).toBeGreaterThanOrEqual(1);
    expect(waited[0]?.attributes['costscope.guard.budget']).toBeUndefined();
    expect(waited[0]?.attributes['gen_ai.usage.input_tokens']).toBe(1200);
  });

  it('leaves features whose budget is not spent alone', () => {
    expect(shed.outcomes.get('other-feature-runs')).toMatchObject({ ok: true, received: { sent: 1 } });
    expect(guardAttributes(spansAt(receiver.spans, 'other-feature-runs')[0])).toEqual({});
  });
});

describe('load shedding when the project’s monthly budget is spent', () => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  let server: CostscopeServer;
  let spend: AppRun;
  let shed: AppRun;
  const step = (scenario: string, priority: string, feature: string, client: 'openai' | 'anthropic' = 'openai'): Step => ({
    scenario,
    client,
    model: client === 'openai' ? 'gpt-4.1-mini' : 'claude-sonnet-4-6',
    tags: { feature, endpoint: scenario, priority },
  });

  async function putSetting(kind: 'budget' | 'allocations', value: unknown) {
    const response = await fetch(`${server.url}/api/v1/settings/${kind}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(value),
    });
    expect(response.status).toBe(200);
  }

  beforeAll(async () => {
    const standInUrl = await standIn.start();
    const receiverUrl = await receiver.start();
    server = await startCostscopeServer();
    const created = await fetch(`${server.url}/api/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'support app', scope: 'ingest' }),
    });
    expect(created.status).toBe(201);
    const ingestKey = ((await created.json()) as { key: string }).key;

    // The budget is exactly two calls' cost, one OpenAI and one Anthropic call of two features;
    // "search" has an allocation far from spent, so only the project's budget can shed it.
    await putSetting('budget', { monthlyUsd: usdToExactString(standInCallCost('gpt-4.1-mini', 'openai') + standInCallCost('claude-sonnet-4-6', 'anthropic')) });
    await putSetting('allocations', [{ feature: 'search', monthlyUsd: '1000' }]);
    spend = await guardedRun({
      guards: { loadShedding: { refreshIntervalMs: 100 } },
      plan: [step('spend-openai', 'optional', 'reports'), step('spend-anthropic', 'optional', 'drafts', 'anthropic')],
      endpoint: server.url,
      apiKey: ingestKey,
      standInUrl,
    });
    await server.costsOf('reports', 1);
    await server.costsOf('drafts', 1);

    shed = await guardedRun({
      guards: { loadShedding: { serverUrl: server.url, refreshIntervalMs: 100, importantRetryDelayMs: 100, importantRetries: 50 } },
      plan: [
        step('project-critical-runs', 'critical', 'search'),
        step('project-optional-shed', 'optional', 'search', 'anthropic'),
        step('project-important-gives-up', 'important', 'reports'),
        { ...step('project-important-waits-then-runs', 'important', 'search'), announce: true },
      ],
      endpoint: receiverUrl,
      apiKey: ingestKey,
      standInUrl,
      // While the important call is held back, the team removes the project's budget.
      onLine: (line) => {
        if (line === JSON.stringify({ starting: 'project-important-waits-then-runs' })) void putSetting('budget', { monthlyUsd: null });
      },
    });
  }, 120_000);
  afterAll(async () => {
    await standIn.stop();
    await receiver.stop();
    await server?.stop();
  });

  it('runs every priority until the budget is spent', () => {
    expect(spend.stderr).toBe('');
    expect(spend.outcomes.get('spend-openai')).toMatchObject({ ok: true, received: { sent: 1 } });
    expect(spend.outcomes.get('spend-anthropic')).toMatchObject({ ok: true, received: { sent: 1 } });
  });

  it('then sheds every feature, even one within its own allocation, and the span and error name the project', () => {
    expect(shed.stderr).toBe('');
    expect(shed.outcomes.get('project-critical-runs')).toMatchObject({ ok: true, received: { sent: 1 } });
    expect(guardAttributes(spansAt(receiver.spans, 'project-critical-runs')[0])).toEqual({
      'costscope.guard.budget': 'spent',
      'costscope.guard.spent_budget': 'project',
      'costscope.guard.shedding': 'run',
    });

    expect(shed.outcomes.get('project-optional-shed')).toMatchObject({
      ok: false,
      error: {
        class: 'CostscopeLimitError',
        kind: 'budget_spent',
        feature: 'search',
        priority: 'optional',
        spentBudget: 'project',
        message: "Costscope shed this optional call: the project's monthly budget is spent",
      },
    });
    expect(guardAttributes(spansAt(receiver.spans, 'project-optional-shed')[0])).toEqual({
      'costscope.guard.budget': 'spent',
      'costscope.guard.spent_budget': 'project',
      'costscope.guard.shedding': 'refused',
      'costscope.guard.blocked': 'budget_spent',
      'error.type': 'CostscopeLimitError',
    });
    expect(sentWithText(standIn, 'project-optional-shed')).toBe(0);
  });

  it('holds important calls back: refused after their waits, or run once the budget is lifted', () => {
    expect(shed.outcomes.get('project-important-gives-up')).toMatchObject({ ok: false, error: { kind: 'budget_spent', priority: 'important', spentBudget: 'project' } });
    expect(guardAttributes(spansAt(receiver.spans, 'project-important-gives-up')[0])).toMatchObject({
      'costscope.guard.spent_budget': 'project',
      'costscope.guard.shedding': 'refused',
      'costscope.guard.shedding_waits': 50,
    });
    expect(shed.outcomes.get('project-important-waits-then-runs')).toMatchObject({ ok: true, received: { sent: 1 } });
    const waited = spansAt(receiver.spans, 'project-important-waits-then-runs')[0];
    expect(waited?.attributes['costscope.guard.shedding_waits']).toBeGreaterThanOrEqual(1);
    expect(waited?.attributes['costscope.guard.budget']).toBeUndefined();
    // The two that spent it, project-critical-runs and project-important-waits-then-runs.
    expect(standIn.requests).toHaveLength(2 + 1 + 1);
  });
});

describe.each([
  { policy: 'allow', important: true, optional: true },
  { policy: 'deny', important: false, optional: false },
] as const)('load shedding with the server unreachable (whenUnreachable: $policy)', ({ policy, important, optional }) => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  let run: AppRun;

  beforeAll(async () => {
    const standInUrl = await standIn.start();
    const endpoint = await receiver.start();
    run = await guardedRun({
      // Port 1 on loopback: nothing listens, the connection is refused.
      guards: { loadShedding: { serverUrl: 'http://127.0.0.1:1', whenUnreachable: policy, importantRetryDelayMs: 10 } },
      plan: (['critical', 'important', 'optional'] as const).map((priority) => ({
        scenario: priority,
        client: priority === 'important' ? 'anthropic' : 'openai',
        model: priority === 'important' ? 'claude-sonnet-4-6' : 'gpt-4o-mini',
        tags: { feature: 'summaries', endpoint: priority, priority },
      })),
      endpoint,
      apiKey: 'cs_project_key',
      standInUrl,
    });
  }, 60_000);
  afterAll(async () => {
    await standIn.stop();
    await receiver.stop();
  });

  it('runs critical calls, and the others as the policy says, each span marked budget unknown', () => {
    expect(run.exitCode).toBe(0);
    expect(run.outcomes.get('critical')).toMatchObject({ ok: true });
    expect(guardAttributes(spansAt(receiver.spans, 'critical')[0])).toEqual({ 'costscope.guard.budget': 'unknown', 'costscope.guard.shedding': 'run' });
    for (const [priority, runs] of [
      ['important', important],
      ['optional', optional],
    ] as const) {
      const span = guardAttributes(spansAt(receiver.spans, priority)[0]);
      if (runs) {
        expect(run.outcomes.get(priority)).toMatchObject({ ok: true, received: { sent: 1 } });
        expect(span).toEqual({ 'costscope.guard.budget': 'unknown', 'costscope.guard.shedding': 'run' });
      } else {
        expect(run.outcomes.get(priority)).toMatchObject({ ok: false, error: { class: 'CostscopeLimitError', kind: 'budget_unknown', priority } });
        expect(span).toEqual({
          'costscope.guard.budget': 'unknown',
          'costscope.guard.shedding': 'refused',
          'costscope.guard.blocked': 'budget_unknown',
          'error.type': 'CostscopeLimitError',
        });
      }
    }
    expect(standIn.requests).toHaveLength(1 + (important ? 1 : 0) + (optional ? 1 : 0));
  });
});
