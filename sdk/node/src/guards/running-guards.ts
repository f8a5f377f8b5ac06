import type { CostscopeSettings } from '../types.js';
import { BudgetStateCache } from './budget-state.js';
import { DailyRequestCounter } from './daily-requests.js';

/** The guards' state for one running instance: per-user counts and the cached budget state. */
export interface RunningGuards {
  dailyRequests: DailyRequestCounter | undefined;
  budget: BudgetStateCache | undefined;
  /** Settles once the first budget read is done (or at once without load shedding). */
  ready: Promise<void>;
  stop(): void;
}

export function startGuards(settings: CostscopeSettings): RunningGuards {
  const dailyRequests = settings.dailyRequestsByTier === undefined ? undefined : new DailyRequestCounter(settings.dailyRequestsByTier);
  let budget: BudgetStateCache | undefined;
  let ready = Promise.resolve();
  if (settings.loadShedding !== undefined) {
    budget = new BudgetStateCache(`${settings.loadShedding.serverUrl}/api/v1/budget-state`, settings.apiKey);
    ready = budget.start(settings.loadShedding.refreshIntervalMs);
  }
  return { dailyRequests, budget, ready, stop: () => budget?.stop() };
}
