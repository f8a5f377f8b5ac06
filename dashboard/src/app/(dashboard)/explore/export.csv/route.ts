import { localTime } from '@costscope/core';
import type { NextRequest } from 'next/server';
import { CostscopeApiError, api } from '@/lib/api/client';
import { pageRange } from '@/lib/server/page-data';
import { parseExploreState, urlRangeParams } from '@/lib/shape/explore';
import { exploreCsv } from '@/lib/shape/explore-csv';

/** Every group, not only the ones the page lists. */
const EXPORT_GROUP_LIMIT = 10_000;

/**
 * An Explore view's groups as CSV, for the grouping, filters and range of the page it was asked
 * from (`/explore/export.csv?range=7d&groupBy=feature,model&userTier=paid`). Like every route, it
 * is served only with a session (see proxy.ts).
 */
export async function GET(request: NextRequest) {
  const params: Record<string, string[]> = {};
  for (const [name, value] of request.nextUrl.searchParams) params[name] = [...(params[name] ?? []), value];
  try {
    const { project, range } = await pageRange(params);
    const state = parseExploreState(params, urlRangeParams(params, range.preset));
    const answer = await api.costs({ from: range.from, to: range.to, groupBy: state.groupBy, filters: state.filters, limit: EXPORT_GROUP_LIMIT });
    const first = localTime(range.from, project.timezone).day;
    const last = localTime(new Date(range.to.getTime() - 1), project.timezone).day;
    return new Response(exploreCsv(answer.rows, state.groupBy), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="costscope-${state.groupBy.join('-')}-${first}-to-${last}.csv"`,
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    if (!CostscopeApiError.isInstance(error)) throw error;
    return Response.json({ message: error.message }, { status: 502 });
  }
}
