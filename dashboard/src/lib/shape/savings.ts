import { parseUsd, usdToExactString, usdToNumber } from '@costscope/core';
import type { Insight, InsightStrategy, InsightsAnswer } from '../api/types';
import { money } from '../format';

/**
 * The Savings page (`/savings`) and the weekly review's "Top savings", shaped from
 * `/api/v1/insights`: the insights ordered by their monthly saving, each figure of their evidence
 * labelled, and the article's "putting it all together" table and its chart. Money stays the API's
 * exact strings (compared and divided as bigints); only the chart draws floats.
 */

/**
 * The article's name of each strategy, a short one for the chart's axis, the action it stands
 * for, and the data an insight of it needs.
 */
export const STRATEGIES: Record<InsightStrategy, { label: string; chartLabel: string; action: string; needs: string }> = {
  'model-routing': {
    label: 'Model routing',
    chartLabel: 'Routing',
    action: 'Route calls to the next cheaper tier',
    needs: 'calls on a model with a cheaper tier in the article’s routing table',
  },
  'prompt-caching': {
    label: 'Prompt caching',
    chartLabel: 'Prompt cache',
    action: 'Cache the shared prompt prefix',
    needs: 'calls sharing a prompt prefix hash (the SDK’s costscope.prompt.prefix_hash) that read nothing from cache, on a model with a cached-input price',
  },
  'output-caps': {
    label: 'Output length control',
    chartLabel: 'Output caps',
    action: 'Set max_tokens at a suggested cap',
    needs: 'output that runs long (p95 at 3× the median or more) or calls that set no max_tokens, with answers beyond twice the median',
  },
  batching: {
    label: 'Batch non-urgent work',
    chartLabel: 'Batching',
    action: 'Send optional and nightly work through the Batch API',
    needs: 'calls tagged important or optional, or a feature running mostly between 00:00 and 06:00, on a model with a batch price',
  },
  'response-caching': {
    label: 'Response caching',
    chartLabel: 'Response cache',
    action: 'Cache repeated identical requests',
    needs: 'the same request answered 10 times or more (the SDK’s request hash, costscope.request.hash)',
  },
  'prompt-trimming': {
    label: 'Prompt trimming',
    chartLabel: 'Trimming',
    action: 'Summarize history, retrieve less context',
    needs: 'input tokens per call grown by 25% or more from the range’s first half to its second',
  },
  'fine-tuning': {
    label: 'Fine-tuning',
    chartLabel: 'Fine-tuning',
    action: 'Fine-tune a smaller model for a stable, narrow task',
    needs: '10,000+ calls a month on a flagship or reasoning model, 1,000+ input tokens per call, answers of steady length',
  },
};

/** A strategy's label, or the API's own word for one this dashboard does not know yet. */
export function strategyLabel(strategy: string): string {
  return (STRATEGIES as Record<string, { label: string } | undefined>)[strategy]?.label ?? strategy;
}

/** Whether an exact amount is zero (no spend in the range). */
export function isZeroUsd(exact: string): boolean {
  return parseUsd(exact) === 0n;
}

function compareUsd(a: string, b: string): number {
  const diff = parseUsd(a) - parseUsd(b);
  return diff === 0n ? 0 : diff > 0n ? 1 : -1;
}

/** Largest monthly saving first; equal savings by id, so the order never depends on the answer's. */
export function insightsBySaving(insights: readonly Insight[]): Insight[] {
  return [...insights].sort((a, b) => compareUsd(b.monthlySavingUsd, a.monthlySavingUsd) || a.id.localeCompare(b.id));
}

/** The weekly review's "Top savings": the three largest. */
export function topSavings(insights: readonly Insight[], count = 3): Insight[] {
  return insightsBySaving(insights).slice(0, count);
}

/** What the insight is about: "ticket-summary · gpt-5-2025-08-07", "search · /api/search". */
export function insightScope(insight: Pick<Insight, 'feature' | 'endpoint' | 'model'>): string {
  return [insight.feature || '(no feature)', insight.endpoint, insight.model].filter(Boolean).join(' · ');
}

