import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CostscopeError, CostscopeMoneyError, formatUsd, parseUsd, usdToDecimalString, usdToExactString, usdToNumber } from '../src/index.js';

describe('money', () => {
  it('parses decimal dollars exactly, from strings and from numbers', () => {
    expect(parseUsd('1.25')).toBe(1_250_000_000_000_000_000n);
    expect(parseUsd(0.1)).toBe(100_000_000_000_000_000n);
    expect(parseUsd(1e-7)).toBe(100_000_000_000n);
    expect(parseUsd('-0.5')).toBe(-500_000_000_000_000_000n);
  });

  it('rejects what it cannot keep exactly, with an error saying why', () => {
    expect(() => parseUsd('1.0000000001', 9)).toThrow(/10 decimals; at most 9/);
    expect(() => parseUsd('1,25')).toThrow(CostscopeMoneyError);
    expect(() => parseUsd(Number.NaN)).toThrow(/finite/);
    expect(CostscopeError.isInstance(new CostscopeMoneyError('x'))).toBe(true);
  });

  it('round-trips through the 18-decimal form ClickHouse stores', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (amount) => {
        expect(parseUsd(usdToDecimalString(amount))).toBe(amount);
      }),
    );
  });

  it('answers the API with exact decimal strings, trimmed to cents', () => {
    expect(usdToExactString(parseUsd('362.5'))).toBe('362.50');
    expect(usdToExactString(parseUsd('0.005772'))).toBe('0.005772');
    expect(usdToExactString(1n)).toBe('0.000000000000000001');
    expect(usdToExactString(parseUsd('-3'))).toBe('-3.00');
  });

  it('rounds only for display, half away from zero', () => {
    expect(formatUsd(parseUsd('362.5'), 0)).toBe('$363');
    expect(formatUsd(parseUsd('0.004999'))).toBe('$0.00');
    expect(formatUsd(parseUsd('0.005'))).toBe('$0.01');
    expect(formatUsd(parseUsd('-1234.565'))).toBe('-$1,234.57');
    expect(formatUsd(parseUsd('0.000001'), 6)).toBe('$0.000001');
  });

  it('gives charts a float without touching the exact value', () => {
    expect(usdToNumber(parseUsd('362.5'))).toBe(362.5);
  });
});
