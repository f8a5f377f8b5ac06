import { CostscopeError } from '../errors.js';

/**
 * Money in Costscope is an exact integer count of atto-dollars (10⁻¹⁸ USD) held in a `bigint`.
 *
 * Why so fine a unit: catalog prices are quoted per million tokens with up to nine decimals, so
 * one token costs a whole number of 10⁻¹⁵ USD; cache-write multipliers (×5/4) and batch discounts
 * (×1/2) then need three more decimal places to stay whole. With atto-dollars every cost the
 * catalog can produce is an integer, sums never drift, and nothing is rounded until a person
 * reads it. ClickHouse stores the same value as `Decimal(38, 18)` (20 integer digits: $10²⁰).
 */
export type UsdAtto = bigint;

export const ATTO_PER_USD = 10n ** 18n;
/** Prices carry at most this many decimals per million tokens (see above). */
export const MAX_PRICE_DECIMALS = 9;

const DECIMAL_PATTERN = /^(-?)(\d+)(?:\.(\d+))?$/;

export class CostscopeMoneyError extends CostscopeError {
  override readonly name = 'CostscopeMoneyError';
}

/**
 * Parses a decimal dollar amount ("1.25", "0.000001") exactly. Numbers are accepted only when
 * their shortest decimal form is exact (JavaScript prints 0.1 as "0.1"), so a catalog written as
 * numbers still parses exactly; anything with more than `maxDecimals` decimals is rejected rather
 * than rounded.
 */
export function parseUsd(amount: string | number, maxDecimals = 18): UsdAtto {
  const text = typeof amount === 'number' ? numberToPlainDecimal(amount) : amount.trim();
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) {
    throw new CostscopeMoneyError(`Not a decimal dollar amount: ${JSON.stringify(amount)}`);
  }
  const [, sign = '', whole = '0', fraction = ''] = match;
  if (fraction.length > maxDecimals) {
    throw new CostscopeMoneyError(
      `${JSON.stringify(amount)} has ${fraction.length} decimals; at most ${maxDecimals} are kept exactly`,
    );
  }
  const atto = BigInt(whole) * ATTO_PER_USD + BigInt(fraction.padEnd(18, '0'));
  return sign === '-' ? -atto : atto;
}

function numberToPlainDecimal(value: number): string {
  if (!Number.isFinite(value)) {
    throw new CostscopeMoneyError(`Not a finite dollar amount: ${value}`);
  }
  const text = String(value);
  // Exponent notation appears below 1e-6 and above 1e21; expand it without going through floats.
  const exp = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exp) return text;
  const [, sign = '', whole = '', fraction = '', power = '0'] = exp;
  const digits = whole + fraction;
  const point = whole.length + Number(power);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The exact decimal form with all 18 decimals, as ClickHouse's `Decimal(38, 18)` takes it. */
export function usdToDecimalString(amount: UsdAtto): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const whole = abs / ATTO_PER_USD;
  const fraction = (abs % ATTO_PER_USD).toString().padStart(18, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/**
 * The exact amount as the API answers it: a decimal string with no trailing zeros beyond cents
 * ("362.50", "0.005772", "0.000000000000000001"). JSON numbers would round it; strings keep it.
 */
export function usdToExactString(amount: UsdAtto): string {
  const full = usdToDecimalString(amount);
  const [whole = '0', fraction = ''] = full.split('.');
  const trimmed = fraction.replace(/0+$/, '').padEnd(2, '0');
  return `${whole}.${trimmed}`;
}

/**
 * Rounds half away from zero to `decimals` places for display ("$362.50"). This is the only
 * place money is rounded, and only for people to read.
 */
export function formatUsd(amount: UsdAtto, decimals = 2): string {
  if (decimals < 0 || decimals > 18) throw new CostscopeMoneyError(`decimals must be 0–18, got ${decimals}`);
  const step = 10n ** BigInt(18 - decimals);
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const rounded = ((abs + step / 2n) / step) * step;
  const whole = rounded / ATTO_PER_USD;
  const fraction = (rounded % ATTO_PER_USD).toString().padStart(18, '0').slice(0, decimals);
  return `${negative ? '-' : ''}$${whole.toLocaleString('en-US')}${decimals > 0 ? `.${fraction}` : ''}`;
}

/** A float for charts and JSON totals; never feed it back into money math. */
export function usdToNumber(amount: UsdAtto): number {
  return Number(usdToDecimalString(amount));
}

export function sumUsd(amounts: Iterable<UsdAtto>): UsdAtto {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
}
