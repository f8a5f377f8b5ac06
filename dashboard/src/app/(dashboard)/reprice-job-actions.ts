'use server';

import { cookies } from 'next/headers';
import { CostscopeApiError, api } from '@/lib/api/client';
import type { RepriceJobAnswer } from '@/lib/api/types';
import { SESSION_COOKIE, isValidSessionToken } from '@/lib/server/session';

/**
 * A re-pricing job's progress, asked about once a second by the forms that started it (settings'
 * price section and /models). `retry` says whether asking again can help: the server was
 * unreachable or busy, as opposed to a job that is gone or a key that may not read it.
 */
export type RepriceJobFollow = { status: 'ok'; job: RepriceJobAnswer } | { status: 'error'; message: string; retry: boolean };

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function followRepriceJob(jobId: string): Promise<RepriceJobFollow> {
  // The proxy refuses actions without a session; checked again here, as every action should be.
  if (!(await isValidSessionToken((await cookies()).get(SESSION_COOKIE)?.value))) {
    return { status: 'error', message: 'Your session has ended: sign in again to follow the re-price.', retry: false };
  }
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) return { status: 'error', message: 'That is not a re-pricing job.', retry: false };
  try {
    return { status: 'ok', job: await api.repriceJob(jobId) };
  } catch (error) {
    if (CostscopeApiError.isInstance(error)) {
      const retry = error.status === undefined || error.status === 429 || error.status >= 500;
      return { status: 'error', message: retry ? `${error.message} Still asking…` : error.message, retry };
    }
    throw error;
  }
}
