import type { LlmCallRecord } from '@costscope/core';
import { parseUsd } from '@costscope/core';

let sequence = 0;

/** A priced call with sensible defaults; tests override what they are about. */
export function makeCall(overrides: Partial<LlmCallRecord> = {}): LlmCallRecord {
  sequence += 1;
  const fresh = parseUsd('0.001');
  const output = parseUsd('0.002');
  return {
    projectId: 'project-a',
    time: new Date('2026-11-02T10:15:00.000Z'),
    traceId: sequence.toString(16).padStart(32, '0'),
    spanId: sequence.toString(16).padStart(16, '0'),
    service: 'support-bot',
    feature: 'chat',
    endpoint: '/api/chat',
    userId: 'user-1',
    userTier: 'free',
    priority: 'important',
    provider: 'openai',
    requestModel: 'gpt-5-mini',
    responseModel: 'gpt-5-mini-2025-08-07',
    operation: 'chat',
    inputTokens: 1_000,
    cacheReadInputTokens: 200,
    cacheWriteInputTokens: 0,
    outputTokens: 500,
    reasoningTokens: 100,
    costStatus: 'priced',
    pricedModel: 'gpt-5-mini',
    priceVersion: 'catalog:gpt-5-mini@2025-08-07',
    freshInputCostUsd: fresh,
    cacheReadCostUsd: 0n,
    cacheWriteCostUsd: 0n,
    outputCostUsd: output,
    totalCostUsd: fresh + output,
    status: 'ok',
    errorType: '',
    attempt: 1,
    batch: false,
    maxTokens: 1024,
    finishReason: 'stop',
    promptPrefixHash: 'abc123',
    latencyMs: 812,
    timeToFirstTokenMs: 240,
    attributes: { 'deployment.environment': 'test' },
    ...overrides,
  };
}

/** A cost in atto-dollars from a decimal string, for readable expectations. */
export const usd = (amount: string): bigint => parseUsd(amount);
