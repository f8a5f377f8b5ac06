import { formatMoney } from '@costscope/core';
import type { AlertComparison } from './notification-types.js';

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
