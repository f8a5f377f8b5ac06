import { CostscopeError } from '@costscope/core';

/** A setting that cannot be used as written; the message names the option and the variable. */
export class CostscopeConfigError extends CostscopeError {
  override readonly name = 'CostscopeConfigError';
}

/**
 * Thrown by an instrumented call that the `maxInputTokens` guard stopped before it was sent.
 * Nothing was sent to the provider and nothing was billed.
 */
export class CostscopeInputTooLargeError extends CostscopeError {
  override readonly name = 'CostscopeInputTooLargeError';
  readonly estimatedInputTokens: number;
  readonly maxInputTokens: number;
  readonly model: string | undefined;

  constructor(estimatedInputTokens: number, maxInputTokens: number, model: string | undefined) {
    super(
      `Costscope blocked a ${model ?? 'model'} request of about ${estimatedInputTokens} input tokens: over maxInputTokens (${maxInputTokens})`,
    );
    this.estimatedInputTokens = estimatedInputTokens;
    this.maxInputTokens = maxInputTokens;
    this.model = model;
  }
}

/**
 * Why a guard refused a call: `daily_requests` (the user's tier allows no more calls today),
 * `budget_spent` (the feature's monthly allocation or the project's monthly budget is spent, as
 * `spentBudget` says, and the call's priority is `optional`, or `important` and still spent after
 * its waits) or `budget_unknown` (the budget state could not be read and `whenUnreachable` is `deny`).
 */
export type CostscopeLimitKind = 'daily_requests' | 'budget_spent' | 'budget_unknown';

/**
 * Thrown by an instrumented call that a per-user daily limit or load shedding refused before it
 * was sent. Nothing was sent to the provider and nothing was billed.
 */
export class CostscopeLimitError extends CostscopeError {
  override readonly name = 'CostscopeLimitError';
  readonly kind: CostscopeLimitKind;
  /** `daily_requests`: the tier's calls per UTC day. */
  readonly limit: number | undefined;
  readonly userId: string | undefined;
  readonly userTier: string | undefined;
  readonly feature: string | undefined;
  readonly priority: string | undefined;
  /** `budget_spent`: `project` when the project's monthly budget is spent, `feature` when only the feature's allocation is. */
  readonly spentBudget: 'feature' | 'project' | undefined;

  constructor(
    kind: CostscopeLimitKind,
    details: { limit?: number; userId?: string; userTier?: string; feature?: string; priority?: string; spentBudget?: 'feature' | 'project' | undefined },
  ) {
    super(limitMessage(kind, details));
    this.kind = kind;
    this.limit = details.limit;
    this.userId = details.userId;
    this.userTier = details.userTier;
    this.feature = details.feature;
    this.priority = details.priority;
    this.spentBudget = details.spentBudget;
  }
}

function limitMessage(
  kind: CostscopeLimitKind,
  details: { limit?: number; userTier?: string; feature?: string; priority?: string; spentBudget?: 'feature' | 'project' | undefined },
): string {
  if (kind === 'daily_requests') {
    return `Costscope refused a call: the user reached the ${details.userTier ?? ''} tier's ${details.limit ?? ''} requests for today (UTC)`;
  }
  const feature = details.feature === undefined ? 'the project' : `feature "${details.feature}"`;
  if (kind === 'budget_spent' && details.spentBudget === 'project') return `Costscope shed this ${shedPriority(details.priority)}call: the project's monthly budget is spent`;
  if (kind === 'budget_spent') return `Costscope shed this ${shedPriority(details.priority)}call: the monthly allocation of ${feature} is spent`;
  return `Costscope refused this ${shedPriority(details.priority)}call: the budget state of ${feature} cannot be read and whenUnreachable is "deny"`;
}

/** "optional " / "important " before "call", or nothing when the call had no priority. */
function shedPriority(priority: string | undefined): string {
  return priority ? `${priority} ` : '';
}
