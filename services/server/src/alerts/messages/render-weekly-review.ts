import { RULE_TITLES, describeScope, formatUtcTime } from './alert-wording.js';
import { dashboardLinks } from './dashboard-links.js';
import { escapeHtml, escapeSlackText, htmlName, oneLine, slackName } from './escape-text.js';
import { formatMoney, formatUsdChange as formatChange } from '@costscope/core';
import type { WeeklyAlertSummary, WeeklyFeatureFigures, WeeklyInsightSummary, WeeklyReviewDigest } from './notification-types.js';
import type { OutgoingMessage, SlackBlock } from './outgoing-message.js';
import type { RenderOptions } from './render-alert-group.js';
import { fitSlackBlocks } from './slack-limits.js';
import { topMovers } from './weekly-movers.js';

/** Slack sections hold 3,000 characters: lists are cut here and the link shows the rest. */
const SLACK_LIST_MAX = 10;
/** An email can be long, but not a thousand-row table nobody reads. */
const EMAIL_FEATURES_MAX = 100;
const MOVERS = 5;

function bySpendThisWeek(features: readonly WeeklyFeatureFigures[]): WeeklyFeatureFigures[] {
  return [...features].sort((a, b) =>
    a.thisWeekUsd !== b.thisWeekUsd ? (a.thisWeekUsd > b.thisWeekUsd ? -1 : 1) : a.feature < b.feature ? -1 : 1,
  );
}

function costPerSuccessText(digest: WeeklyReviewDigest): string {
  const { thisWeekUsd, lastWeekUsd } = digest.costPerSuccess;
  if (thisWeekUsd === null) return 'no successful responses';
  return lastWeekUsd === null ? formatMoney(thisWeekUsd) : `${formatMoney(thisWeekUsd)} (last week ${formatMoney(lastWeekUsd)})`;
}

function alertStatus(alert: WeeklyAlertSummary): string {
  return alert.resolvedAt === null ? 'still firing' : `resolved ${formatUtcTime(alert.resolvedAt)}`;
}

/**
 * The Monday digest (the article: "review it weekly"): spend this week against last, the
 * features that moved most, the three largest savings insights, cost per feature and per
 * successful response, and the week's alerts.
 */
