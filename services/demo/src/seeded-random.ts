/**
 * Deterministic randomness for the demo: the same seed makes the same calls, with the same ids, on
 * every run, so a second run resends spans the server already holds instead of adding new ones.
 */

/** A 32-bit hash of integers (murmur3's finalizer over each part): one seed per hour, call, id. */
export function mixSeed(...parts: number[]): number {
  let hash = 0x9e3779b9;
  for (const part of parts) {
    // Parts may exceed 32 bits (hour numbers since 1970 do not, but seeds might): fold the high half in.
    let value = Math.imul((part >>> 0) ^ Math.floor(part / 0x1_0000_0000), 0xcc9e2d51);
    value = Math.imul((value << 15) | (value >>> 17), 0x1b873593);
    hash = Math.imul(((hash ^ value) << 13) | ((hash ^ value) >>> 19), 5) + 0xe6546b64;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** mulberry32: small, fast, and good enough to shape traffic (not for anything secret). */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** An OTLP id (32 hex for a trace, 16 for a span) from seed parts; never all zeros, which OTLP forbids. */
export function hexId(length: 16 | 32, ...parts: number[]): string {
  let hex = '';
  for (let word = 0; hex.length < length; word += 1) hex += mixSeed(...parts, word).toString(16).padStart(8, '0');
  return hex.slice(0, length - 1) + '1';
}

/** A whole number near `mean`, at most ± `spread` (a share of it) away, at least `min`. */
export function around(random: Random, mean: number, spread: number, min = 1): number {
  // The mean of three uniforms: most values near the mean, a few far from it.
  const skew = (random() + random() + random()) / 1.5 - 1;
  return Math.max(min, Math.round(mean * (1 + spread * skew)));
}

export function pickWeighted<T>(random: Random, items: readonly [T, ...T[]], weight: (item: T) => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let left = random() * total;
  for (const item of items) {
    left -= weight(item);
    if (left < 0) return item;
  }
  // Rounding can leave a sliver past the last item.
  return items[items.length - 1] ?? items[0];
}
