import 'server-only';
import { CostscopeApiError, api } from '../api/client';
import type { RepriceJobAnswer } from '../api/types';

export type RepriceStart = { job: RepriceJobAnswer; alreadyRunning: boolean };

/**
 * Asks the server to re-price a range: a queued job, or, when the project already has one running
 * (409), that job, so the form follows it instead of only refusing.
 */
export async function startRepriceJob(range: { from: string; to: string }): Promise<RepriceStart> {
  try {
    return { job: await api.reprice(range), alreadyRunning: false };
  } catch (error) {
    if (CostscopeApiError.isInstance(error) && error.status === 409 && error.runningJobId) {
      return { job: await api.repriceJob(error.runningJobId), alreadyRunning: true };
    }
    throw error;
  }
}
