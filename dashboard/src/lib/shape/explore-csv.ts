import type { CostDimension, CostRow } from '../api/types';
import { csvLine } from '../csv';

/**
 * An Explore view's groups as CSV: one column per dimension, then the API's figures, money as its
 * exact decimal strings (a spreadsheet sums them to the cent). A cost with unpriced calls is a
 * floor; `unpriced_calls` says so. Lines end with CRLF (RFC 4180).
 */
export function exploreCsv(rows: readonly CostRow[], groupBy: readonly CostDimension[]): string {
  const header = [
    ...groupBy,
    'cost_usd',
    'calls',
    'failed_calls',
    'unpriced_calls',
    'cost_per_successful_call_usd',
    'input_tokens',
    'cached_input_tokens',
    'output_tokens',
  ];
  const lines = rows.map((row) =>
    csvLine([
      ...groupBy.map((dimension) => row[dimension] ?? ''),
      row.costUsd,
      row.requests,
      row.errors,
      row.unpricedRequests,
      row.costPerSuccessUsd,
      row.inputTokens,
      row.cachedInputTokens,
      row.outputTokens,
    ]),
  );
  return `${[csvLine(header), ...lines].join('\r\n')}\r\n`;
}
