import { ACTION_EMOJI, ACTION_LABELS, RULE_TITLES, describeScope, formatUtcTime, plural } from './alert-wording.js';
import { dashboardLinks } from './dashboard-links.js';
import { escapeHtml, escapeSlackText, htmlName, oneLine, slackLink, slackName } from './escape-text.js';
import { formatMoney } from '@costscope/core';
import { describeComparison } from './format-figures.js';
import type { AlertGroup, AlertNotice, AlertTrend, NotifiedAction } from './notification-types.js';
import type { OutgoingMessage, SlackBlock, SlackMarkdown } from './outgoing-message.js';
import { fitSlackBlocks } from './slack-limits.js';
import { sparkline } from './sparkline.js';

export type RenderOptions = {
  /** The dashboard's public address, without a trailing slash (see `dashboardBaseUrl`). */
  dashboardUrl: string;
};

/**
 * Slack refuses a message over 50 blocks. Header, context and the button take 3 and each alert
 * takes 3 (divider, section, context), so 15 alerts fit with one "and N more" line; the rest are
 * a click away and still listed in full in the email.
 */
export const MAX_ALERTS_IN_SLACK = 15;
const HEADER_MAX = 150;
const SUBJECT_MAX = 200;

/** Firing before resolved; within each, escalations first, then new, then repeats; critical first. */
const ACTION_ORDER: Readonly<Record<NotifiedAction, number>> = { escalate: 0, open: 1, repeat: 2, resolve: 3 };

function orderAlerts(alerts: readonly AlertNotice[]): AlertNotice[] {
  return [...alerts].sort(
    (a, b) =>
      ACTION_ORDER[a.action] - ACTION_ORDER[b.action] ||
      (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1),
  );
}

/**
 * The message's title, raw (escape per format). `short` leaves out the project and scope: the
 * Slack header is plain text, so it carries no user-controlled name at all and the names go in
 * the escaped mrkdwn context under it.
 */
function headline(group: AlertGroup, alerts: readonly AlertNotice[], form: 'full' | 'short'): string {
  const full = form === 'full';
  const project = full ? ` in project ${oneLine(group.projectName, 100)}` : '';
  const firing = alerts.filter((alert) => alert.action !== 'resolve');
  const resolved = alerts.length - firing.length;
  const only = alerts.length === 1 ? alerts[0] : undefined;
  const onlyScope = only && full ? ` (${describeScope(only.scope, (value) => oneLine(value, 60))})` : '';
  if (firing.length === 0) {
    return only ? `Resolved: ${RULE_TITLES[only.rule]}${project}${onlyScope}` : `Resolved: ${plural(resolved, 'alert')}${project}`;
  }
  if (only) return `${RULE_TITLES[only.rule]} ${ACTION_LABELS[only.action].toLowerCase()}${project}${onlyScope}`;
  const resolvedPart = resolved > 0 ? `, ${resolved} resolved` : '';
  return `${plural(firing.length, 'alert')} firing${project}${resolvedPart}`;
}

function trendLine(trend: AlertTrend): string {
  const format = (point: bigint | number): string =>
    trend.unit === 'usd'
      ? formatMoney(point as bigint)
      : trend.unit === 'percent'
        ? `${(point as number).toFixed(1)}%`
        : `${Math.round(point as number).toLocaleString('en-US')}`;
  const first = trend.points[0];
  const last = trend.points[trend.points.length - 1];
  const ends = first === undefined || last === undefined ? '' : ` ${format(first)} → ${format(last)}`;
  return `${sparkline(trend.points)}${ends}`;
}

/** The facts of one alert as label/value pairs, values raw; each format escapes them. */
function alertFacts(alert: AlertNotice): Array<[label: string, value: string]> {
  const comparison = describeComparison(alert.comparison);
  const facts: Array<[string, string]> = [
    ['Value', comparison.value],
    ['Compared with', comparison.share ? `${comparison.reference} (${comparison.share})` : comparison.reference],
    ['Severity', alert.severity === 'critical' ? 'Critical' : 'Warning'],
  ];
  if (alert.action !== 'open') facts.push(['Since', formatUtcTime(alert.startedAt)]);
  if (alert.failureCost) {
    const cost = alert.failureCost;
    facts.push(['Failed calls cost', `${formatMoney(cost.failedCallsUsd)} (${plural(cost.failedCalls, 'call')})`]);
    facts.push(['Retries cost', `${formatMoney(cost.retriesUsd)} (${plural(cost.retries, 'retry', 'retries')})`]);
  }
  return facts;
}

function slackAlertBlocks(group: AlertGroup, alert: AlertNotice, options: RenderOptions): SlackBlock[] {
  const title = `${ACTION_EMOJI[alert.action]} *${ACTION_LABELS[alert.action]}* · *${RULE_TITLES[alert.rule]}* — ${describeScope(alert.scope, slackName)}`;
  const fields: SlackMarkdown[] = alertFacts(alert).map(([label, value]) => ({
    type: 'mrkdwn',
    text: `*${label}*\n${escapeSlackText(value)}`,
  }));
  const context: SlackMarkdown[] = [];
  if (alert.trend) {
    context.push({ type: 'mrkdwn', text: `Trend (${escapeSlackText(alert.trend.label)}): ${escapeSlackText(trendLine(alert.trend))}` });
  }
  context.push({
    type: 'mrkdwn',
    text: slackLink(dashboardLinks.alert(options.dashboardUrl, group.projectId, alert.episodeId), 'Open this alert'),
  });
  return [
    { type: 'divider' },
    { type: 'section', text: { type: 'mrkdwn', text: `${title}\n${escapeSlackText(alert.reason)}` }, fields },
    { type: 'context', elements: context },
  ];
}

