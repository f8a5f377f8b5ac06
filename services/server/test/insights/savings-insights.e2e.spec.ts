import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLocalDays, isoWeekOfDay, localTime, parseUsd, startOfLocalDay, usdToExactString } from '@costscope/core';
import { IngestPipeline } from '../../src/ingest/ingest-pipeline.js';
import { createProject, evaluateAt, messagesFor, onlyRule, startAlertServer, type AlertServer } from '../alerts/support/alert-harness.js';
import { otlpJsonBody, type JsonSpan } from '../support/otlp-json.js';

/**
 * Savings insights from calls sent through `/v1/traces`, each feature built so that exactly one
 * strategy applies to it (or none, for its twin). All models but GPT-5 are GPT-5 nano, the
 * cheapest tier, so model routing concerns GPT-5 only. Catalog prices per million tokens:
 * GPT-5 $1.25 in / $10 out; GPT-5 mini $0.25 / $2; GPT-5 nano $0.05 in, $0.005 cached, $0.40 out;
 * GPT-4.1 mini $0.40 / $1.60. The main range is 30 days, so a month's figures are the range's.
 */
const DAY = 86_400_000;
const HOUR = 3_600_000;
const to = startOfLocalDay(new Date().toISOString().slice(0, 10), 'UTC');
const from = new Date(to.getTime() - 30 * DAY);
/** Two days into the range (its first half) and twenty (its second half), at noon. */
const early = new Date(from.getTime() + 2 * DAY + 12 * HOUR);
const late = new Date(from.getTime() + 20 * DAY + 12 * HOUR);
/** A day 41 days back, outside the main range: the fine-tuning candidate's. */
const ftFrom = new Date(to.getTime() - 41 * DAY);
const ftTo = new Date(ftFrom.getTime() + DAY);

type Call = {
  feature: string;
  model?: string;
  start: Date;
  input: number;
  output: number;
  cacheRead?: number;
  maxTokens?: number;
  priority?: string;
  prefixHash?: string;
  requestHash?: string;
};

let alerts: AlertServer;
let auth: { Authorization: string };
let emptyAuth: { Authorization: string };
const project = 'p-insights';
let spanCounter = 0;

function times(count: number, call: (index: number) => Call): Call[] {
  return Array.from({ length: count }, (_, index) => call(index));
}