/** `uncachedPrefixTokens` → "uncached prefix tokens"; `p95OutputTokens` → "p95 output tokens". */
export function figureLabel(name: string): string {
  return name
    .replace(/Usd$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
}

/**
 * An evidence figure as shown: counts grouped ("18,400"), fractions kept as given, money (a name
 * ending in `Usd`) by the money rule, other exact strings as the API wrote them.
 */
export function figureValue(name: string, value: number | string): string {
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: 4 });
  if (/Usd$/.test(name)) return money(value);
  return value;
}

export function evidenceFigures(figures: Insight['evidence']['figures']): Array<{ name: string; label: string; value: string }> {
  return Object.entries(figures).map(([name, value]) => ({ name, label: figureLabel(name), value: figureValue(name, value) }));
}

/**
 * `part` of `whole` as a signed percent to the tenth ("−40.0%"), computed on the exact amounts
 * (rounded half away from zero); null when there is nothing to take a share of.
 */
export function reductionPercent(part: string, whole: string): string | null {
  const wholeAtto = parseUsd(whole);
  if (wholeAtto <= 0n) return null;
  const partAtto = parseUsd(part);
  if (partAtto <= 0n) return '0.0%';
  const tenths = (partAtto * 2000n + wholeAtto) / (2n * wholeAtto);
  return tenths === 0n ? '0.0%' : `−${tenths / 10n}.${tenths % 10n}%`;
}

export type ProjectionRow = {
  key: string;
  strategy: string;
  action: string;
  /** null on the starting point. */
  savingUsd: string | null;
  /** The saving against what the step started from, as the article shows it. */
  savingPercent: string | null;
  newMonthlyUsd: string;
};

/** The article's table: the starting point, then each strategy applied to what the one before left. */
export function projectionRows(projection: InsightsAnswer['projection']): ProjectionRow[] {
  const rows: ProjectionRow[] = [{ key: 'start', strategy: 'Starting point', action: '—', savingUsd: null, savingPercent: null, newMonthlyUsd: projection.startUsd }];
  let before = projection.startUsd;
  for (const step of projection.steps) {
    const known = (STRATEGIES as Record<string, { action: string } | undefined>)[step.strategy];
    rows.push({
      key: step.strategy,
      strategy: strategyLabel(step.strategy),
      action: known?.action ?? '—',
      savingUsd: step.savingUsd,
      savingPercent: reductionPercent(step.savingUsd, before),
      newMonthlyUsd: step.remainingUsd,
    });
    before = step.remainingUsd;
  }
  return rows;
}

/** How much of this month's spend every strategy together would save ("−62.0%"). */
export function projectionReduction(projection: InsightsAnswer['projection']): string | null {
  return reductionPercent(usdToExactString(parseUsd(projection.startUsd) - parseUsd(projection.endUsd)), projection.startUsd);
}

/** "From $3,000.00 to $1,140.00 a month (−62.0%)". */
export function projectionSummary(projection: InsightsAnswer['projection']): string {
  const percent = projectionReduction(projection);
  return `From ${money(projection.startUsd)} to ${money(projection.endUsd)} a month${percent ? ` (${percent})` : ''}`;
}

export type WaterfallBar = {
  name: string;
  /** [bottom, top] in dollars, for drawing only. */
  range: [number, number];
  kind: 'total' | 'saving';
  /** The exact figure the bar stands for (a total, or a step's saving). */
  usd: string;
};

/** Start → each strategy's saving as a step down → end, the chart beside the table. */
export function projectionWaterfall(projection: InsightsAnswer['projection']): WaterfallBar[] {
  let before = usdToNumber(parseUsd(projection.startUsd));
  const bars: WaterfallBar[] = [{ name: 'Now', range: [0, before], kind: 'total', usd: projection.startUsd }];
  for (const step of projection.steps) {
    // Each step spans from what the one before left down to what it leaves, so the steps join up.
    const remaining = usdToNumber(parseUsd(step.remainingUsd));
    const known = (STRATEGIES as Record<string, { chartLabel: string } | undefined>)[step.strategy];
    bars.push({ name: known?.chartLabel ?? step.strategy, range: [remaining, before], kind: 'saving', usd: step.savingUsd });
    before = remaining;
  }
  bars.push({ name: 'After', range: [0, usdToNumber(parseUsd(projection.endUsd))], kind: 'total', usd: projection.endUsd });
  return bars;
}
