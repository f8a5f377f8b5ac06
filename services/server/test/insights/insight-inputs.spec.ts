import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmCallRecord } from '@costscope/core';
import { getFeatureModelUsage, getPromptPrefixUsage, getRepeatedRequestUsage } from '../../src/storage/insight-inputs.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall, usd } from '../support/call-factory.js';
import { transportFactories } from '../support/storage-factories.js';

/** What the insights read from storage, on both transports (the HTTP one reads `llm_calls FINAL`). */
const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

const A = 'project-a';
const FROM = new Date('2026-11-01T00:00:00Z');
const TO = new Date('2026-11-03T00:00:00Z');
const EARLY = new Date('2026-11-01T12:00:00Z');
const NIGHT = new Date('2026-11-02T03:00:00Z');

/** A call of project A on GPT-5 nano costing $0.003 (makeCall's parts), nothing else set. */
function call(overrides: Partial<LlmCallRecord>): LlmCallRecord {
  return makeCall({
    projectId: A,
    feature: 'essay',
    requestModel: 'gpt-5-nano',
    responseModel: '',
    priority: '',
    cacheReadInputTokens: 0,
    promptPrefixHash: '',
    maxTokens: null,
    attributes: {},
    ...overrides,
  });
}

describe.each(factories)('insight inputs through the $name transport', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
    await insertCalls(transport, [
      // 7 optional real-time calls in the first half, no max_tokens, 100 tokens out.
      ...Array.from({ length: 7 }, (_, i) =>
        call({ time: new Date(EARLY.getTime() + i * 1000), inputTokens: 1_000, outputTokens: 100, priority: 'optional' }),
      ),
      // 3 critical batched calls at 03:00 in the second half, capped, 1,000 tokens out.
      ...Array.from({ length: 3 }, (_, i) =>
        call({ time: new Date(NIGHT.getTime() + i * 1000), inputTokens: 3_000, outputTokens: 1_000, priority: 'critical', batch: true, maxTokens: 2_000 }),
      ),
      // Prefix p1: three uncached calls in one five-minute window, one cached, one failed.
      ...[0, 1, 2].map((i) => call({ feature: 'support', time: new Date(EARLY.getTime() + i * 1000), inputTokens: 2_000 + i, promptPrefixHash: 'p1' })),
      call({ feature: 'support', time: new Date(EARLY.getTime() + 3_000), inputTokens: 1_900, cacheReadInputTokens: 1_500, promptPrefixHash: 'p1' }),
      call({ feature: 'support', time: new Date(EARLY.getTime() + 4_000), inputTokens: 10, promptPrefixHash: 'p1', status: 'error', errorType: '500' }),
      // Prefix p2: one call only.
      call({ feature: 'support', time: EARLY, inputTokens: 2_000, promptPrefixHash: 'p2' }),
      // Request h1 three times (and once failed), h2 once.
      ...[0, 1, 2].map((i) => call({ feature: 'faq', time: new Date(EARLY.getTime() + i * 60_000), attributes: { 'costscope.request.hash': 'h1' } })),
      call({ feature: 'faq', time: EARLY, attributes: { 'costscope.request.hash': 'h1' }, status: 'error', errorType: '500' }),
      call({ feature: 'faq', time: EARLY, attributes: { 'costscope.request.hash': 'h2' } }),
    ]);
  });

  it('measures a feature’s usage by billing, its output distribution and its input by half', async () => {
    const rows = await getFeatureModelUsage(transport, { projectId: A, from: FROM, to: TO, timezone: 'UTC', capOverMedian: 2 });
    const essay = rows.find((row) => row.feature === 'essay');
    expect(essay).toEqual({
      feature: 'essay',
      model: 'gpt-5-nano',
      costUsd: usd('0.03'),
      realTime: { calls: 7, inputTokens: 7_000, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 700 },
      batched: { calls: 3, inputTokens: 9_000, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 3_000 },
      deferrable: { calls: 7, inputTokens: 7_000, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 700 },
      nightlyCalls: 3,
      callsWithoutMaxTokens: 7,
      outputTokensMedian: 100,
      outputTokensP95: 1_000,
      // A cap at 200 cuts 800 from each of the three long answers.
      outputTokensAboveCap: 2_400,
      callsAboveCap: 3,
      firstHalf: { calls: 7, inputTokens: 7_000 },
      secondHalf: { calls: 3, inputTokens: 9_000 },
    });
    expect(rows.map((row) => row.feature)).toEqual(['essay', 'faq', 'support']);
  });

  it('counts night in the project’s time zone', async () => {
    // 03:00 UTC is 22:00 the evening before in New York; 12:00 UTC is 07:00 there.
    const rows = await getFeatureModelUsage(transport, { projectId: A, from: FROM, to: TO, timezone: 'America/New_York', capOverMedian: 2 });
    expect(rows.find((row) => row.feature === 'essay')?.nightlyCalls).toBe(0);
  });

  it('lists the prefixes shared by uncached successful calls, with the shortest input and the cache windows', async () => {
    expect(await getPromptPrefixUsage(transport, { projectId: A, from: FROM, to: TO })).toEqual([
      { feature: 'support', model: 'gpt-5-nano', prefixHash: 'p1', calls: 4, uncachedCalls: 3, minInputTokens: 1_900, cacheWindows: 1 },
    ]);
  });

  it('counts the successful repeats of a request and what they cost', async () => {
    expect(await getRepeatedRequestUsage(transport, { projectId: A, from: FROM, to: TO })).toEqual([
      { feature: 'faq', model: 'gpt-5-nano', hashedCalls: 4, repeatedRequests: 1, repeatCalls: 2, repeatCostUsd: usd('0.006') },
    ]);
  });

  it('reads only the asking project', async () => {
    const range = { projectId: 'project-b', from: FROM, to: TO };
    expect(await getFeatureModelUsage(transport, { ...range, timezone: 'UTC', capOverMedian: 2 })).toEqual([]);
    expect(await getPromptPrefixUsage(transport, range)).toEqual([]);
    expect(await getRepeatedRequestUsage(transport, range)).toEqual([]);
  });
});
