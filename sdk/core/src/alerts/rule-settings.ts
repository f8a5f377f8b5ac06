import { z } from 'zod';

const usdAmount = z
  .string()
  .regex(/^\d+(?:\.\d{1,6})?$/, 'a non-negative decimal USD amount with at most 6 decimals, as a string');
const percent = z.number().positive().max(10_000);

/**
 * The alert rules of a project, with the article's defaults (strategy 5). The settings API
 * (`PUT /api/v1/settings/rules`) validates with this schema; every field has a default so a
 * project starts with the article's rules switched on.
 */
export const alertRulesSchema = z.object({
  /** How often a rule that still holds is re-sent; the resolved message goes out once. */
  repeatIntervalMinutes: z.number().int().min(5).max(10_080).default(240),
  dailySpendSpike: z
    .object({
      enabled: z.boolean().default(true),
      /** Fires when today's spend so far is over this share of the trailing average. */
      thresholdPercent: percent.default(120),
      baselineDays: z.number().int().min(1).max(31).default(7),
      /**
       * No alert while the trailing daily average is below this: a feature with $0.02 of
       * history doubling to $0.05 should not page anyone.
       */
      minBaselineUsd: usdAmount.default('1.00'),
      perFeature: z.boolean().default(true),
    })
    .prefault({}),
  featureAllocation: z
    .object({
      enabled: z.boolean().default(true),
      /** A warning at this share of the monthly allocation; firing at 100%. */
      warnAtPercent: percent.max(100).default(80),
      /** Warn early when the month-end forecast exceeds the allocation. */
      forecastWarning: z.boolean().default(true),
      /** No forecast before this many days of the month have passed: one day is too noisy. */
      forecastMinDays: z.number().min(0).max(28).default(3),
    })
    .prefault({}),
  errorRate: z
    .object({
      enabled: z.boolean().default(true),
      /** Fires when errors are over this share of calls (the article: 2%). */
      thresholdPercent: percent.max(100).default(2),
      /** Too few calls make a rate meaningless: 1 failure in 10 calls is not an incident. */
      minCalls: z.number().int().min(1).default(100),
      windowMinutes: z.number().int().min(5).max(10_080).default(60),
    })
    .prefault({}),
  outputTokenDrift: z
    .object({
      enabled: z.boolean().default(true),
      /** Fires when recent output tokens per call are over the baseline by more than this. */
      thresholdPercent: percent.default(20),
      recentHours: z.number().int().min(1).max(168).default(24),
      baselineDays: z.number().int().min(1).max(31).default(7),
      minCalls: z.number().int().min(1).default(50),
    })
    .prefault({}),
  inputTokenOutlier: z
    .object({
      enabled: z.boolean().default(true),
      /**
       * One request over this many input tokens (the article's pasted 50,000-word document is
       * about 65,000 tokens) is worth a look even when the totals are fine.
       */
      maxInputTokens: z.number().int().min(1).default(50_000),
    })
    .prefault({}),
  userSpendSpike: z
    .object({
      enabled: z.boolean().default(true),
      /** Fires when a user's spend today is over this multiple of their usual daily spend. */
      multiple: z.number().min(1).default(5),
      baselineDays: z.number().int().min(1).max(31).default(7),
      /** Ignore users whose spend today is below this. */
      minUsd: usdAmount.default('5.00'),
    })
    .prefault({}),
  costPerSuccess: z
    .object({
      enabled: z.boolean().default(true),
      /** Fires when cost per successful response rose by more than this against the baseline. */
      thresholdPercent: percent.default(25),
      recentHours: z.number().int().min(1).max(168).default(24),
      baselineDays: z.number().int().min(1).max(31).default(7),
      minSuccesses: z.number().int().min(1).default(50),
    })
    .prefault({}),
});

export type AlertRules = z.output<typeof alertRulesSchema>;
export type AlertRulesInput = z.input<typeof alertRulesSchema>;

/** The article's rules with their defaults. */
export function defaultAlertRules(): AlertRules {
  return alertRulesSchema.parse({});
}

/** A feature's monthly cost allocation (`PUT /api/v1/settings/allocations`). */
export const featureAllocationSchema = z.object({
  feature: z.string().trim().min(1).max(200),
  monthlyUsd: usdAmount,
});
export const featureAllocationsSchema = z
  .array(featureAllocationSchema)
  .max(10_000)
  .superRefine((allocations, ctx) => {
    const seen = new Set<string>();
    allocations.forEach((allocation, index) => {
      if (seen.has(allocation.feature)) {
        ctx.addIssue({ code: 'custom', path: [index, 'feature'], message: `feature "${allocation.feature}" is listed twice` });
      }
      seen.add(allocation.feature);
    });
  });
export type FeatureAllocation = z.output<typeof featureAllocationSchema>;

/**
 * The project's monthly budget (`PUT /api/v1/settings/budget`): what all its features together may
 * spend in a month, in USD; `null` for none. Load shedding and the allocation alert hold the
 * whole project to it, beside each feature's own allocation.
 */
export const projectBudgetSchema = z.object({ monthlyUsd: usdAmount.nullable() });
export type ProjectBudget = z.output<typeof projectBudgetSchema>;
