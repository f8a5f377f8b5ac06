import { weekSpendParts } from '@/lib/shape/weekly';

/**
 * A week's spend with its unpriced calls on a line of their own, smaller: the amount stays easy
 * to read and compare, and a total that leaves calls out never reads as the whole bill.
 */
export function SpendFigure({ usd, unpriced, requests, testId }: { usd: string; unpriced: number; requests: number; testId?: string }) {
  const { amount, note } = weekSpendParts(usd, unpriced, requests);
  return (
    <span className="inline-flex flex-col">
      <span data-testid={testId} className={requests === 0 ? 'text-muted-foreground' : undefined}>
        {amount}
      </span>
      {note ? <span className="text-xs font-normal text-muted-foreground">{note}</span> : null}
    </span>
  );
}
