/**
 * Span attributes of the guards' decisions (beside core's `costscope.guard.blocked`,
 * `estimated_input_tokens` and `max_input_tokens`).
 */
/** How `maxInputTokens` counted: `o200k_base`, `cl100k_base` or `chars/4`. */
export const ATTR_GUARD_INPUT_TOKEN_COUNTER = 'costscope.guard.input_token_counter';
/** The user's calls per UTC day that the tier allows (on a call refused by it). */
export const ATTR_GUARD_DAILY_REQUESTS_LIMIT = 'costscope.guard.daily_requests_limit';
/** The feature's budget as load shedding saw it, when not `within`: `spent` or `unknown`. */
export const ATTR_GUARD_BUDGET = 'costscope.guard.budget';
/** Which budget is spent when `costscope.guard.budget` is `spent`: `feature` (its allocation) or `project` (the monthly budget). */
export const ATTR_GUARD_SPENT_BUDGET = 'costscope.guard.spent_budget';
/** What load shedding did with the call when the budget was not `within`: `run`, `waited` or `refused`. */
export const ATTR_GUARD_SHEDDING = 'costscope.guard.shedding';
/** How many times an `important` call waited for the budget. */
export const ATTR_GUARD_SHEDDING_WAITS = 'costscope.guard.shedding_waits';
