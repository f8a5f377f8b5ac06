/**
 * JSON for what the outbox stores (alert groups, weekly digests, delivery outcomes): money stays
 * exact as `{ "$bigint": "…" }` and instants come back as `Date`s, so a message re-sent after a
 * restart renders exactly the figures of the first attempt.
 */
export function encodePayload(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key: string, item: unknown) {
      const raw = this[key];
      if (raw instanceof Date) return { $date: raw.toISOString() };
      if (typeof item === 'bigint') return { $bigint: item.toString() };
      return item;
    }),
  ) as unknown;
}

export function decodePayload<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value), (_key, item: unknown) => {
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 1 && typeof record.$bigint === 'string') return BigInt(record.$bigint);
      if (keys.length === 1 && typeof record.$date === 'string') return new Date(record.$date);
    }
    return item;
  }) as T;
}
