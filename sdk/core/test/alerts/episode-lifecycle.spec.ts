import { describe, expect, it } from 'vitest';
import { nextEpisodeAction, type AlertEpisodeState } from '../../src/index.js';

const firing = { state: 'firing', severity: 'warning', reason: 'x' } as const;
const at = (iso: string) => new Date(iso);
const episode = (lastNotifiedAt: string, severity: 'warning' | 'critical' = 'warning'): AlertEpisodeState => ({
  status: 'firing',
  severity,
  lastNotifiedAt: at(lastNotifiedAt),
});

describe('alert episode lifecycle', () => {
  it('opens an episode the first time a rule fires', () => {
    expect(nextEpisodeAction(undefined, firing, at('2026-11-02T10:00:00Z'), 240)).toBe('open');
  });

  it('sends nothing more while it holds within the repeat interval', () => {
    expect(nextEpisodeAction(episode('2026-11-02T10:00:00Z'), firing, at('2026-11-02T13:59:59Z'), 240)).toBe('none');
  });

  it('repeats once the interval (4 h by default) has passed', () => {
    expect(nextEpisodeAction(episode('2026-11-02T10:00:00Z'), firing, at('2026-11-02T14:00:00Z'), 240)).toBe('repeat');
  });

  it('escalates at once when a warning becomes critical', () => {
    const critical = { state: 'firing', severity: 'critical', reason: 'x' } as const;
    expect(nextEpisodeAction(episode('2026-11-02T10:00:00Z'), critical, at('2026-11-02T10:05:00Z'), 240)).toBe('escalate');
    expect(nextEpisodeAction(episode('2026-11-02T10:00:00Z', 'critical'), critical, at('2026-11-02T10:05:00Z'), 240)).toBe('none');
  });

  it('resolves once when the rule no longer holds', () => {
    expect(nextEpisodeAction(episode('2026-11-02T10:00:00Z'), { state: 'ok' }, at('2026-11-02T11:00:00Z'), 240)).toBe('resolve');
    const resolved: AlertEpisodeState = { ...episode('2026-11-02T10:00:00Z'), status: 'resolved' };
    expect(nextEpisodeAction(resolved, { state: 'ok' }, at('2026-11-02T12:00:00Z'), 240)).toBe('none');
  });

  it('keeps an episode open through a window with too little data', () => {
    const quiet = { state: 'insufficient_data', reason: 'fewer than 100 calls' } as const;
    expect(nextEpisodeAction(episode('2026-11-02T10:00:00Z'), quiet, at('2026-11-02T11:00:00Z'), 240)).toBe('none');
  });

  it('opens a new episode when a resolved rule fires again', () => {
    const resolved: AlertEpisodeState = { ...episode('2026-11-02T10:00:00Z'), status: 'resolved' };
    expect(nextEpisodeAction(resolved, firing, at('2026-11-02T10:30:00Z'), 240)).toBe('open');
  });
});
