import { money } from '@/lib/format';

/**
 * A cost in a table cell that may include unpriced calls, on two short lines so narrow columns
 * stay narrow: the amount (or "Unpriced" when no call had a price: never a plain $0) and, below,
 * the unpriced calls the amount leaves out. `testId` marks the amount, for browser tests.
 */
export function CostCell({ costUsd, unpricedRequests, requests, testId }: { costUsd: string; unpricedRequests: number; requests: number; testId?: string }) {
  const allUnpriced = unpricedRequests > 0 && unpricedRequests >= requests;
  return (
    <span className="inline-flex flex-col items-end leading-tight">
      <span data-testid={testId} className={allUnpriced ? 'font-medium' : undefined}>
        {allUnpriced ? 'Unpriced' : money(costUsd)}
      </span>
      {unpricedRequests > 0 ? (
        <span className="text-xs text-muted-foreground">
          {allUnpriced ? `${unpricedRequests.toLocaleString('en-US')} call${unpricedRequests === 1 ? '' : 's'}, no price` : `+ ${unpricedRequests.toLocaleString('en-US')} unpriced`}
        </span>
      ) : null}
    </span>
  );
}