export function renderWeeklyReview(digest: WeeklyReviewDigest, options: RenderOptions): OutgoingMessage {
  const link = dashboardLinks.weeklyReview(options.dashboardUrl, digest.projectId, digest.week);
  const project = oneLine(digest.projectName, 100);
  const title = `Weekly cost review ${digest.week}`;
  const subject = oneLine(`[Costscope] ${title} for project ${project}`, 200);
  const movers = topMovers(digest.features, MOVERS);
  const features = bySpendThisWeek(digest.features);
  const stillFiring = digest.alerts.filter((alert) => alert.resolvedAt === null).length;
  const totals: Array<[string, string]> = [
    ['Spend this week', formatMoney(digest.thisWeekUsd)],
    ['Against last week', `${formatMoney(digest.lastWeekUsd)}, ${formatChange(digest.thisWeekUsd, digest.lastWeekUsd)}`],
    ['Cost per successful response', costPerSuccessText(digest)],
    ['Alerts this week', `${digest.alerts.length}${stillFiring > 0 ? ` (${stillFiring} still firing)` : ''}`],
  ];

  const moverLine = (feature: WeeklyFeatureFigures, name: (value: string) => string, escape: (value: string) => string) =>
    `${name(feature.feature)}: ${escape(`${formatMoney(feature.thisWeekUsd)}, ${formatChange(feature.thisWeekUsd, feature.lastWeekUsd)}`)}`;
  const featureLine = (feature: WeeklyFeatureFigures, name: (value: string) => string, escape: (value: string) => string) => {
    const perSuccess =
      feature.thisWeekCostPerSuccessUsd != null ? `, ${formatMoney(feature.thisWeekCostPerSuccessUsd)} per successful response` : '';
    return `${name(feature.feature)}: ${escape(`${formatMoney(feature.thisWeekUsd)} (last week ${formatMoney(feature.lastWeekUsd)})${perSuccess}`)}`;
  };
  const alertLine = (alert: WeeklyAlertSummary, name: (value: string) => string, escape: (value: string) => string) =>
    `${escape(`${RULE_TITLES[alert.rule]} (${alert.severity})`)} — ${describeScope(alert.scope, name)}: ${escape(`since ${formatUtcTime(alert.startedAt)}, ${alertStatus(alert)}`)}`;
  const more = (count: number) => (count > 0 ? [`…and ${count} more`] : []);
  // The feature is in the title, and user-controlled: the whole line is escaped.
  const insightLine = (insight: WeeklyInsightSummary, escape: (value: string) => string) =>
    escape(`${insight.title}: ${formatMoney(insight.monthlySavingUsd)} a month`);
  const insights = digest.topInsights ?? [];
  const noInsights = 'Nothing found in the last 30 days.';

  const slackList = <T,>(heading: string, items: readonly T[], line: (item: T) => string, empty: string): SlackBlock => ({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: [
        `*${heading}*`,
        ...(items.length === 0 ? [empty] : items.slice(0, SLACK_LIST_MAX).map((item) => `• ${line(item)}`)),
        ...more(items.length - SLACK_LIST_MAX),
      ].join('\n'),
    },
  });
  const blocks: SlackBlock[] = [
    // Plain text with nothing user-controlled in it (the week is validated upstream): no escaping needed.
    { type: 'header', text: { type: 'plain_text', text: oneLine(title, 150), emoji: true } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Project ${slackName(digest.projectName)} · week of ${escapeSlackText(digest.weekStartDay)}` }],
    },
    { type: 'section', fields: totals.map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${escapeSlackText(value)}` })) },
    slackList('Top movers', movers, (feature) => moverLine(feature, slackName, escapeSlackText), 'No feature changed.'),
    slackList('Top savings', insights, (insight) => insightLine(insight, escapeSlackText), noInsights),
    slackList('Cost per feature', features, (feature) => featureLine(feature, slackName, escapeSlackText), 'No spend this week.'),
    slackList('Alerts of the week', digest.alerts, (alert) => alertLine(alert, slackName, escapeSlackText), 'None.'),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open the weekly review' },
          url: link,
          action_id: 'costscope_open_weekly_review',
          style: 'primary',
        },
      ],
    },
  ];
  const slackFallback = escapeSlackText(
    `${title} for project ${project}: ${formatMoney(digest.thisWeekUsd)}, ${formatChange(digest.thisWeekUsd, digest.lastWeekUsd)} against last week`,
  );

  const plain = (value: string) => `"${oneLine(value, 100)}"`;
  const same = (value: string) => value;
  const textList = <T,>(heading: string, items: readonly T[], line: (item: T) => string, empty: string, max: number) => [
    '',
    `${heading}:`,
    ...(items.length === 0 ? [`  ${empty}`] : items.slice(0, max).map((item) => `  - ${line(item)}`)),
    ...more(items.length - max).map((line) => `  ${line}`),
  ];
  const text = [
    `${title} — project ${project}, week of ${digest.weekStartDay}`,
    '',
    ...totals.map(([label, value]) => `${label}: ${value}`),
    ...textList('Top movers', movers, (feature) => moverLine(feature, plain, same), 'No feature changed.', MOVERS),
    ...textList('Top savings', insights, (insight) => insightLine(insight, same), noInsights, insights.length),
    ...textList('Cost per feature', features, (feature) => featureLine(feature, plain, same), 'No spend this week.', EMAIL_FEATURES_MAX),
    ...textList('Alerts of the week', digest.alerts, (alert) => alertLine(alert, plain, same), 'None.', EMAIL_FEATURES_MAX),
    '',
    `The weekly review: ${link}`,
  ].join('\n');

  const cell = 'padding:4px 12px 4px 0;border-bottom:1px solid #eaecf0';
  const num = `${cell};text-align:right`;
  const htmlList = <T,>(heading: string, items: readonly T[], line: (item: T) => string, empty: string, max: number) => [
    `<h3 style="margin:20px 0 4px">${escapeHtml(heading)}</h3>`,
    items.length === 0
      ? `<p style="margin:0">${escapeHtml(empty)}</p>`
      : `<ol style="margin:0">${items.slice(0, max).map((item) => `<li>${line(item)}</li>`).join('')}</ol>`,
    ...more(items.length - max).map((line) => `<p style="margin:0">${escapeHtml(line)}</p>`),
  ];
  const featureRows = features
    .slice(0, EMAIL_FEATURES_MAX)
    .map(
      (feature) =>
        `<tr><td style="${cell}">${htmlName(feature.feature)}</td><td style="${num}">${escapeHtml(formatMoney(feature.thisWeekUsd))}</td>` +
        `<td style="${num}">${escapeHtml(formatMoney(feature.lastWeekUsd))}</td>` +
        `<td style="${num}">${escapeHtml(formatChange(feature.thisWeekUsd, feature.lastWeekUsd))}</td>` +
        `<td style="${num}">${feature.thisWeekCostPerSuccessUsd != null ? escapeHtml(formatMoney(feature.thisWeekCostPerSuccessUsd)) : '—'}</td></tr>`,
    )
    .join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#101828;max-width:720px">',
    `<h2 style="margin:0 0 4px">${escapeHtml(title)}</h2>`,
    `<p style="margin:0;color:#475467">Project ${htmlName(digest.projectName)} · week of ${escapeHtml(digest.weekStartDay)}</p>`,
    `<table style="border-collapse:collapse;margin-top:12px">${totals
      .map(([label, value]) => `<tr><td style="${cell};color:#475467">${escapeHtml(label)}</td><td style="${cell}">${escapeHtml(value)}</td></tr>`)
      .join('')}</table>`,
    ...htmlList('Top movers', movers, (feature) => moverLine(feature, htmlName, escapeHtml), 'No feature changed.', MOVERS),
    ...htmlList('Top savings', insights, (insight) => insightLine(insight, escapeHtml), noInsights, insights.length),
    `<h3 style="margin:20px 0 4px">Cost per feature</h3>`,
    features.length === 0
      ? '<p style="margin:0">No spend this week.</p>'
      : `<table style="border-collapse:collapse;font-size:14px"><tr><th style="${cell};text-align:left">Feature</th><th style="${num}">This week</th><th style="${num}">Last week</th><th style="${num}">Change</th><th style="${num}">Per successful response</th></tr>\n${featureRows}</table>`,
    ...more(features.length - EMAIL_FEATURES_MAX).map((line) => `<p style="margin:0">${escapeHtml(line)}</p>`),
    ...htmlList('Alerts of the week', digest.alerts, (alert) => alertLine(alert, htmlName, escapeHtml), 'None.', EMAIL_FEATURES_MAX),
    `<p style="margin-top:20px"><a href="${escapeHtml(link)}">Open the weekly review in Costscope</a></p>`,
    '</body></html>',
  ].join('\n');

  return { kind: 'weekly_review', subject, slack: { text: slackFallback, blocks: fitSlackBlocks(blocks) }, email: { html, text } };
}
