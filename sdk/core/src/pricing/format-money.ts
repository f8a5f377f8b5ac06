import { ATTO_PER_USD, formatUsd, type UsdAtto } from './money.js';

/** Digits kept below a dollar: `$0.0042`, not `$0.00`, and not `$0.004217391` either. */
const SIGNIFICANT_DIGITS_BELOW_A_DOLLAR = 2;

/**
 * Money for people, the one rule every page and every alert message uses: cents from a dollar
 * up (`$12,345.67`), and below a dollar enough decimals to keep two significant digits
 * (`$0.0042`, `$0.50`), so a cost per call never reads as `$0.00`. Exact amounts go through the
 * API as strings; this rounds (half away from zero) only for display.
 */
export function formatMoney(amount: UsdAtto): string {
  const abs = amount < 0n ? -amount : amount;
  if (abs === 0n || abs >= ATTO_PER_USD) return formatUsd(amount, 2);
  // Decimals needed so the first SIGNIFICANT_DIGITS digits after the leading zeros show.
  const leadingZeros = 18 - abs.toString().length;
  const decimals = Math.min(18, Math.max(2, leadingZeros + SIGNIFICANT_DIGITS_BELOW_A_DOLLAR));
  const text = formatUsd(amount, decimals);
  // Rounding can carry into a shorter form (0.0099 → 0.010): drop zeros past cents that say nothing.
  return text.replace(/(\.\d{2}\d*?)0+$/, '$1');
}

/**
 * A change between two amounts, as the weekly review shows it: "+$400.00 (+50.0%)",
 * "−$12.00 (−3.1%)", "+$5.00 (new)" when there was nothing before. The percentage is exact
 * (integer math on atto-dollars, rounded half away from zero to tenths).
 */
export function formatUsdChange(current: UsdAtto, previous: UsdAtto): string {
  const change = current - previous;
  const sign = change < 0n ? '−' : '+';
  const amount = formatMoney(change < 0n ? -change : change);
  if (previous === 0n) return `${sign}${amount} (${current === 0n ? 'no change' : 'new'})`;
  const abs = change < 0n ? -change : change;
  const tenths = (abs * 2000n + previous) / (previous * 2n);
  return `${sign}${amount} (${sign}${(Number(tenths) / 10).toFixed(1)}%)`;
}
