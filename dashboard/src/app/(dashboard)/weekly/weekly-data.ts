import 'server-only';
import { previousIsoWeek } from '@costscope/core';
import { api } from '@/lib/api/client';
import { alertRuleSettings } from '@/lib/server/alert-rules';
import { projectInfo } from '@/lib/server/page-data';
import { currentIsoWeek, isoWeekMonday, parseIsoWeek, shapeWeeklyReview, weekBounds } from '@/lib/shape/weekly';

/** Why the URL's week was not the one shown, for a notice above the review. */
export type WeekNotice = { asked: string; reason: 'not-a-week' | 'future' };

/**
 * Everything the weekly review shows, for the page and its CSV and Markdown exports alike (so a
 * download always says what the page says). The week defaults to the last complete week in the
 * project's time zone, as the API does; it is resolved here so the report and the cost queries
 * for both weeks can run at once.
 */
export async function loadWeeklyReview(weekParam: string | undefined, now = new Date()) {
  const project = await projectInfo();
  const current = currentIsoWeek(now, project.timezone);
  const asked = parseIsoWeek(weekParam);
  let notice: WeekNotice | undefined;
  if (weekParam && !asked) notice = { asked: weekParam, reason: 'not-a-week' };
  else if (asked && asked > current) notice = { asked, reason: 'future' };
  const week = asked && !notice ? asked : previousIsoWeek(now, project.timezone);
  // `week` is valid by construction here.
  const bounds = weekBounds(isoWeekMonday(week) as string, project.timezone);
  const [report, thisWeek, lastWeek, rules] = await Promise.all([
    api.weeklyReport(week),
    api.costs({ ...bounds.thisWeek, groupBy: ['feature', 'model'] }),
    api.costs({ ...bounds.lastWeek, groupBy: ['feature', 'model'] }),
    alertRuleSettings(),
  ]);
  return { project, rules, notice, currentWeek: current, review: shapeWeeklyReview({ report, thisWeek, lastWeek, currentWeek: current }) };
}
