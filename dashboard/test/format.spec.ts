import { describe, expect, it } from 'vitest';
import { exactPrice, money, moneyWithUnpriced } from '@/lib/format';

describe(exactPrice.name, () => {
  it('shows a catalog price exactly, never rounded to cents', () => {
    expect(exactPrice('0.125')).toBe('$0.125');
    expect(exactPrice('1.25')).toBe('$1.25');
    expect(exactPrice('10.00')).toBe('$10.00');
    expect(exactPrice('0.028')).toBe('$0.028');
    expect(exactPrice('1250')).toBe('$1,250.00');
  });
});

describe(moneyWithUnpriced.name, () => {
  it('says a total with unpriced calls is a floor, and never shows their $0 as a cost', () => {
    expect(moneyWithUnpriced('12.4', 0)).toBe('$12.40');
    expect(moneyWithUnpriced('12.4', 3)).toBe('$12.40 + 3 unpriced calls');
    expect(moneyWithUnpriced('0', 1)).toBe('Unpriced (1 unpriced call)');
  });

  it('formats amounts with the alert messages’ rule', () => {
    expect(money('12345.674')).toBe('$12,345.67');
    expect(money('0.0042')).toBe('$0.0042');
  });
});
