import type { RuleOutcome } from './rule-evaluation.js';

/** An alert episode as stored: one rule on one scope, from the first firing to its resolution. */
export type AlertEpisodeState = {
  status: 'firing' | 'resolved';
  severity: 'warning' | 'critical';
  /** When the last message about this episode was sent (fire or repeat). */
  lastNotifiedAt: Date;
};

/**
 * What to do with an evaluation's outcome, given the episode it belongs to:
 * - `open`: no episode is firing and the rule fires — a new episode, one message;
 * - `repeat`: the episode still holds and the repeat interval has passed since the last message;
 * - `escalate`: it still holds and got worse (warning → critical): tell people now;
 * - `resolve`: it no longer holds — one resolved message;
 * - `none`: nothing to send.
 * `insufficient_data` keeps an open episode open: a quiet hour is not a recovery.
 */
export type EpisodeAction = 'open' | 'repeat' | 'escalate' | 'resolve' | 'none';

export function nextEpisodeAction(
  episode: AlertEpisodeState | undefined,
  outcome: RuleOutcome,
  now: Date,
  repeatIntervalMinutes: number,
): EpisodeAction {
  const open = episode?.status === 'firing';
  if (outcome.state === 'firing') {
    if (!open) return 'open';
    if (episode.severity === 'warning' && outcome.severity === 'critical') return 'escalate';
    const due = episode.lastNotifiedAt.getTime() + repeatIntervalMinutes * 60_000;
    return now.getTime() >= due ? 'repeat' : 'none';
  }
  if (outcome.state === 'ok' && open) return 'resolve';
  return 'none';
}
