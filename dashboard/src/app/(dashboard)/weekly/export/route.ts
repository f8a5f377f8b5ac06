import { NextResponse, type NextRequest } from 'next/server';
import { load } from '@/lib/server/page-data';
import { weeklyCsv, weeklyExportFilename, weeklyMarkdown } from '@/lib/shape/weekly';
import { loadWeeklyReview } from '../weekly-data';

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', md: 'text/markdown; charset=utf-8' } as const;

/**
 * `/weekly/export?week=2026-W47&format=csv|md`: the weekly review as a file, behind the session
 * like every route (the proxy refuses it without one). Built from the same data as the page.
 */
export async function GET(request: NextRequest) {
  const format = request.nextUrl.searchParams.get('format');
  if (format !== 'csv' && format !== 'md') {
    return NextResponse.json({ message: 'format must be csv or md' }, { status: 400 });
  }
  const week = request.nextUrl.searchParams.get('week') ?? undefined;
  const loaded = await load(() => loadWeeklyReview(week));
  if (!loaded.ok) {
    return new NextResponse(`Costscope could not load the weekly review: ${loaded.error.message}\n`, {
      status: 502,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
  const { review, notice, project, rules } = loaded.data;
  if (notice) {
    return NextResponse.json({ message: notice.reason === 'future' ? `${notice.asked} has not started yet` : `${notice.asked} is not an ISO week such as 2026-W47` }, { status: 400 });
  }
  const body = format === 'csv' ? weeklyCsv(review) : weeklyMarkdown(review, { projectId: project.projectId, rules });
  return new NextResponse(body, {
    headers: {
      'content-type': CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="${weeklyExportFilename(review.week, format)}"`,
      'cache-control': 'no-store',
    },
  });
}
