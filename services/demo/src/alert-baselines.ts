import { addLocalDays, localTime, type UsdAtto } from '@costscope/core';
import { FEATURES, responseModelOf } from './example-app.js';
import type { HistorySpan } from './history.js';

/** The chat answers of this model drift in the live phase (the medium tier). */
export const DRIFT_MODEL = responseModelOf('gpt-5-mini');
/** The error burst hits this feature and endpoint. */
export const ERROR_BURST_SCOPE = { feature: FEATURES.supportChat, endpoint: 'answer' } as const;

const HOUR_MS = 3_600_000;

/**
 * What the history leaves in the three rules' windows at the end of the history (the docs/alerts.md
 * defaults), so the live phase can size its incidents to cross each threshold with room to spare:
 * today's spend and the 7 days before (daily spend spike), the last hour of the chat's answers
 * (error rate), the medium tier's answers in the last 24 hours and the 7 days before (output drift).
 */
export type AlertBaselines = {
  todayUsd: UsdAtto;
  /** Sum of the 7 full local days before today. */
  previousSevenDaysUsd: UsdAtto;
  lastHourAnswers: { calls: number; errors: number };
  driftRecent: { calls: number; outputTokens: number };
  driftBaseline: { calls: number; outputTokens: number };
};

export class AlertBaselineCounter {
  private readonly costByDay = new Map<string, UsdAtto>();
  private readonly lastHourAnswers = { calls: 0, errors: 0 };
  private readonly driftRecent = { calls: 0, outputTokens: 0 };
  private readonly driftBaseline = { calls: 0, outputTokens: 0 };

  constructor(
    private readonly now: Date,
    private readonly timezone: string,
  ) {}

  /** Counts one span of the history; `cost` is what the demo priced it at. */
  add(span: HistorySpan, cost: UsdAtto): void {
    const { call } = span;
    const answered = span.errorType === undefined;
    const model = answered ? call.responseModel : call.model;
    const day = localTime(span.start, this.timezone).day;
    this.costByDay.set(day, (this.costByDay.get(day) ?? 0n) + cost);

    const age = this.now.getTime() - span.start.getTime();
    if (call.feature === ERROR_BURST_SCOPE.feature && call.endpoint === ERROR_BURST_SCOPE.endpoint && age <= HOUR_MS) {
      this.lastHourAnswers.calls += 1;
      if (!answered) this.lastHourAnswers.errors += 1;
    }
    if (call.feature === FEATURES.supportChat && model === DRIFT_MODEL) {
      const window = age <= 24 * HOUR_MS ? this.driftRecent : age <= 8 * 24 * HOUR_MS ? this.driftBaseline : undefined;
      if (window) {
        window.calls += 1;
        window.outputTokens += call.usage.outputTokens;
      }
    }
  }

  baselines(): AlertBaselines {
    const today = localTime(this.now, this.timezone).day;
    let previousSevenDaysUsd = 0n;
    for (let back = 1; back <= 7; back += 1) previousSevenDaysUsd += this.costByDay.get(addLocalDays(today, -back)) ?? 0n;
    return {
      todayUsd: this.costByDay.get(today) ?? 0n,
      previousSevenDaysUsd,
      lastHourAnswers: { ...this.lastHourAnswers },
      driftRecent: { ...this.driftRecent },
      driftBaseline: { ...this.driftBaseline },
    };
  }
}
