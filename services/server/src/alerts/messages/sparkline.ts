const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
const TOP = BigInt(BARS.length - 1);

/**
 * A one-line chart of recent values ("▁▂▁▃▅▆█"), lowest value at the bottom bar, highest at the
 * top. Money points stay bigint: the bar is chosen by exact integer division, not floats.
 */
export function sparkline(points: readonly bigint[] | readonly number[]): string {
  if (points.length === 0) return '';
  if (typeof points[0] === 'bigint') return bigintSparkline(points as readonly bigint[]);
  // Whole-number scaling keeps one code path; three decimals are plenty to pick one of 8 bars.
  return bigintSparkline((points as readonly number[]).map((point) => BigInt(Math.round(point * 1000))));
}

function bigintSparkline(points: readonly bigint[]): string {
  const min = points.reduce((low, point) => (point < low ? point : low));
  const max = points.reduce((high, point) => (point > high ? point : high));
  const span = max - min;
  // A flat series is drawn at mid height so it reads as "steady", not "nothing".
  if (span === 0n) return BARS[3].repeat(points.length);
  return points.map((point) => BARS[Number(((point - min) * TOP * 2n + span) / (span * 2n))]).join('');
}
