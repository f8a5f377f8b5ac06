import { z } from 'zod';
import { KEY_SCOPES } from '../auth/key-scope.js';
import { SERVER_ROLES } from '../config/server-config.js';
import { COST_DIMENSIONS } from '../storage/query-support.js';

/**
 * The shapes of the API's answers, as zod schemas. Handlers declare their return type from these
 * (`Promise<z.output<typeof costsResponseSchema>>`), so the compiler holds each answer to its
 * schema, and `openapi-document.ts` renders the same schemas into `/api/docs`: one source for
 * what is answered and what is documented.
 */

const money = z.string().describe('Exact USD as a decimal string (JSON numbers would round): "362.50", "0.005772"');
const instant = z.iso.datetime({ offset: true });

export const costFiguresSchema = z.object({
  costUsd: money,
  requests: z.number().int(),
  errors: z.number().int(),
  inputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  outputTokens: z.number().int(),
  unpricedRequests: z.number().int().describe('Calls of a model no price applied to: costUsd is then a floor, not the bill'),
  costPerSuccessUsd: money.nullable(),
});

export const costsResponseSchema = z.object({
  from: instant,
  to: instant,
  groupBy: z.array(z.string()),
  interval: z.enum(['hour', 'day', 'week']).nullable(),
  timezone: z.string().optional(),
  source: z.enum(['raw', 'rollup']),
  truncated: z.boolean(),
  rows: z.array(
    costFiguresSchema
      .extend({
        ...Object.fromEntries(COST_DIMENSIONS.map((dimension) => [dimension, z.string().optional()])),
        bucket: instant.optional(),
      })
      .describe('The group keys asked for (feature, model…) and `bucket` when an interval is given, plus the figures'),
  ),
  totals: costFiguresSchema,
});

export const projectResponseSchema = z.object({ projectId: z.string(), timezone: z.string(), retentionDays: z.number().int() });

export const alertDeliverySchema = z.object({
  deliveryId: z.string(),
  deliveryKey: z.string(),
  channel: z.string(),
  messageKind: z.enum(['fired', 'repeat', 'escalated', 'resolved']),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  error: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
});

export const alertEpisodeSchema = z.object({
  episodeId: z.string(),
  rule: z.string(),
  scope: z.string(),
  status: z.enum(['firing', 'resolved']),
  severity: z.enum(['warning', 'critical']),
  startedAt: instant,
  resolvedAt: instant.nullable(),
  lastNotifiedAt: instant.nullable(),
  values: z.record(z.string(), z.unknown()),
});

export const alertWithDeliveriesSchema = alertEpisodeSchema.extend({ deliveries: z.array(alertDeliverySchema) });
export const alertsResponseSchema = z.object({ alerts: z.array(alertWithDeliveriesSchema) });

export const insightSchema = z.object({
  id: z.string().describe('Stable: `strategy:feature:model`'),
  strategy: z.enum(['prompt-caching', 'response-caching', 'batching', 'model-routing', 'output-caps', 'prompt-trimming', 'fine-tuning']),
  title: z.string(),
  feature: z.string(),
  endpoint: z.string().describe("'' when not about one endpoint"),
  model: z.string().describe("'' when not about one model"),
  evidence: z.object({
    summary: z.string(),
    figures: z.record(z.string(), z.union([z.number(), z.string()])).describe('Counts as numbers, money as exact strings'),
    from: instant,
    to: instant,
  }),
  monthlySavingUsd: money.describe('The saving at the range’s pace over 30 days, priced with the catalog'),
  confidence: z.enum(['high', 'medium', 'low']),
  caveat: z.string(),
});

export const insightsResponseSchema = z.object({
  from: instant,
  to: instant,
  monthlySpendUsd: money.describe('The range’s spend at the same pace over 30 days: the projection’s start'),
  insights: z.array(insightSchema).describe('Largest monthly saving first'),
  projection: z.object({
    startUsd: money,
    steps: z.array(z.object({ strategy: insightSchema.shape.strategy, savingUsd: money, remainingUsd: money })),
    endUsd: money,
  }).describe('The strategies applied in the article’s order, each to what the previous ones left'),
});

