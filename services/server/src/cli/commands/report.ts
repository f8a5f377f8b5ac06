import { isoWeekOfDay, parseUsd, usdToExactString } from '@costscope/core';
import type { WeeklyReportResponse } from '../../query/response-schemas.js';
import type { CliCommand, CliIo } from '../cli-command.js';
import { EXIT, usageError } from '../cli-errors.js';
import { count, csvField, usd, usdChange } from '../text-output.js';

const FORMATS = ['md', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** `costscope report weekly`: the weekly cost review of `GET /api/v1/reports/weekly`. */
export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'the weekly cost review (Markdown, CSV or JSON)',
  usage: `Usage: costscope report weekly [--week YYYY-MM-DD|YYYY-Www] [--format md|csv|json]

  The weekly cost review: per feature, this week's cost against last week's, cost per
  successful response, the top movers and the week's alerts. Needs a read key.

Options:
  --week WEEK      the ISO week containing this day (2026-11-23), or the week itself (2026-W48);
                   default the last complete week in the server's time zone
  --format FORMAT  md (default: a Markdown summary and table), csv (one row per feature), json`,
  options: { week: { type: 'string' }, format: { type: 'string' } },
  async run({ io, values, args, api }) {
    const [report, extra] = args;
    if (report !== 'weekly' || extra !== undefined) throw usageError(report ? `unknown report "${args.join(' ')}": the one report is "weekly"` : 'report needs its name: costscope report weekly');
    const format = (values.format ?? 'md') as Format;
    if (!FORMATS.includes(format)) throw usageError(`--format must be one of ${FORMATS.join(', ')}`);
    const week = typeof values.week === 'string' ? isoWeek(values.week) : undefined;
    const answer = await (await api()).json<WeeklyReportResponse>('GET', `/api/v1/reports/weekly${week ? `?week=${week}` : ''}`);
    if (format === 'json') io.out(JSON.stringify(answer, null, 2));
    else if (format === 'csv') printCsv(io, answer);
    else printMarkdown(io, answer);
    return EXIT.ok;
  },
};

/** `2026-11-23` → `2026-W48`; `2026-W48` as it is. */
function isoWeek(value: string): string {
  if (/^\d{4}-W\d{2}$/.test(value)) return value;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) {
    throw usageError(`--week must be a day (YYYY-MM-DD) or an ISO week (YYYY-Www), not "${value}"`);
  }
  return isoWeekOfDay(value);
}

function printMarkdown(io: CliIo, report: WeeklyReportResponse): void {
  io.out(`# Weekly cost review ${report.week} (from ${report.weekStartDay}, ${report.timezone})`);
  io.out('');
  const change = usdChange(usdToExactString(parseUsd(report.thisWeekUsd) - parseUsd(report.lastWeekUsd)));
  io.out(`This week ${usd(report.thisWeekUsd)}, last week ${usd(report.lastWeekUsd)} (${change}).`);
  io.out(
    `Cost per successful response: ${usd(report.costPerSuccess.thisWeekUsd)} this week, ${usd(report.costPerSuccess.lastWeekUsd)} last week.`,
  );
  io.out('');
  if (report.features.length === 0) io.out('No calls in these two weeks.');
  else {
    io.out('| Feature | This week | Last week | Change | Requests | Cost per success |');
    io.out('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const feature of report.features) {
      const name = (feature.feature || '(untagged)').replace(/\|/g, '\\|');
      io.out(
        `| ${name} | ${usd(feature.thisWeekUsd)} | ${usd(feature.lastWeekUsd)} | ${usdChange(feature.changeUsd)} | ${count(feature.thisWeekRequests)} | ${usd(feature.thisWeekCostPerSuccessUsd)} |`,
      );
    }
  }
  if (report.topMovers.length > 0) {
    io.out('');
    io.out('## Top movers');
    io.out('');
    for (const mover of report.topMovers) io.out(`- ${mover.feature || '(untagged)'}: ${usdChange(mover.changeUsd)}`);
  }
  io.out('');
  io.out('## Alerts');
  io.out('');
  if (report.alerts.length === 0) io.out('None this week.');
  for (const alert of report.alerts) io.out(`- ${alert.status} ${alert.severity}: ${alert.rule} (${alert.scope}) since ${alert.startedAt}`);
}

function printCsv(io: CliIo, report: WeeklyReportResponse): void {
  io.out('week,feature,this_week_usd,last_week_usd,change_usd,this_week_requests,last_week_requests,this_week_cost_per_success_usd');
  for (const feature of report.features) {
    io.out(
      [
        report.week,
        csvField(feature.feature),
        feature.thisWeekUsd,
        feature.lastWeekUsd,
        feature.changeUsd,
        String(feature.thisWeekRequests),
        String(feature.lastWeekRequests),
        feature.thisWeekCostPerSuccessUsd ?? '',
      ].join(','),
    );
  }
}
