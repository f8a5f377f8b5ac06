import { describe, expect, it } from 'vitest';
import { formatMoney, formatUsdChange } from '../src/pricing/format-money.js';
import { parseUsd } from '../src/pricing/money.js';

describe(formatMoney.name, () => {
  it('shows cents from a dollar up, with thousands separators', () => {
    expect(formatMoney(parseUsd('1210'))).toBe('$1,210.00');
    expect(formatMoney(parseUsd('12345.674'))).toBe('$12,345.67');
    expect(formatMoney(parseUsd('12345.675'))).toBe('$12,345.68');
    expect(formatMoney(parseUsd('1'))).toBe('$1.00');
    expect(formatMoney(0n)).toBe('$0.00');
  });

  it('keeps two significant digits below a dollar, so a small cost never reads as $0.00', () => {
    expect(formatMoney(parseUsd('0.0042'))).toBe('$0.0042');
    expect(formatMoney(parseUsd('0.005772'))).toBe('$0.0058');
    expect(formatMoney(parseUsd('0.5'))).toBe('$0.50');
    expect(formatMoney(parseUsd('0.123'))).toBe('$0.12');
    expect(formatMoney(parseUsd('0.000125'))).toBe('$0.00013');
    expect(formatMoney(parseUsd('0.000000000000000001'))).toBe('$0.000000000000000001');
  });

  it('drops zeros that rounding carried past cents', () => {
    expect(formatMoney(parseUsd('0.00996'))).toBe('$0.01');
    expect(formatMoney(parseUsd('0.999'))).toBe('$1.00');
  });

  it('signs negative amounts', () => {
    expect(formatMoney(parseUsd('-0.0042'))).toBe('-$0.0042');
    expect(formatMoney(parseUsd('-1500'))).toBe('-$1,500.00');
  });
});

describe(formatUsdChange.name, () => {
  it('signs the change and its exact percentage', () => {
    expect(formatUsdChange(parseUsd('1200'), parseUsd('800'))).toBe('+$400.00 (+50.0%)');
    expect(formatUsdChange(parseUsd('650'), parseUsd('830'))).toBe('−$180.00 (−21.7%)');
    expect(formatUsdChange(0n, 0n)).toBe('+$0.00 (no change)');
    expect(formatUsdChange(parseUsd('5'), 0n)).toBe('+$5.00 (new)');
  });
});
