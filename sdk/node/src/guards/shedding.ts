import type { CostscopePriority } from '../types.js';
import type { BudgetVerdict } from './budget-state.js';

export type SheddingAction = 'run' | 'wait' | 'refuse';

/**
 * The article's load shedding by priority: `critical` always runs (so does a call with no
 * priority: only what the app marked may be shed); with the budget spent, `important` waits and
 * asks again (up to `maxWaits` times, then it is refused) and `optional` is refused; with the
 * budget unknown, the app's `whenUnreachable` policy decides for both.
 */
export function sheddingAction(
  priority: CostscopePriority | undefined,
  budget: BudgetVerdict,
  policy: { whenUnreachable: 'allow' | 'deny'; maxWaits: number },
  waitsSoFar: number,
): SheddingAction {
  if (priority === undefined || priority === 'critical' || budget === 'within') return 'run';
  if (budget === 'unknown') return policy.whenUnreachable === 'allow' ? 'run' : 'refuse';
  if (priority === 'important' && waitsSoFar < policy.maxWaits) return 'wait';
  return 'refuse';
}
