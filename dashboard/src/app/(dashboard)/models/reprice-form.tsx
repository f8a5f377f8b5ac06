'use client';

import { RefreshCw } from 'lucide-react';
import Link from 'next/link';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import type { RepriceJobAnswer } from '@/lib/api/types';
import { count } from '@/lib/format';
import { addPriceHref } from '@/lib/shape/models';
import { REPRICE_ALREADY_RUNNING } from '@/lib/shape/reprice';
import { RepriceJobProgress } from '../reprice-job-progress';
import { repriceRange, type RepriceState } from './actions';

/** The re-price button for the page's range, the job's progress below it, then its summary (or the refusal). */
export function RepriceForm({ from, to }: { from: string; to: string }) {
  const [state, action, pending] = useActionState<RepriceState, FormData>(repriceRange, { status: 'idle' });
  return (
    <form action={action} className="grid gap-3">
      <input type="hidden" name="from" value={from} />
      <input type="hidden" name="to" value={to} />
      <div>
        <Button type="submit" variant="secondary" disabled={pending}>
          <RefreshCw className={pending ? 'animate-spin' : undefined} aria-hidden="true" />
          {pending ? 'Starting…' : 'Re-price this range'}
        </Button>
      </div>
      {state.status === 'started' ? (
        <RepriceJobProgress key={state.at} initial={state.job} note={state.alreadyRunning ? REPRICE_ALREADY_RUNNING : undefined} done={(job) => <RepriceSummary job={job} />} />
      ) : null}
      <div aria-live="polite">
        {state.status === 'error' ? (
          <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 p-3 text-sm">
            Re-pricing failed: {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}

/** A finished job: what changed, and the models still without a price, each a link to add one. */
function RepriceSummary({ job }: { job: RepriceJobAnswer }) {
  return (
    <div className="rounded-md border border-success/40 bg-success/10 p-3 text-sm" data-testid="reprice-answer">
      <p>
        Examined <strong className="tabular">{count(job.examined)}</strong> call{job.examined === 1 ? '' : 's'}; the cost of <strong className="tabular">{count(job.changed)}</strong>{' '}
        changed.
        {job.changed === 0 && job.examined > 0 ? ' They already had the prices in force.' : ' The figures on this page now show the new costs.'}
      </p>
      {job.unpricedModels.length > 0 ? (
        <p className="mt-1">
          Still without a price:{' '}
          {job.unpricedModels.map((model, index) => (
            <span key={model}>
              {index > 0 ? ', ' : ''}
              <Link href={addPriceHref(model)} className="font-mono text-xs text-primary underline underline-offset-4">
                {model}
              </Link>
            </span>
          ))}
          .
        </p>
      ) : null}
    </div>
  );
}
