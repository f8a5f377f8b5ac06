'use client';

import { RefreshCw } from 'lucide-react';
import Link from 'next/link';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { count } from '@/lib/format';
import { addPriceHref } from '@/lib/shape/models';
import { repriceRange, type RepriceState } from './actions';

/** The re-price button for the page's range, and the server's answer (or its refusal) below it. */
export function RepriceForm({ from, to }: { from: string; to: string }) {
  const [state, action, pending] = useActionState<RepriceState, FormData>(repriceRange, { status: 'idle' });
  return (
    <form action={action} className="grid gap-3">
      <input type="hidden" name="from" value={from} />
      <input type="hidden" name="to" value={to} />
      <div>
        <Button type="submit" variant="secondary" disabled={pending}>
          <RefreshCw className={pending ? 'animate-spin' : undefined} aria-hidden="true" />
          {pending ? 'Re-pricing…' : 'Re-price this range'}
        </Button>
      </div>
      <div aria-live="polite">
        {state.status === 'done' ? (
          <div className="rounded-md border border-success/40 bg-success/10 p-3 text-sm" data-testid="reprice-answer">
            <p>
              Examined <strong className="tabular">{count(state.examined)}</strong> call{state.examined === 1 ? '' : 's'}; the cost of{' '}
              <strong className="tabular">{count(state.changed)}</strong> changed.
              {state.changed === 0 && state.examined > 0 ? ' They already had the prices in force.' : ' The figures on this page now show the new costs.'}
            </p>
            {state.unpricedModels.length > 0 ? (
              <p className="mt-1">
                Still without a price:{' '}
                {state.unpricedModels.map((model, index) => (
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
        ) : null}
        {state.status === 'error' ? (
          <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 p-3 text-sm">
            Re-pricing failed: {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