export const weeklyReportResponseSchema = z.object({
  week: z.string(),
  weekStartDay: z.string(),
  timezone: z.string(),
  thisWeekUsd: money,
  lastWeekUsd: money,
  costPerSuccess: z.object({ thisWeekUsd: money.nullable(), lastWeekUsd: money.nullable() }),
  features: z.array(
    z.object({
      feature: z.string(),
      thisWeekUsd: money,
      lastWeekUsd: money,
      changeUsd: money,
      thisWeekRequests: z.number().int(),
      lastWeekRequests: z.number().int(),
      thisWeekCostPerSuccessUsd: money.nullable(),
    }),
  ),
  topMovers: z.array(z.object({ feature: z.string(), changeUsd: money })),
  alerts: z.array(alertEpisodeSchema),
  topInsights: z.array(insightSchema).describe('The three largest savings insights of the 30 days ending with the week'),
});

export const modelPriceSchema = z.object({
  model: z.string(),
  displayName: z.string(),
  provider: z.string(),
  tier: z.string().nullable(),
  source: z.enum(['catalog', 'override']),
  priceVersion: z.string(),
  effectiveFrom: instant,
  inputPerMillionUsd: money.nullable(),
  cachedInputPerMillionUsd: money.nullable(),
  cacheWritePerMillionUsd: money.nullable(),
  outputPerMillionUsd: money.nullable(),
  batchDiscountPercent: z.number().nullable(),
});

export const pricesResponseSchema = z.object({
  at: instant,
  prices: z.array(modelPriceSchema),
  unpricedModels: z.array(z.object({ model: z.string(), requests: z.number().int(), lastSeen: instant })),
});

/** A setting as GET and PUT answer it; `value` has the shape of the setting's own schema. */
export function settingResponseSchema(value: z.ZodType) {
  return z.object({ kind: z.string(), version: z.number().int(), updatedAt: instant.nullable(), value });
}

export const channelTestResponseSchema = z.object({
  channel: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).nullable().optional(),
  providerMessageId: z.string().nullable().optional(),
});

export const keyJsonSchema = z.object({
  keyId: z.string(),
  name: z.string(),
  keyPrefix: z.string().describe('To recognise the key: `cs_` and 4 characters of a generated key, `sha256:` and 8 hex of a chosen one'),
  scope: z.enum(KEY_SCOPES),
  createdAt: instant,
  revokedAt: instant.nullable(),
});
export const keyListResponseSchema = z.object({ keys: z.array(keyJsonSchema) });
export const createdKeyResponseSchema = keyJsonSchema.extend({ key: z.string().describe('The key itself: shown in this answer only') });
export const revokedKeyResponseSchema = z.object({ keyId: z.string(), revoked: z.literal(true) });

export const errorResponseSchema = z.object({
  statusCode: z.number().int(),
  error: z.string().optional(),
  parameter: z.string().optional().describe('The parameter or body field that is invalid (400 only)'),
  message: z.string().optional(),
});

export const repriceJobResponseSchema = z.object({
  jobId: z.uuid(),
  state: z.enum(['queued', 'running', 'done', 'failed']),
  from: instant.describe('The range re-priced, widened to whole UTC hours'),
  to: instant,
  hoursDone: z.number().int().describe('Hours of the range finished: calls updated and rollups corrected'),
  hoursTotal: z.number().int(),
  examined: z.number().int().describe('Calls read and priced again so far'),
  callsTotal: z.number().int().describe('Calls in the range when the job began (late arrivals are examined too)'),
  changed: z.number().int().describe('Calls whose cost changed so far'),
  unpricedModels: z.array(z.string()).describe('Models no price applied to: the overrides still to add'),
  error: z.string().nullable().describe('Why a failed job stopped; null otherwise'),
  createdAt: instant,
  updatedAt: instant,
});

