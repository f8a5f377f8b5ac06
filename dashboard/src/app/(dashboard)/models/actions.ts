'use server';

import { cookies } from 'next/headers';
import { CostscopeApiError } from '@/lib/api/client';
import type { RepriceJobAnswer } from '@/lib/api/types';
import { startRepriceJob } from '@/lib/server/reprice-job';
import { SESSION_COOKIE, isValidSessionToken } from '@/lib/server/session';

/** `started`: the job the server queued, or the project's job already running (`alreadyRunning`). */
export type RepriceState =
  | { status: 'idle' }
  | { status: 'started'; job: RepriceJobAnswer; alreadyRunning: boolean; at: number }
  | { status: 'error'; message: string };

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Why the server refused, in words a person can act on. */
function refusal(error: CostscopeApiError): string {
  if (error.status === 400 && error.parameter === 'body.from') {
    return `Only calls within the raw retention can be re-priced, and this range starts earlier. Pick a more recent range. (${error.message})`;
  }
  return error.message;
}

/**
 * Starts applying the prices in force now (the catalog with this project's overrides) to the
 * calls already stored in the page's range; the form follows the job and refreshes the page's
 * figures when it is done.
 */
export async function repriceRange(_previous: RepriceState, form: FormData): Promise<RepriceState> {
  // The proxy refuses actions without a session; checked again here, as every write should be.
  if (!(await isValidSessionToken((await cookies()).get(SESSION_COOKIE)?.value))) {
    return { status: 'error', message: 'Your session has ended: sign in again to re-price.' };
  }
  const from = form.get('from');
  const to = form.get('to');
  if (typeof from !== 'string' || typeof to !== 'string' || !INSTANT.test(from) || !INSTANT.test(to) || Date.parse(from) >= Date.parse(to)) {
    return { status: 'error', message: 'The range to re-price is not readable; reload the page and try again.' };
  }
  try {
    const { job, alreadyRunning } = await startRepriceJob({ from, to });
    return { status: 'started', job, alreadyRunning, at: Date.now() };
  } catch (error) {
    if (CostscopeApiError.isInstance(error)) return { status: 'error', message: refusal(error) };
    throw error;
  }
}
