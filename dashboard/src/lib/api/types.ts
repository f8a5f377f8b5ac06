/**
 * The shapes of the server's JSON answers the dashboard reads (see docs/api.md and `/api/docs`).
 * Money is always an exact decimal string; parse it with core's `parseUsd`, never `Number()`,
 * unless a chart is all it is for.
 */
export const COST_DIMENSIONS = ['feature', 'endpoint', 'model', 'provider', 'user', 'userTier', 'service', 'status'] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];

export type CostFigures = {
  costUsd: string;
  requests: number;
  errors: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  unpricedRequests: number;
  costPerSuccessUsd: string | null;
};

export type CostRow = CostFigures & Partial<Record<CostDimension, string>> & { bucket?: string };

export type CostsAnswer = {
  from: string;
  to: string;
  groupBy: CostDimension[];
  interval: 'hour' | 'day' | 'week' | null;
  timezone: string;
  source: 'raw' | 'rollup';
  truncated: boolean;
  rows: CostRow[];
  totals: CostFigures;
};

export type CostsQuery = {
  from: Date | string;
  to: Date | string;
  groupBy?: readonly CostDimension[];
  interval?: 'hour' | 'day' | 'week';
  limit?: number;
  filters?: Partial<Record<CostDimension, readonly string[]>>;
};

export type ProjectAnswer = { projectId: string; timezone: string; retentionDays: number };

export type AlertDelivery = {
  deliveryId: string;
  deliveryKey: string;
  channel: string;
  messageKind: 'fired' | 'repeat' | 'escalated' | 'resolved';
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  error: string | null;
  providerMessageId: string | null;
  createdAt: string;
  updatedAt: string;
};

export type AlertEpisode = {
  episodeId: string;
  /** `dailySpendSpike`, `featureAllocation`, `errorRate`, `outputTokenDrift`… */
  rule: string;
  /** `project`, or the scope's dimensions as URL parameters: `feature=search&endpoint=%2Fapi%2Fsearch`. */
  scope: string;
  status: 'firing' | 'resolved';
  severity: 'warning' | 'critical';
  startedAt: string;
  resolvedAt: string | null;
  lastNotifiedAt: string | null;
  values: Record<string, unknown>;
  deliveries?: AlertDelivery[];
};

export type WeeklyReportAnswer = {
  week: string;
  weekStartDay: string;
  timezone: string;
  thisWeekUsd: string;
  lastWeekUsd: string;
  costPerSuccess: { thisWeekUsd: string | null; lastWeekUsd: string | null };
  features: Array<{
    feature: string;
    thisWeekUsd: string;
    lastWeekUsd: string;
    changeUsd: string;
    thisWeekRequests: number;
    lastWeekRequests: number;
    thisWeekCostPerSuccessUsd: string | null;
  }>;
  topMovers: Array<{ feature: string; changeUsd: string }>;
  alerts: AlertEpisode[];
  /** The week's three largest savings, as `/api/v1/insights` gives them over the report's range. */
  topInsights: Insight[];
};

/** The article's seven cost strategies, as `/api/v1/insights` names them. */
export type InsightStrategy = 'prompt-caching' | 'response-caching' | 'batching' | 'model-routing' | 'output-caps' | 'prompt-trimming' | 'fine-tuning';

/** One savings opportunity: where (feature, endpoint or model), the evidence, and the dollars a month. */
export type Insight = {
  /** Stable: `strategy:feature[:endpoint|model]`. */
  id: string;
  strategy: InsightStrategy;
  title: string;
  feature: string;
  /** '' when the insight is not about one endpoint. */
  endpoint: string;
  /** '' when the insight is not about one model. */
  model: string;
  evidence: {
    summary: string;
    /** Counts as numbers; money, ratios and anything exact as strings. */
    figures: Record<string, number | string>;
    from: string;
    to: string;
  };
  monthlySavingUsd: string;
  confidence: 'high' | 'medium' | 'low';
  caveat: string;
};

export type InsightsAnswer = {
  from: string;
  to: string;
  /** The range's spend scaled to 30 days: the projection's start. */
  monthlySpendUsd: string;
  /** Largest monthly saving first. */
  insights: Insight[];
  /** The article's "putting it all together": strategies applied in order, each on what the previous left. */
  projection: {
    startUsd: string;
    steps: Array<{ strategy: InsightStrategy; savingUsd: string; remainingUsd: string }>;
    endUsd: string;
  };
};

export type PriceAnswer = {
  model: string;
  displayName: string;
  provider: string;
  tier: string | null;
  source: string;
  priceVersion: string;
  effectiveFrom: string;
  inputPerMillionUsd: string | null;
  cachedInputPerMillionUsd: string | null;
  cacheWritePerMillionUsd: string | null;
  outputPerMillionUsd: string | null;
  batchDiscountPercent: number | null;
};

export type PricesAnswer = {
  at: string;
  prices: PriceAnswer[];
  unpricedModels: Array<{ model: string; requests: number; lastSeen: string }>;
};

/** A re-pricing job as `POST /api/v1/prices/reprice` (202) and `GET /api/v1/prices/reprice/:jobId` answer it. */
export type RepriceJobAnswer = {
  jobId: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  /** The range re-priced, widened to whole UTC hours. */
  from: string;
  to: string;
  hoursDone: number;
  hoursTotal: number;
  /** Calls priced again so far; can pass `callsTotal` when calls arrive in the range meanwhile. */
  examined: number;
  callsTotal: number;
  changed: number;
  unpricedModels: string[];
  /** Why a failed job stopped; null otherwise. */
  error: string | null;
  createdAt: string;
  updatedAt: string;
};

export type SettingKind = 'allocations' | 'budget' | 'rules' | 'channels' | 'prices';
export type SettingAnswer<T = unknown> = { kind: SettingKind; version: number; updatedAt: string | null; value: T };
export type FeatureAllocationSetting = { feature: string; monthlyUsd: string };

/** What a key may do (DESIGN "Key scopes"); each includes the ones before it. */
export const KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** `keyPrefix`: `cs_` and 4 characters of a generated key, `sha256:` and 8 hex of an operator-chosen one. */
export type ApiKeyAnswer = { keyId: string; name: string; keyPrefix: string; scope: KeyScope; createdAt: string; revokedAt: string | null };
export type CreatedKeyAnswer = ApiKeyAnswer & { key: string };