export const budgetStateResponseSchema = z.object({
  asOf: instant,
  features: z.array(
    z.object({
      feature: z.string(),
      monthToDateUsd: money,
      allocationUsd: money.describe('The feature\'s monthly allocation (`PUT /api/v1/settings/allocations`)'),
      spent: z.boolean().describe('Month-to-date spend has reached the allocation'),
    }),
  ).describe('Only features with an allocation, in the order of the allocations setting'),
  project: z
    .object({
      monthToDateUsd: money.describe('Every call of the month so far, allocated features or not'),
      budgetUsd: money.describe('The project\'s monthly budget (`PUT /api/v1/settings/budget`)'),
      spent: z.boolean().describe('Month-to-date spend has reached the budget: load shedding applies to every feature'),
    })
    .nullable()
    .describe('The whole project against its monthly budget; null when no budget is set'),
});

export const whatIfResponseSchema = z.object({
  feature: z.string(),
  model: z.string().describe('The model the calls were priced on, as the catalog names it'),
  from: instant,
  to: instant,
  requests: z.number().int().describe('Calls of the feature in the range'),
  comparedRequests: z.number().int().describe('Calls priced both as stored and on the model: the figures below cover these'),
  unpricedRequests: z.number().int().describe('Calls stored without a price: their actual cost is unknown, so they are left out'),
  noPriceOnModelRequests: z.number().int().describe('Calls made before the model had a price: left out'),
  actualCostUsd: money.describe('What the compared calls cost as stored'),
  whatIfCostUsd: money.describe('What the same tokens would have cost on the model'),
  savingsUsd: money.describe('actual − what-if: negative when the model costs more'),
  inputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  cacheWriteInputTokens: z.number().int(),
  outputTokens: z.number().int(),
  priceVersions: z.array(z.string()).describe('The price versions of the model that applied'),
  byModel: z.array(
    z.object({ model: z.string(), requests: z.number().int(), actualCostUsd: money, whatIfCostUsd: money, savingsUsd: money }),
  ),
});

export const importCallsResponseSchema = z.object({
  lines: z.number().int().describe('Calls read from the body'),
  calls: z.number().int().describe('Calls handed to storage; those already stored are not stored again'),
  olderThanRetention: z.number().int().describe('Calls older than this server keeps, skipped'),
});

export const readinessQuerySchema = z.object({
  role: z.enum(SERVER_ROLES).optional().describe('Ask about one role of this process (400 for a role it does not serve)'),
});

const readinessCheckSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  reason: z.string().optional().describe('What is wrong, in plain words: never an address or a stack'),
});

export const readinessResponseSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  storage: z.enum(['embedded', 'http']),
  roles: z.array(z.enum(SERVER_ROLES)),
  checks: z.object({
    ingest: readinessCheckSchema.optional().describe('The spool can take calls (ingest role)'),
    storage: readinessCheckSchema.optional().describe('Storage answers (api and scheduler roles)'),
  }),
});

export type CostsResponse = z.output<typeof costsResponseSchema>;
export type ProjectResponse = z.output<typeof projectResponseSchema>;
export type AlertsResponse = z.output<typeof alertsResponseSchema>;
export type AlertWithDeliveries = z.output<typeof alertWithDeliveriesSchema>;
export type WeeklyReportResponse = z.output<typeof weeklyReportResponseSchema>;
export type PricesResponse = z.output<typeof pricesResponseSchema>;
export type RepriceJobResponse = z.output<typeof repriceJobResponseSchema>;
export type SettingResponse = z.output<ReturnType<typeof settingResponseSchema>>;
export type ChannelTestResponse = z.output<typeof channelTestResponseSchema>;
export type ReadinessResponse = z.output<typeof readinessResponseSchema>;
export type WhatIfResponse = z.output<typeof whatIfResponseSchema>;
export type InsightsResponse = z.output<typeof insightsResponseSchema>;
export type BudgetStateResponse = z.output<typeof budgetStateResponseSchema>;
export type ImportCallsResponse = z.output<typeof importCallsResponseSchema>;
