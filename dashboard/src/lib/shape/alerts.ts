import { addLocalDays, formatMoney, localTime, parseUsd, type AlertRules } from '@costscope/core';
import type { AlertDelivery, AlertEpisode } from '../api/types';
import { shortDay } from '../format';

/**
 * Alert episodes as the alerts pages show them: the rule in words, the scope, the figures that
 * made it fire, and where to look next. The shapes read here are the server's (see
 * `services/server/src/alerts/scheduler/plan-notifications.ts`): `scope` is `project` or the
 * scope's dimensions as URL parameters (`feature=search&endpoint=%2Fapi%2Fsearch`), and `values`
 * holds `{ reason, comparison: { unit, value, reference, valueLabel, referenceLabel }, scope }`.
 */

export const ALERT_RULE_IDS = [
  'dailySpendSpike',
  'featureAllocation',
  'errorRate',
  'outputTokenDrift',
  'inputTokenOutlier',
  'userSpendSpike',
  'costPerSuccess',
] as const;
export type AlertRuleId = (typeof ALERT_RULE_IDS)[number];

export function isAlertRuleId(value: string | null | undefined): value is AlertRuleId {
  return (ALERT_RULE_IDS as readonly string[]).includes(value ?? '');
}

/** The thresholds a title quotes; the settings page can change them, so they are read, not written in. */
export type RuleThresholds = Pick<AlertRules, AlertRuleId>;

/**
 * A rule as a sentence people read in a list ("Daily spend over 120% of the 7-day average"), with
 * the project's current thresholds. The episode's own `reason` keeps the figures of the moment it
 * fired, so a threshold changed later does not rewrite history.
 */
export function ruleTitle(rule: string, rules: RuleThresholds): string {
  if (!isAlertRuleId(rule)) return rule;
  switch (rule) {
    case 'dailySpendSpike':
      return `Daily spend over ${rules.dailySpendSpike.thresholdPercent}% of the ${rules.dailySpendSpike.baselineDays}-day average`;
    case 'featureAllocation':
      return 'Feature over its monthly allocation';
    case 'errorRate':
      return `Error rate over ${rules.errorRate.thresholdPercent}%`;
    case 'outputTokenDrift':
      return 'Output tokens per call drifting up';
    case 'inputTokenOutlier':
      return `A request over ${rules.inputTokenOutlier.maxInputTokens.toLocaleString('en-US')} input tokens`;
    case 'userSpendSpike':
      return `A user spending over ${rules.userSpendSpike.multiple}× their usual day`;
    case 'costPerSuccess':
      return `Cost per successful response up over ${rules.costPerSuccess.thresholdPercent}%`;
  }
}

/** Short names for filters and compact lists. */
export const RULE_SHORT_NAMES: Readonly<Record<AlertRuleId, string>> = {
  dailySpendSpike: 'Daily spend spike',
  featureAllocation: 'Monthly allocation',
  errorRate: 'Error rate',
  outputTokenDrift: 'Output tokens per call',
  inputTokenOutlier: 'Oversized request',
  userSpendSpike: 'User spend spike',
  costPerSuccess: 'Cost per successful response',
};

export type AlertScope = { feature?: string; endpoint?: string; model?: string; user?: string };

const SCOPE_DIMENSIONS = ['feature', 'endpoint', 'model', 'user'] as const;

/** `project` → `{}`; `feature=search&endpoint=%2Fapi` → `{ feature: 'search', endpoint: '/api' }`. */
export function parseScope(scopeKey: string): AlertScope {
  if (scopeKey === 'project' || scopeKey === '') return {};
  const params = new URLSearchParams(scopeKey);
  const scope: AlertScope = {};
  for (const dimension of SCOPE_DIMENSIONS) {
    const value = params.get(dimension);
    if (value !== null) scope[dimension] = value;
  }
  return scope;
}

/** The scope's parts for display, in the server's order; empty for the whole project. */
export function scopeParts(scope: AlertScope): Array<{ dimension: (typeof SCOPE_DIMENSIONS)[number]; value: string }> {
  return SCOPE_DIMENSIONS.flatMap((dimension) => {
    const value = scope[dimension];
    return value === undefined ? [] : [{ dimension, value }];
  });
}

/** "feature search · endpoint /api/search", or "Whole project". */
export function scopeText(scope: AlertScope): string {
  const parts = scopeParts(scope);
  return parts.length === 0 ? 'Whole project' : parts.map(({ dimension, value }) => `${dimension} ${value}`).join(' · ');
}

