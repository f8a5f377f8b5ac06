import { localTime } from '@costscope/core';
import type { NextRequest } from 'next/server';
import { CostscopeApiError } from '@/lib/api/client';
import { featuresCsv } from '@/lib/shape/features';
import { loadFeatures } from '../data';

/**
 * The features table as CSV, for the range and filters of the page it was asked from
 * (`/features/export.csv?range=7d&model=gpt-5`). Like every route, it is served only with a
 * session (see proxy.ts).
 */
export async function GET(request: NextRequest) {
  const params: Record<string, string[]> = {};
  for (const [name, value] of request.nextUrl.searchParams) params[name] = [...(params[name] ?? []), value];
  try {
    const { rows, range, project } = await loadFeatures(params);
    const first = localTime(range.from, project.timezone).day;
    const last = localTime(new Date(range.to.getTime() - 1), project.timezone).day;
    return new Response(featuresCsv(rows), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="costscope-features-${first}-to-${last}.csv"`,
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    if (!CostscopeApiError.isInstance(error)) throw error;
    return Response.json({ message: error.message }, { status: 502 });
  }
}
