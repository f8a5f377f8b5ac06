import { describe, expect, it } from 'vitest';
import { dateTime64, money } from '../../src/storage/llm-calls.js';

// The TSV writer builds times and amounts without `toISOString` and bigint division; these pin it
// to the reference forms.

function reference(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

describe('TSV text of times and amounts', () => {
  it('dateTime64 equals the ISO form, including day edges and out-of-range years', () => {
    const edges = [
      0, 1, 999, 1000, 86_399_999, 86_400_000, Date.UTC(2026, 1, 28, 23, 59, 59, 999), Date.UTC(2028, 1, 29, 12, 0, 0, 5),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999), 253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001, Date.UTC(1969, 11, 31, 23, 59, 59, 999),
    ];
    for (const ms of edges) expect(dateTime64(new Date(ms))).toBe(reference(new Date(ms)));
    let seed = 7;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const ms = Math.floor((seed / 2_147_483_648) * 4_102_444_800_000);
      expect(dateTime64(new Date(ms))).toBe(reference(new Date(ms)));
    }
  });

  it('money is the exact decimal without trailing zeros', () => {
    const cases: Array<[bigint, string]> = [
      [0n, '0'], [1n, '0.000000000000000001'], [10n ** 18n, '1'], [1_500_000_000_000_000n, '0.0015'],
      [9_007_199_254_740_993n, '0.009007199254740993'], [-25n * 10n ** 16n, '-0.25'], [12_345n * 10n ** 18n + 5n, '12345.000000000000000005'],
    ];
    for (const [amount, text] of cases) expect(money(amount)).toBe(text);
  });
});