export type AlertComparison = {
  unit: 'usd' | 'percent' | 'tokens';
  /** Exact decimal string for `usd`, a number otherwise. */
  value: string | number;
  reference: string | number;
  valueLabel: string;
  referenceLabel: string;
};

export type EpisodeValues = { reason: string | null; comparison: AlertComparison | null };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `values` is stored JSON the page did not write: read what is there and treat anything else as
 * absent, so an episode of an older or newer server still renders.
 */
export function readEpisodeValues(values: unknown): EpisodeValues {
  if (!isRecord(values)) return { reason: null, comparison: null };
  const reason = typeof values.reason === 'string' && values.reason !== '' ? values.reason : null;
  const raw = values.comparison;
  if (!isRecord(raw)) return { reason, comparison: null };
  const unit = raw.unit;
  const figure = (value: unknown) => (unit === 'usd' ? typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) : typeof value === 'number' && Number.isFinite(value));
  if ((unit !== 'usd' && unit !== 'percent' && unit !== 'tokens') || !figure(raw.value) || !figure(raw.reference)) return { reason, comparison: null };
  return {
    reason,
    comparison: {
      unit,
      value: raw.value as string | number,
      reference: raw.reference as string | number,
      valueLabel: typeof raw.valueLabel === 'string' ? raw.valueLabel : '',
      referenceLabel: typeof raw.referenceLabel === 'string' ? raw.referenceLabel : '',
    },
  };
}

