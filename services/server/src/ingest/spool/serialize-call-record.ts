import type { LlmCallRecord } from '@costscope/core';

/** The JSON form of a record in the spool: money as exact decimal integer strings, time as epoch ms. */
export type SpooledCallRecord = Omit<
  LlmCallRecord,
  'time' | 'freshInputCostUsd' | 'cacheReadCostUsd' | 'cacheWriteCostUsd' | 'outputCostUsd' | 'totalCostUsd'
> & {
  time: number;
  freshInputCostUsd: string;
  cacheReadCostUsd: string;
  cacheWriteCostUsd: string;
  outputCostUsd: string;
  totalCostUsd: string;
};

/** Atto-dollar `bigint`s become their exact decimal digits; nothing goes through a float. */
export function serializeCallRecord(record: LlmCallRecord): SpooledCallRecord {
  return {
    ...record,
    time: record.time.getTime(),
    freshInputCostUsd: record.freshInputCostUsd.toString(),
    cacheReadCostUsd: record.cacheReadCostUsd.toString(),
    cacheWriteCostUsd: record.cacheWriteCostUsd.toString(),
    outputCostUsd: record.outputCostUsd.toString(),
    totalCostUsd: record.totalCostUsd.toString(),
  };
}

export function deserializeCallRecord(spooled: SpooledCallRecord): LlmCallRecord {
  return {
    ...spooled,
    time: new Date(spooled.time),
    freshInputCostUsd: BigInt(spooled.freshInputCostUsd),
    cacheReadCostUsd: BigInt(spooled.cacheReadCostUsd),
    cacheWriteCostUsd: BigInt(spooled.cacheWriteCostUsd),
    outputCostUsd: BigInt(spooled.outputCostUsd),
    totalCostUsd: BigInt(spooled.totalCostUsd),
  };
}
