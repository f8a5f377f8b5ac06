import type { UsdAtto } from '../pricing/money.js';

/** The article speaks of monthly bills: a month here is 30 days. */
export const MONTH_MS = 30 * 86_400_000;

/** `numerator / denominator`, rounded half away from zero to the atto-dollar. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const quotient = (abs * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

/** An amount spent (or saved) over `rangeMs`, at the same pace for 30 days. */
export function perMonth(amount: UsdAtto, rangeMs: number): UsdAtto {
  return divideRounded(amount * BigInt(MONTH_MS), BigInt(rangeMs));
}
