import type { LlmCallRecord } from '@costscope/core';

let counter = 0;

/** A stored-call record as pricing produces it, with a unique span id per call. */
export function callRecord(overrides: Partial<LlmCallRecord> = {}): LlmCallRecord {
  counter += 1;
  return {
    projectId: 'p-1',
    time: new Date('2026-11-28T09:00:00.123Z'),
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: counter.toString(16).padStart(16, '0'),
    service: 'api',
    feature: 'chat',
    endpoint: '/api/chat',
    userId: 'u-1',
    userTier: 'pro',
    priority: '',
    provider: 'openai',
    requestModel: 'gpt-5',
    responseModel: 'gpt-5-2025-08-07',
    operation: 'chat',
    inputTokens: 1000,
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
    outputTokens: 100,
    reasoningTokens: 0,
    costStatus: 'priced',
    pricedModel: 'gpt-5',
    priceVersion: 'catalog:gpt-5@2025-08-07',
    freshInputCostUsd: 1_250_000_000_000_000n,
    cacheReadCostUsd: 0n,
    cacheWriteCostUsd: 0n,
    outputCostUsd: 1_000_000_000_000_000n,
    totalCostUsd: 2_250_000_000_000_000n,
    status: 'ok',
    errorType: '',
    attempt: 1,
    batch: false,
    maxTokens: null,
    finishReason: 'stop',
    promptPrefixHash: '',
    latencyMs: 812,
    timeToFirstTokenMs: null,
    attributes: { 'costscope.dialect': 'genai' },
    ...overrides,
  };
}

export function callRecords(count: number, overrides: Partial<LlmCallRecord> = {}): LlmCallRecord[] {
  return Array.from({ length: count }, () => callRecord(overrides));
}

/**
 * Storage as the ingest sees it: an insert of many rows that can be down. Rows are kept by
 * (trace id, span id), like `llm_calls`, so tests can tell a duplicate from a second call.
 */
export class InMemoryCallStore {
  down = false;
  readonly inserts: LlmCallRecord[][] = [];
  readonly rows = new Map<string, LlmCallRecord>();

  readonly insert = async (records: LlmCallRecord[]): Promise<void> => {
    await Promise.resolve();
    if (this.down) throw new Error('storage unavailable: connect ECONNREFUSED 127.0.0.1:8123');
    this.inserts.push(records);
    for (const record of records) this.rows.set(`${record.traceId}/${record.spanId}`, record);
  };

  insertedSpanIds(): string[] {
    return this.inserts.flat().map((record) => record.spanId);
  }
}
