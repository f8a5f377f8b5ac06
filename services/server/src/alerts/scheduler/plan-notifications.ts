import { createHash } from 'node:crypto';
import { nextEpisodeAction, parseUsd, usdToExactString, type AlertRules, type RuleOutcome } from '@costscope/core';
import type { AlertEpisodeRecord } from '../../storage/alert-episodes.js';
import { describeComparison } from '../messages/format-figures.js';
import type { AlertComparison, AlertNotice, AlertRuleId, AlertScope } from '../messages/notification-types.js';
import { MISSING_SCOPE_MEANS_OK, scopeFromKey, type EvaluatedScope } from './evaluate-rules.js';

/**
 * What an episode keeps in `values` (and `/api/v1/alerts` shows): the rule's sentence, the scope
 * and the comparison, money as exact decimal strings — enough to write its resolved message
 * without re-evaluating.
 */
type StoredComparison = Omit<AlertComparison, 'value' | 'reference'> & { value: string | number; reference: string | number };
type EpisodeValues = { reason: string; comparison: StoredComparison; scope: AlertScope };

function storeComparison(comparison: AlertComparison): StoredComparison {
  if (comparison.unit !== 'usd') return comparison;
  return { ...comparison, value: usdToExactString(comparison.value), reference: usdToExactString(comparison.reference) };
}

function readComparison(stored: StoredComparison): AlertComparison {
  const labels = { valueLabel: stored.valueLabel, referenceLabel: stored.referenceLabel };
  if (stored.unit === 'usd') return { unit: 'usd', value: parseUsd(String(stored.value)), reference: parseUsd(String(stored.reference)), ...labels };
  return { unit: stored.unit, value: Number(stored.value), reference: Number(stored.reference), ...labels };
}

export type NotificationPlan = {
  /** One entry per episode that sends a message now. */
  notices: AlertNotice[];
  /** The episodes' new states, written before the message is sent (see the outbox). */
  episodes: AlertEpisodeRecord[];
};

/**
 * Same project, rule, scope and start: same id. Two schedulers that both evaluated one term
 * (which the lease prevents) would at least agree on the episode.
 */
export function episodeIdOf(projectId: string, rule: string, scopeKey: string, startedAt: Date): string {
  return createHash('sha256').update(JSON.stringify([projectId, rule, scopeKey, startedAt.toISOString()])).digest('hex').slice(0, 24);
}

/**
 * The lifecycle step of one evaluation (pure): each rule verdict against the episode it belongs
 * to, through core's `nextEpisodeAction`. Firing episodes whose scope was not evaluated at all
 * resolve when their rule is switched off or when no data means "fine" (spend rules), and stay
 * open otherwise.
 */
export function planNotifications(input: {
  projectId: string;
  now: Date;
  rules: AlertRules;
  evaluated: readonly EvaluatedScope[];
  firing: readonly AlertEpisodeRecord[];
}): NotificationPlan {
  const { projectId, now, rules } = input;
  const notices: AlertNotice[] = [];
  const episodes: AlertEpisodeRecord[] = [];
  const seen = new Set<string>();
  const firingByKey = new Map(input.firing.map((episode) => [`${episode.rule} ${episode.scope}`, episode]));
  const updatedAt = (episode: AlertEpisodeRecord | undefined) =>
    // Versions must grow even when a manual clock stands still between two writes.
    new Date(Math.max(now.getTime(), (episode?.updatedAt.getTime() ?? 0) + 1));

  const step = (
    rule: AlertRuleId,
    scopeKey: string,
    outcome: RuleOutcome,
    details: Pick<AlertNotice, 'comparison' | 'trend' | 'failureCost' | 'scope'>,
    /** Why it resolves when no fresh figures say so (the comparison is then the last one seen). */
    resolveReason?: string,
  ) => {
    const episode = firingByKey.get(`${rule} ${scopeKey}`);
    const action = nextEpisodeAction(
      episode && { status: episode.status, severity: episode.severity, lastNotifiedAt: episode.lastNotifiedAt ?? episode.startedAt },
      outcome,
      now,
      rules.repeatIntervalMinutes,
    );
    if (action === 'none') return;
    const firing = outcome.state === 'firing' ? outcome : undefined;
    const previous = episode ? (episode.values as EpisodeValues) : undefined;
    const reason = firing?.reason ?? resolveReason ?? `back within the rule: ${describeComparison(details.comparison).sentence}`;
    const severity = firing?.severity ?? episode?.severity ?? 'warning';
    const values: EpisodeValues = {
      reason: firing?.reason ?? previous?.reason ?? reason,
      comparison: storeComparison(details.comparison),
      scope: details.scope,
    };
    const record: AlertEpisodeRecord =
      action === 'open'
        ? {
            projectId,
            episodeId: episodeIdOf(projectId, rule, scopeKey, now),
            rule,
            scope: scopeKey,
            status: 'firing',
            severity,
            startedAt: now,
            resolvedAt: null,
            lastNotifiedAt: now,
            values,
            updatedAt: now,
          }
        : {
            ...(episode as AlertEpisodeRecord),
            status: action === 'resolve' ? 'resolved' : 'firing',
            severity,
            resolvedAt: action === 'resolve' ? now : null,
            lastNotifiedAt: now,
            values,
            updatedAt: updatedAt(episode),
          };
    episodes.push(record);
    notices.push({
      episodeId: record.episodeId,
      action,
      rule,
      scope: details.scope,
      severity,
      reason,
      comparison: details.comparison,
      ...(details.trend ? { trend: details.trend } : {}),
      ...(details.failureCost ? { failureCost: details.failureCost } : {}),
      startedAt: record.startedAt,
    });
  };

  for (const result of input.evaluated) {
    seen.add(`${result.rule} ${result.scopeKey}`);
    step(result.rule, result.scopeKey, result.outcome, result);
  }
  for (const episode of input.firing) {
    const rule = episode.rule as AlertRuleId;
    if (seen.has(`${rule} ${episode.scope}`)) continue;
    const ruleSettings = rules[rule] as { enabled?: boolean } | undefined;
    const resolves = ruleSettings?.enabled === false || MISSING_SCOPE_MEANS_OK[rule] === true;
    if (!resolves) continue;
    const previous = episode.values as EpisodeValues;
    step(
      rule,
      episode.scope,
      { state: 'ok' },
      { comparison: readComparison(previous.comparison), scope: previous.scope ?? scopeFromKey(episode.scope) },
      ruleSettings?.enabled === false ? 'the rule was switched off' : 'no calls in the evaluated window any more',
    );
  }
  return { notices, episodes };
}