function figureText(unit: AlertComparison['unit'], value: string | number): string {
  if (unit === 'usd') return formatMoney(parseUsd(String(value)));
  if (unit === 'percent') return `${Number(value).toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;
  return `${Math.round(Number(value)).toLocaleString('en-US')} tokens`;
}

export type ComparisonText = {
  /** "$13.81" */
  value: string;
  /** "month to date" */
  valueLabel: string;
  /** "$12.00" */
  reference: string;
  referenceLabel: string;
  /** The value as a share of the reference ("115% of"), when both are comparable amounts. */
  ratio: string | null;
};

/**
 * The figures that fired an alert, as the message shows them: "$1,210.00 today" against
 * "$1,000.00 7-day average (121%)". A percent threshold is not a base to take a share of, so
 * the error rate shows no ratio.
 */
export function comparisonText(comparison: AlertComparison): ComparisonText {
  const { unit } = comparison;
  let ratio: string | null = null;
  if (unit === 'usd') {
    const value = parseUsd(String(comparison.value));
    const reference = parseUsd(String(comparison.reference));
    // Integer math on atto-dollars, rounded half up to a whole percent.
    if (reference > 0n) ratio = `${((value * 200n + reference) / (reference * 2n)).toString()}%`;
  } else if (unit === 'tokens') {
    const reference = Number(comparison.reference);
    if (reference > 0) ratio = `${Math.round((Number(comparison.value) / reference) * 100)}%`;
  }
  return {
    value: figureText(unit, comparison.value),
    valueLabel: comparison.valueLabel,
    reference: figureText(unit, comparison.reference),
    referenceLabel: comparison.referenceLabel,
    ratio,
  };
}

/** "45 min", "3 h 20 min", "2 d 4 h": how long an episode has been (or was) open. */
export function durationText(fromIso: string, toIso: string): string {
  const minutes = Math.max(0, Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

export const DELIVERY_STATUS_LABELS: Readonly<Record<AlertDelivery['status'], string>> = {
  sent: 'Sent',
  failed: 'Failed',
  pending: 'Pending',
};

export const MESSAGE_KIND_LABELS: Readonly<Record<AlertDelivery['messageKind'], string>> = {
  fired: 'Firing',
  repeat: 'Still firing',
  escalated: 'Escalated',
  resolved: 'Resolved',
};

export const CHANNEL_LABELS: Readonly<Record<string, string>> = { slack: 'Slack', webhook: 'Slack webhook', email: 'Email' };

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

/** Deliveries oldest first, so an episode reads as its story: fired, repeated, resolved. */
export function deliveriesInOrder(deliveries: readonly AlertDelivery[]): AlertDelivery[] {
  return [...deliveries].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.channel.localeCompare(b.channel));
}

/** "2 sent, 1 failed" over an episode's deliveries; "Not sent (no channel configured)" when none. */
export function deliverySummary(deliveries: readonly AlertDelivery[]): string {
  if (deliveries.length === 0) return 'No message sent (no channel configured when it fired)';
  const counts = { sent: 0, failed: 0, pending: 0 };
  for (const delivery of deliveries) counts[delivery.status]++;
  return (['sent', 'failed', 'pending'] as const)
    .filter((status) => counts[status] > 0)
    .map((status) => `${counts[status]} ${status}`)
    .join(', ');
}

export type AlertFilters = { status?: 'firing' | 'resolved'; rule?: AlertRuleId };

/** The URL's filters, anything unknown ignored (a bookmark from an older link still opens). */
export function readAlertFilters(params: { status?: string | undefined; rule?: string | undefined }): AlertFilters {
  const filters: AlertFilters = {};
  if (params.status === 'firing' || params.status === 'resolved') filters.status = params.status;
  if (isAlertRuleId(params.rule)) filters.rule = params.rule;
  return filters;
}

/** The API filters by status and range; the rule is filtered here (the API has no `rule` parameter). */
export function filterEpisodes(episodes: readonly AlertEpisode[], filters: AlertFilters): AlertEpisode[] {
  return episodes.filter((episode) => (!filters.status || episode.status === filters.status) && (!filters.rule || episode.rule === filters.rule));
}

export type AlertCounts = { total: number; firing: number; resolved: number; critical: number; failedDeliveries: number };

export function alertCounts(episodes: readonly AlertEpisode[]): AlertCounts {
  const counts: AlertCounts = { total: episodes.length, firing: 0, resolved: 0, critical: 0, failedDeliveries: 0 };
  for (const episode of episodes) {
    counts[episode.status]++;
    if (episode.severity === 'critical') counts.critical++;
    counts.failedDeliveries += (episode.deliveries ?? []).filter((delivery) => delivery.status === 'failed').length;
  }
  return counts;
}

export type EpisodeLink = {
  href: string;
  label: string;
  /** The days linked to, local `YYYY-MM-DD`, `to` exclusive. */
  from: string;
  to: string;
  /** The scope as the cost API's filters (`feature`, `endpoint`, `model`, `user`). */
  filters: Partial<Record<'feature' | 'endpoint' | 'model' | 'user', string[]>>;
};

/**
 * Where to look at what fired an alert: the feature's page (or the users page, or the overview
 * for the whole project) over the days the rule looked at, with the scope's other dimensions as
 * filters. Days are local days in the project's time zone; `to` is exclusive, as the pages read it.
 */
export function episodeContextLink(episode: Pick<AlertEpisode, 'rule' | 'scope' | 'startedAt' | 'resolvedAt'>, timezone: string, now: Date): EpisodeLink {
  const scope = parseScope(episode.scope);
  const startDay = localTime(new Date(episode.startedAt), timezone).day;
  const endInstant = episode.resolvedAt ? new Date(episode.resolvedAt) : now;
  const endDay = localTime(endInstant, timezone).day;
  // The rule's own window before the start: the baseline it compared against.
  const lookBackDays: Record<string, number> = {
    dailySpendSpike: 7,
    userSpendSpike: 7,
    outputTokenDrift: 8,
    costPerSuccess: 8,
    errorRate: 1,
    inputTokenOutlier: 1,
  };
  const from = episode.rule === 'featureAllocation' ? `${startDay.slice(0, 8)}01` : addLocalDays(startDay, -(lookBackDays[episode.rule] ?? 7));
  const to = addLocalDays(endDay > startDay ? endDay : startDay, 1);

  const search = new URLSearchParams({ from, to });
  let path = '/';
  let label = 'Overview';
  if (scope.feature !== undefined) {
    path = `/features/${encodeURIComponent(scope.feature)}`;
    label = `Feature ${scope.feature}`;
  } else if (scope.user !== undefined) {
    path = '/users';
    label = 'Users';
    search.set('user', scope.user);
  }
  if (scope.endpoint !== undefined) search.set('endpoint', scope.endpoint);
  if (scope.model !== undefined) search.set('model', scope.model);
  const lastDay = addLocalDays(to, -1);
  const days = from === lastDay ? shortDay(from) : `${shortDay(from)} – ${shortDay(lastDay)}`;
  const filters = Object.fromEntries(scopeParts(scope).map(({ dimension, value }) => [dimension, [value]]));
  return { href: `${path}?${search.toString()}`, label: `${label}, ${days}`, from, to, filters };
}
