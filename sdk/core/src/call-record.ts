import type { UsdAtto } from './pricing/money.js';

/** Whether a call's cost came from the catalog, from the caller (`costscope.cost.usd`), or is unknown. */
export type CostStatus = 'priced' | 'reported' | 'unpriced';

/** `ok` or `error`: the call failed when the span's status is ERROR or it carries `error.type`. */
export type CallStatus = 'ok' | 'error';

/**
 * One LLM call as Costscope stores it: the contract between the ingest (which builds it from a
 * span of any dialect and prices it) and storage (one row of `llm_calls`). Strings a span did
 * not carry are `''`, never `undefined`, so rows group cleanly.
 */
export type LlmCallRecord = {
  projectId: string;
  /** The span's start time: history may arrive late (backfills, demo data). */
  time: Date;
  /** Lower-case hex, 32 characters. With `spanId`, the identity that makes resends count once. */
  traceId: string;
  /** Lower-case hex, 16 characters. */
  spanId: string;
  service: string;
  feature: string;
  endpoint: string;
  userId: string;
  userTier: string;
  /** `critical|important|optional`, or `''`. */
  priority: string;
  provider: string;
  requestModel: string;
  responseModel: string;
  /** `gen_ai.operation.name`: `chat`, `embeddings`, `text_completion`… */
  operation: string;

  /** Every input token, cache reads and writes included (the GenAI conventions' rule). */
  inputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  /** Every output token, reasoning included. */
  outputTokens: number;
  reasoningTokens: number;

  costStatus: CostStatus;
  /** The catalog or override id the price came from (`''` when unpriced). */
  pricedModel: string;
  /** `catalog:gpt-5@2025-08-07`, `override:…`, `reported`, or `''` when unpriced. */
  priceVersion: string;
  freshInputCostUsd: UsdAtto;
  cacheReadCostUsd: UsdAtto;
  cacheWriteCostUsd: UsdAtto;
  outputCostUsd: UsdAtto;
  /** The sum of the four parts; for `reported` costs, the caller's figure. Zero when unpriced. */
  totalCostUsd: UsdAtto;

  status: CallStatus;
  errorType: string;
  /** 1 for the first try; retries count up. */
  attempt: number;
  batch: boolean;
  /** `max_tokens` the request asked for; `null` when it set none. */
  maxTokens: number | null;
  /** The first finish reason (`stop`, `length`, `end_turn`…), or `''`. */
  finishReason: string;
  promptPrefixHash: string;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  /** Other span attributes worth keeping, stringified. Never prompt or completion text. */
  attributes: Record<string, string>;
};
