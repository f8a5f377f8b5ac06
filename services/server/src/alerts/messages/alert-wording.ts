import type { AlertRuleId, AlertScope, NotifiedAction } from './notification-types.js';

/** The rules as people read them in a message (docs/alerts.md uses the same titles). */
export const RULE_TITLES: Readonly<Record<AlertRuleId, string>> = {
  dailySpendSpike: 'Daily spend spike',
  featureAllocation: 'Monthly allocation',
  errorRate: 'Error rate',
  outputTokenDrift: 'Output tokens per call rising',
  inputTokenOutlier: 'Oversized request',
  userSpendSpike: 'User spend spike',
  costPerSuccess: 'Cost per successful response rising',
};

export const ACTION_LABELS: Readonly<Record<NotifiedAction, string>> = {
  open: 'Firing',
  repeat: 'Still firing',
  escalate: 'Escalated',
  resolve: 'Resolved',
};

export const ACTION_EMOJI: Readonly<Record<NotifiedAction, string>> = {
  open: ':rotating_light:',
  repeat: ':repeat:',
  escalate: ':red_circle:',
  resolve: ':white_check_mark:',
};

/**
 * The scope as raw (unescaped) parts, e.g. `[['feature', 'search'], ['model', 'gpt-5']]`; each
 * renderer escapes the values for its format. An empty list is the whole project.
 */
export function scopeParts(scope: AlertScope): Array<[label: string, value: string]> {
  const parts: Array<[string, string]> = [];
  if (scope.feature !== undefined) parts.push(['feature', scope.feature]);
  if (scope.endpoint !== undefined) parts.push(['endpoint', scope.endpoint]);
  if (scope.model !== undefined) parts.push(['model', scope.model]);
  if (scope.userId !== undefined) parts.push(['user', scope.userId]);
  return parts;
}

/** "feature search · model gpt-5", or "whole project"; `quote` escapes and marks up each value. */
export function describeScope(scope: AlertScope, quote: (value: string) => string = (value) => value): string {
  const parts = scopeParts(scope);
  if (parts.length === 0) return 'whole project';
  return parts.map(([label, value]) => `${label} ${quote(value)}`).join(' · ');
}

/** "09:05 UTC, Nov 28" — times in messages are UTC so every reader sees the same clock. */
export function formatUtcTime(date: Date): string {
  const iso = date.toISOString();
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${iso.slice(11, 16)} UTC, ${month} ${date.getUTCDate()}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