async function post(calls: readonly Call[]): Promise<void> {
  for (let offset = 0; offset < calls.length; offset += 500) {
    const spans = calls.slice(offset, offset + 500).map((call): JsonSpan => {
      spanCounter += 1;
      return {
        traceId: randomBytes(16).toString('hex'),
        spanId: (BigInt(spanCounter) + 0x2000_0000_0000n).toString(16).padStart(16, '0'),
        start: call.start,
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': call.model ?? 'gpt-5-nano',
          'gen_ai.usage.input_tokens': call.input,
          'gen_ai.usage.output_tokens': call.output,
          'costscope.feature': call.feature,
          ...(call.cacheRead === undefined ? {} : { 'gen_ai.usage.cache_read.input_tokens': call.cacheRead }),
          ...(call.maxTokens === undefined ? {} : { 'gen_ai.request.max_tokens': call.maxTokens }),
          ...(call.priority === undefined ? {} : { 'costscope.priority': call.priority }),
          ...(call.prefixHash === undefined ? {} : { 'costscope.prompt.prefix_hash': call.prefixHash }),
          // Every SDK call carries one; a unique one unless the test repeats a request.
          'costscope.request.hash': call.requestHash ?? randomBytes(8).toString('hex'),
        },
      };
    });
    const response = await fetch(`${alerts.server.baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: otlpJsonBody(spans),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
    expect(Number(body.partialSuccess?.rejectedSpans ?? 0), body.partialSuccess?.errorMessage).toBe(0);
  }
  await alerts.server.app.get(IngestPipeline).batcher.flush();
}

type InsightsAnswer = {
  from: string;
  to: string;
  monthlySpendUsd: string;
  insights: Array<{
    id: string;
    strategy: string;
    title: string;
    feature: string;
    endpoint: string;
    model: string;
    evidence: { summary: string; figures: Record<string, number | string>; from: string; to: string };
    monthlySavingUsd: string;
    confidence: string;
    caveat: string;
  }>;
  projection: { startUsd: string; steps: Array<{ strategy: string; savingUsd: string; remainingUsd: string }>; endUsd: string };
};

async function getInsights(headers: { Authorization: string }, range: { from: Date; to: Date }): Promise<InsightsAnswer> {
  const response = await fetch(
    `${alerts.server.baseUrl}/api/v1/insights?from=${range.from.toISOString()}&to=${range.to.toISOString()}`,
    { headers },
  );
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as InsightsAnswer;
}

const usd = (amount: string) => parseUsd(amount);
const sum = (...amounts: string[]) => amounts.reduce((total, amount) => total + usd(amount), 0n);

beforeAll(async () => {
  alerts = await startAlertServer({ COSTSCOPE_WEEKLY_REVIEW: 'mon 09:00' });
  auth = await createProject(alerts.server, project);
  emptyAuth = await createProject(alerts.server, 'p-empty');
  await onlyRule(alerts.server, auth, 'none');
  await post([
    // Model routing: 4 calls of 1,000 in / 200 out on GPT-5, $0.013; on GPT-5 mini $0.0026.
    ...times(4, (i) => ({ feature: 'triage', model: 'gpt-5', start: new Date(late.getTime() + i * HOUR), input: 1_000, output: 200, maxTokens: 400, priority: 'critical' })),
    // Batching by priority: 10 optional calls of 1,000 in / 500 out, $0.00025 each; half off.
    ...times(10, (i) => ({ feature: 'reports', start: new Date(late.getTime() + i * 60_000), input: 1_000, output: 500, maxTokens: 600, priority: 'optional' })),
    // …its twin: critical daytime work.
    ...times(10, (i) => ({ feature: 'checkout', start: new Date(late.getTime() + i * 60_000), input: 1_000, output: 500, maxTokens: 600, priority: 'critical' })),
    // Batching by rhythm: the same 10 calls at 02:00, no priority.
    ...times(10, (i) => ({ feature: 'nightly-digest', start: new Date(late.getTime() - 10 * HOUR + i * 60_000), input: 1_000, output: 500, maxTokens: 600 })),
    // Prompt caching: 12 calls in one five-minute window share a 2,000-token prefix, none read
    // from the cache: one write, 11 reads at $0.005 instead of $0.05 = 11 × 2,000 × $0.045/M.
    ...times(12, (i) => ({ feature: 'support', start: new Date(late.getTime() + i * 1_000), input: 2_000, output: 100, maxTokens: 200, prefixHash: '00000000000000a1' })),
    // …its twin already reads its prefix from the cache.
    ...times(12, (i) => ({ feature: 'support-cached', start: new Date(late.getTime() + i * 1_000), input: 2_000, cacheRead: 1_500, output: 100, maxTokens: 200, prefixHash: '00000000000000a2' })),
    // Response caching: the same request 12 times, 500 in / 100 out = $0.000065 each; 11 repeats.
    ...times(12, (i) => ({ feature: 'faq', start: new Date(late.getTime() + i * HOUR), input: 500, output: 100, maxTokens: 200, requestHash: '00000000000000f1' })),
    // …its twin: 12 different requests.
    ...times(12, (i) => ({ feature: 'faq-unique', start: new Date(late.getTime() + i * HOUR), input: 500, output: 100, maxTokens: 200 })),
    // Output caps: no max_tokens, 7 answers of 100 tokens and 3 of 1,000: median 100, p95 1,000;
    // a cap at 200 cuts 3 × 800 tokens at $0.40/M.
    ...times(10, (i) => ({ feature: 'essay', start: new Date(late.getTime() + i * 60_000), input: 100, output: i < 7 ? 100 : 1_000 })),
    // …its twin: steady answers under a cap.
    ...times(10, (i) => ({ feature: 'brief', start: new Date(late.getTime() + i * 60_000), input: 100, output: 100, maxTokens: 200 })),
    // Prompt trimming: 1,000 input tokens per call in the first half, 2,000 in the second.
    ...times(10, (i) => ({ feature: 'assistant', start: new Date(early.getTime() + i * 60_000), input: 1_000, output: 50, maxTokens: 100 })),
    ...times(10, (i) => ({ feature: 'assistant', start: new Date(late.getTime() + i * 60_000), input: 2_000, output: 50, maxTokens: 100 })),
    // Fine-tuning, on a day of its own: 340 calls of 1,500 in / 200 out on GPT-5 through the day
    // (10,200 a month at that pace), steady answers.
    ...times(340, (i) => ({ feature: 'classify', model: 'gpt-5', start: new Date(ftFrom.getTime() + Math.floor((i * DAY) / 340)), input: 1_500, output: 200, maxTokens: 300 })),
  ]);
});

afterAll(async () => {
  await alerts?.close();
});

describe('GET /api/v1/insights', () => {
  it('finds each strategy exactly where it applies, with the saving computed by hand', async () => {
    const answer = await getInsights(auth, { from, to });
    expect(answer.from).toBe(from.toISOString());
    expect(answer.to).toBe(to.toISOString());
    expect(answer.insights.map((insight) => [insight.strategy, insight.feature, insight.model, insight.monthlySavingUsd])).toEqual([
      // 4 × (1,000 × $1.25 + 200 × $10)/M − 4 × (1,000 × $0.25 + 200 × $2)/M = $0.013 − $0.0026
      ['model-routing', 'triage', 'gpt-5', '0.0104'],
      // 10 × $0.00025, half off; equal savings in id order
      ['batching', 'nightly-digest', 'gpt-5-nano', '0.00125'],
      ['batching', 'reports', 'gpt-5-nano', '0.00125'],
      // 10 × 1,000 extra tokens × $0.05/M over half the range: $0.0005, $0.001 a month
      ['prompt-trimming', 'assistant', 'gpt-5-nano', '0.001'],
      // 11 × 2,000 × ($0.05 − $0.005)/M; writes bill as input at OpenAI
      ['prompt-caching', 'support', 'gpt-5-nano', '0.00099'],
      // 2,400 tokens × $0.40/M
      ['output-caps', 'essay', 'gpt-5-nano', '0.00096'],
      // 11 × $0.000065
      ['response-caching', 'faq', 'gpt-5-nano', '0.000715'],
    ]);
    const routing = answer.insights[0]!;
    expect(routing).toMatchObject({
      id: 'model-routing:triage:gpt-5',
      endpoint: '',
      confidence: 'medium',
      evidence: { from: from.toISOString(), to: to.toISOString(), figures: { calls: 4, alternativeModel: 'gpt-5-mini', currentCostUsd: '0.013', alternativeCostUsd: '0.0026' } },
    });
    expect(routing.caveat).toMatch(/quality/);
    const caching = answer.insights.find((insight) => insight.strategy === 'prompt-caching')!;
    expect(caching.evidence.figures).toMatchObject({ uncachedCalls: 12, sharedPrefixes: 1, uncachedPrefixTokens: 24_000, cacheWrites: 1 });
    const caps = answer.insights.find((insight) => insight.strategy === 'output-caps')!;
    expect(caps.evidence.figures).toMatchObject({ outputTokensMedian: 100, outputTokensP95: 1_000, suggestedMaxTokens: 200, callsWithoutMaxTokens: 10, callsAboveCap: 3 });
    const repeats = answer.insights.find((insight) => insight.strategy === 'response-caching')!;
    expect(repeats.evidence.figures).toMatchObject({ repeatCalls: 11, repeatedRequests: 1, hashedCalls: 12 });
  });

  it('projects the month from the range’s spend, each strategy on what the previous left', async () => {
    const answer = await getInsights(auth, { from, to });
    const spend = sum(
      '0.013', // triage
      '0.0025', // reports
      '0.0025', // checkout
      '0.0025', // nightly-digest
      '0.00168', // support: 12 × (2,000 × $0.05 + 100 × $0.40)/M
      '0.00087', // support-cached: 12 × (500 × $0.05 + 1,500 × $0.005 + 100 × $0.40)/M
      '0.00078', // faq
      '0.00078', // faq-unique
      '0.00153', // essay: (1,000 × $0.05 + 3,700 × $0.40)/M
      '0.00045', // brief
      '0.0019', // assistant: (30,000 × $0.05 + 1,000 × $0.40)/M
    );
    expect(answer.monthlySpendUsd).toBe(usdToExactString(spend));
    // Every insight is on a feature of its own, so each step saves its insight's whole amount.
    const steps: Array<[string, string]> = [
      ['model-routing', '0.0104'],
      ['prompt-caching', '0.00099'],
      ['output-caps', '0.00096'],
      ['batching', '0.0025'],
      ['response-caching', '0.000715'],
      ['prompt-trimming', '0.001'],
    ];
    let remaining = spend;
    const expected = steps.map(([strategy, saving]) => {
      remaining -= usd(saving);
      return { strategy, savingUsd: usdToExactString(usd(saving)), remainingUsd: usdToExactString(remaining) };
    });
    expect(answer.projection).toEqual({ startUsd: usdToExactString(spend), steps: expected, endUsd: usdToExactString(remaining) });
  });

  it('finds the fine-tuning candidate on its day, and routing does not save the same dollars twice in the projection', async () => {
    const answer = await getInsights(auth, { from: ftFrom, to: ftTo });
    // A day of 340 × (1,500 × $1.25 + 200 × $10)/M = $1.3175 is $39.525 a month.
    expect(answer.monthlySpendUsd).toBe('39.525');
    expect(answer.insights.map((insight) => [insight.strategy, insight.feature, insight.monthlySavingUsd])).toEqual([
      // Fine-tuned GPT-4.1 mini, 200-token prompts: 340 × (200 × $0.40 + 200 × $1.60)/M = $0.136 a day
      ['fine-tuning', 'classify', '35.445'],
      // GPT-5 mini: 340 × (1,500 × $0.25 + 200 × $2)/M = $0.2635 a day
      ['model-routing', 'classify', '31.62'],
    ]);
    const spend = usd('39.525');
    const afterRouting = spend - usd('31.62');
    // Fine-tuning saves its share ($35.445 of $39.525) of what routing left, rounded half up to the atto-dollar.
    const fineTuning = (afterRouting * usd('35.445') * 2n + spend) / (spend * 2n);
    expect(answer.projection).toEqual({
      startUsd: '39.525',
      steps: [
        { strategy: 'model-routing', savingUsd: '31.62', remainingUsd: usdToExactString(afterRouting) },
        { strategy: 'fine-tuning', savingUsd: usdToExactString(fineTuning), remainingUsd: usdToExactString(afterRouting - fineTuning) },
      ],
      endUsd: usdToExactString(afterRouting - fineTuning),
    });
    expect(answer.insights[0]?.caveat).toMatch(/500\+ labeled examples/);
  });

  it('answers no insights and an empty projection for a project without calls', async () => {
    const answer = await getInsights(emptyAuth, { from, to });
    expect(answer).toEqual({
      from: from.toISOString(),
      to: to.toISOString(),
      monthlySpendUsd: '0.00',
      insights: [],
      projection: { startUsd: '0.00', steps: [], endUsd: '0.00' },
    });
  });

  it('defaults to the last 30 days ending now', async () => {
    const before = Date.now();
    const response = await fetch(`${alerts.server.baseUrl}/api/v1/insights`, { headers: auth });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as InsightsAnswer;
    const answeredTo = new Date(answer.to).getTime();
    expect(answeredTo).toBeGreaterThanOrEqual(before);
    expect(answeredTo - new Date(answer.from).getTime()).toBe(30 * DAY);
  });

  it('refuses a bad range or an unknown parameter with a 400 naming it, and an ingest key with a 403', async () => {
    const bad = async (query: string) => {
      const response = await fetch(`${alerts.server.baseUrl}/api/v1/insights?${query}`, { headers: auth });
      expect(response.status).toBe(400);
      return JSON.stringify(await response.json());
    };
    expect(await bad(`from=${to.toISOString()}&to=${from.toISOString()}`)).toContain('from');
    expect(await bad('from=yesterday')).toContain('from');
    expect(await bad('groupBy=feature')).toContain('groupBy');
    expect(await bad('from=2020-01-01&to=2026-01-01')).toContain('366 days');

    const created = await fetch(`${alerts.server.baseUrl}/api/v1/keys`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'app', scope: 'ingest' }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const forbidden = await fetch(`${alerts.server.baseUrl}/api/v1/insights`, { headers: { Authorization: `Bearer ${key}` } });
    expect(forbidden.status).toBe(403);
  });
});

describe('the weekly review’s top three insights', () => {
  // The last complete week: its 30 days end this Monday and hold every call of the main range.
  const today = localTime(new Date(), 'UTC');
  const thisMonday = addLocalDays(today.day, 1 - today.isoWeekday);
  const week = isoWeekOfDay(addLocalDays(thisMonday, -7));
  const mondayStart = startOfLocalDay(thisMonday, 'UTC');

  it('are in GET /api/v1/reports/weekly, the same items as /api/v1/insights of those 30 days', async () => {
    const response = await fetch(`${alerts.server.baseUrl}/api/v1/reports/weekly?week=${week}`, { headers: auth });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { topInsights: InsightsAnswer['insights'] };
    const insights = await getInsights(auth, { from: new Date(mondayStart.getTime() - 30 * DAY), to: mondayStart });
    expect(report.topInsights).toEqual(insights.insights.slice(0, 3));
    expect(report.topInsights.map((insight) => [insight.strategy, insight.feature, insight.monthlySavingUsd])).toEqual([
      ['model-routing', 'triage', '0.0104'],
      ['batching', 'nightly-digest', '0.00125'],
      ['batching', 'reports', '0.00125'],
    ]);
  });

  it('are in the Monday digest, to Slack and email, with their dollars', async () => {
    await evaluateAt(alerts, new Date(mondayStart.getTime() + 9 * HOUR));
    const sent = messagesFor(alerts, project);
    expect(sent.email).toHaveLength(1);
    expect(sent.slack).toHaveLength(1);
    const text = sent.email[0]!.mail.text ?? '';
    const savings = text.slice(text.indexOf('Top savings:'), text.indexOf('Cost per feature:'));
    // Money as every message shows it: cents, or two significant digits under a cent.
    expect(savings.trim().split('\n')).toEqual([
      'Top savings:',
      '  - Route triage from GPT-5 to GPT-5 mini: $0.01 a month',
      '  - Send the nightly calls of nightly-digest through the Batch API: $0.0013 a month',
      '  - Send the deferrable calls of reports through the Batch API: $0.0013 a month',
    ]);
    expect(sent.email[0]!.mail.html).toContain('Route triage from GPT-5 to GPT-5 mini: $0.01 a month');
    const slack = JSON.stringify(sent.slack[0]!.blocks);
    expect(slack).toContain('*Top savings*');
    expect(slack).toContain('Route triage from GPT-5 to GPT-5 mini: $0.01 a month');
  });
});
