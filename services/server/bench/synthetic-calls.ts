import type { LlmCallRecord } from '@costscope/core';

/**
 * The benchmarks' synthetic traffic: one project's calls spread evenly over a window, in time
 * order, 200 features, 20 models, 100 000 users, 40 endpoints, 5 services, 3 tiers, 2 % errors,
 * 3 % retries. A feature lives in one service and endpoint and uses two models (mostly its
 * first); a user has one tier. Real traffic is this correlated, which is what lets rollups shrink it.
 */
export type SyntheticTraffic = {
  projectId: string;
  /** The window's first instant (ms) and length (ms). */
  startMs: number;
  spanMs: number;
  /** Calls in the whole window: call `n` sits at `startMs + n / totalCalls · spanMs`. */
  totalCalls: number;
};

const FEATURES = Array.from({ length: 200 }, (_, i) => `feature-${String(i).padStart(3, '0')}`);
const MODELS = Array.from({ length: 20 }, (_, i) => ({
  model: `model-${String(i).padStart(2, '0')}`,
  provider: i % 2 === 0 ? 'openai' : 'anthropic',
  // Price per token in atto-dollars: $0.10–$15 per million input tokens.
  inputAtto: BigInt(100_000 + i * 750_000),
  outputAtto: BigInt(400_000 + i * 3_000_000),
}));
const TIERS = ['free', 'pro', 'enterprise'];
const ENDPOINTS = Array.from({ length: 40 }, (_, i) => `/api/v1/endpoint-${i}`);

/** Calls `from` to `from + count - 1` of the traffic, drawn from `next` (a seeded random source). */
export function syntheticCalls(traffic: SyntheticTraffic, from: number, count: number, next: () => number): LlmCallRecord[] {
  const calls: LlmCallRecord[] = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const n = from + i;
    const featureIndex = Math.floor(next() * FEATURES.length);
    const model = MODELS[(featureIndex * 3 + (next() < 0.8 ? 0 : 1)) % MODELS.length] ?? MODELS[0]!;
    const user = Math.floor(next() * 100_000);
    const inputTokens = 200 + Math.floor(next() * 4_000);
    const cached = Math.floor(inputTokens * next() * 0.5);
    const outputTokens = 50 + Math.floor(next() * 1_000);
    const fresh = BigInt(inputTokens - cached) * model.inputAtto;
    const cacheRead = (BigInt(cached) * model.inputAtto) / 10n;
    const output = BigInt(outputTokens) * model.outputAtto;
    const failed = next() < 0.02;
    calls[i] = {
      projectId: traffic.projectId,
      time: new Date(traffic.startMs + Math.floor((n / traffic.totalCalls) * traffic.spanMs)),
      traceId: n.toString(16).padStart(32, '0'),
      spanId: (n * 7 + 1).toString(16).padStart(16, '0'),
      service: `service-${featureIndex % 5}`,
      feature: FEATURES[featureIndex] ?? '',
      endpoint: ENDPOINTS[featureIndex % ENDPOINTS.length] ?? '',
      userId: `user-${user}`,
      userTier: TIERS[user % TIERS.length] ?? '',
      priority: 'important',
      provider: model.provider,
      requestModel: model.model,
      responseModel: model.model,
      operation: 'chat',
      inputTokens,
      cacheReadInputTokens: cached,
      cacheWriteInputTokens: 0,
      outputTokens,
      reasoningTokens: 0,
      costStatus: 'priced',
      pricedModel: model.model,
      priceVersion: `catalog:${model.model}@2026-01-01`,
      freshInputCostUsd: fresh,
      cacheReadCostUsd: cacheRead,
      cacheWriteCostUsd: 0n,
      outputCostUsd: output,
      totalCostUsd: fresh + cacheRead + output,
      status: failed ? 'error' : 'ok',
      errorType: failed ? 'rate_limit' : '',
      attempt: next() < 0.03 ? 2 : 1,
      batch: false,
      maxTokens: 1024,
      finishReason: 'stop',
      promptPrefixHash: '',
      latencyMs: 300 + Math.floor(next() * 2_000),
      timeToFirstTokenMs: null,
      attributes: { 'deployment.environment': 'production' },
    };
  }
  return calls;
}
