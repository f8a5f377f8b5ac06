import { ATTO_PER_USD, formatUsd, type UsdAtto } from '@costscope/core';
import type { AlertComparison } from './notification-types.js';

/**
 * Money for people: cents for anything over a dollar, more decimals below, so a cost per
 * successful response of $0.0042 is not shown as "$0.00".
 */
export function formatMoney(amount: UsdAtto): string {
  const abs = amount < 0n ? -amount : amount;
  if (abs === 0n || abs >= ATTO_PER_USD) return formatUsd(amount, 2);
  if (abs * 100n >= ATTO_PER_USD) return formatUsd(amount, 4);
  return formatUsd(amount, 6);
}

export function formatPercent(percent: number): string {
  return `${percent.toFixed(percent >= 100 ? 0 : 1)}%`;
}

export function formatTokens(tokens: number): string {
  return `${Math.round(tokens).toLocaleString('en-US')} tokens`;
}

/**
 * `value / reference` as a whole percent, exact for money (integer division on atto-dollars,
 * rounded half up); `null` when the reference is zero or the figures are already percentages.
 */
export function shareOfReference(comparison: AlertComparison): number | null {
  if (comparison.unit === 'percent') return null;
  if (comparison.unit === 'usd') {
    if (comparison.reference <= 0n) return null;
    return Number((comparison.value * 200n + comparison.reference) / (comparison.reference * 2n));
  }
  if (comparison.reference <= 0) return null;
  return Math.round((comparison.value / comparison.reference) * 100);
}

function formatQuantity(comparison: AlertComparison, which: 'value' | 'reference'): string {
  switch (comparison.unit) {
    case 'usd':
      return formatMoney(comparison[which]);
    case 'percent':
      return formatPercent(comparison[which]);
    case 'tokens':
      return formatTokens(comparison[which]);
  }
}

/** "$1,210.00 today vs $1,000.00 7-day average, 121%" (labels are the caller's words). */
export function describeComparison(comparison: AlertComparison): {
  value: string;
  reference: string;
  share: string | null;
  sentence: string;
} {
  const value = `${formatQuantity(comparison, 'value')} ${comparison.valueLabel}`;
  const reference = `${formatQuantity(comparison, 'reference')} ${comparison.referenceLabel}`;
  const shareValue = shareOfReference(comparison);
  const share = shareValue === null ? null : `${shareValue}%`;
  return { value, reference, share, sentence: `${value} vs ${reference}${share ? `, ${share}` : ''}` };
}

/**
 * A week-over-week change: "+$400.00 (+50.0%)", "−$12.00 (−3.1%)", "+$5.00 (new)" when last week
 * had no spend.
 */
export function formatChange(thisWeek: UsdAtto, lastWeek: UsdAtto): string {
  const change = thisWeek - lastWeek;
  const sign = change < 0n ? '−' : '+';
  const amount = formatMoney(change < 0n ? -change : change);
  if (lastWeek === 0n) return `${sign}${amount} (${thisWeek === 0n ? 'no change' : 'new'})`;
  // Tenths of a percent, exact: change × 1000 / lastWeek, rounded half away from zero.
  const abs = change < 0n ? -change : change;
  const tenths = (abs * 2000n + lastWeek) / (lastWeek * 2n);
  return `${sign}${amount} (${sign}${(Number(tenths) / 10).toFixed(1)}%)`;
}