function textAlert(group: AlertGroup, alert: AlertNotice, options: RenderOptions): string {
  const lines = [
    `${ACTION_LABELS[alert.action].toUpperCase()} · ${RULE_TITLES[alert.rule]} — ${describeScope(alert.scope, (value) => `"${oneLine(value, 100)}"`)}`,
    `  ${alert.reason}`,
    `  ${describeComparison(alert.comparison).sentence}`,
  ];
  for (const [label, value] of alertFacts(alert).slice(2)) lines.push(`  ${label}: ${value}`);
  if (alert.trend) lines.push(`  Trend (${alert.trend.label}): ${trendLine(alert.trend)}`);
  lines.push(`  ${dashboardLinks.alert(options.dashboardUrl, group.projectId, alert.episodeId)}`);
  return lines.join('\n');
}

const SEVERITY_COLOR = { critical: '#b42318', warning: '#b54708' } as const;

function htmlAlert(group: AlertGroup, alert: AlertNotice, options: RenderOptions): string {
  const color = alert.action === 'resolve' ? '#067647' : SEVERITY_COLOR[alert.severity];
  const rows = alertFacts(alert)
    .map(
      ([label, value]) =>
        `<tr><td style="padding:2px 12px 2px 0;color:#475467">${escapeHtml(label)}</td><td style="padding:2px 0">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const trend = alert.trend
    ? `<p style="margin:4px 0;color:#475467">Trend (${escapeHtml(alert.trend.label)}): <span style="font-family:monospace">${escapeHtml(trendLine(alert.trend))}</span></p>`
    : '';
  const link = dashboardLinks.alert(options.dashboardUrl, group.projectId, alert.episodeId);
  return [
    `<div style="border-left:4px solid ${color};padding:4px 12px;margin:16px 0">`,
    `<p style="margin:0 0 4px"><strong style="color:${color}">${escapeHtml(ACTION_LABELS[alert.action])}</strong> · <strong>${escapeHtml(RULE_TITLES[alert.rule])}</strong> — ${describeScope(alert.scope, htmlName)}</p>`,
    `<p style="margin:0 0 4px">${escapeHtml(alert.reason)}</p>`,
    `<table style="border-collapse:collapse;font-size:14px">${rows}</table>`,
    trend,
    `<p style="margin:4px 0"><a href="${escapeHtml(link)}">Open this alert in Costscope</a></p>`,
    `</div>`,
  ].join('\n');
}

/**
 * One project's alerts of one evaluation as one message: Slack blocks with a plain-text
 * fallback, and an email with HTML and text bodies. Every name from the data (project, feature,
 * endpoint, model, user) is escaped for the format it lands in.
 */
export function renderAlertGroup(group: AlertGroup, options: RenderOptions): OutgoingMessage {
  if (group.alerts.length === 0) throw new RangeError('An alert group needs at least one alert');
  const alerts = orderAlerts(group.alerts);
  const title = headline(group, alerts, 'full');
  const subject = oneLine(`[Costscope] ${title}`, SUBJECT_MAX);
  const allResolved = alerts.every((alert) => alert.action === 'resolve');
  const firing = alerts.filter((alert) => alert.action !== 'resolve').length;
  const listLink = dashboardLinks.alerts(options.dashboardUrl, group.projectId);
  const evaluated = formatUtcTime(group.notifiedAt);

  const shown = alerts.slice(0, MAX_ALERTS_IN_SLACK);
  const hidden = alerts.length - shown.length;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: oneLine(headline(group, alerts, 'short'), HEADER_MAX), emoji: true } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Project ${slackName(group.projectName)} · ${firing} firing · ${alerts.length - firing} resolved · evaluated ${evaluated}`,
        },
      ],
    },
    ...shown.flatMap((alert) => slackAlertBlocks(group, alert, options)),
  ];
  if (hidden > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `…and ${plural(hidden, 'more alert')}: ${slackLink(listLink, 'see them all in Costscope')}` },
    });
  }
  blocks.push({
    type: 'actions',
    elements: [
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Open alerts in Costscope' },
        url: listLink,
        action_id: 'costscope_open_alerts',
        ...(allResolved ? {} : { style: 'primary' as const }),
      },
    ],
  });

  const textBlocks = alerts.map((alert) => textAlert(group, alert, options));
  const text = [title, `Evaluated ${evaluated}.`, '', textBlocks.join('\n\n'), '', `All alerts: ${listLink}`].join('\n');
  const slackFallback = [
    escapeSlackText(title),
    ...alerts
      .slice(0, MAX_ALERTS_IN_SLACK)
      .map(
        (alert) =>
          `• ${ACTION_LABELS[alert.action]}: ${RULE_TITLES[alert.rule]} — ${describeScope(alert.scope, slackName)}: ${escapeSlackText(describeComparison(alert.comparison).sentence)}`,
      ),
  ].join('\n');

  const html = [
    '<!doctype html>',
    '<html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#101828;max-width:680px">',
    `<h2 style="margin:0 0 4px">${escapeHtml(title)}</h2>`,
    `<p style="margin:0;color:#475467">Project ${htmlName(group.projectName)} · evaluated ${escapeHtml(evaluated)}</p>`,
    ...alerts.map((alert) => htmlAlert(group, alert, options)),
    `<p><a href="${escapeHtml(listLink)}">Open alerts in Costscope</a></p>`,
    '</body></html>',
  ].join('\n');

  return {
    kind: allResolved ? 'resolved' : 'alert',
    subject,
    slack: { text: slackFallback, blocks: fitSlackBlocks(blocks) },
    email: { html, text },
  };
}
