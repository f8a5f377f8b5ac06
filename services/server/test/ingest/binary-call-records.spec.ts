import type { LlmCallRecord } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import { CallRecordsFormatError, CallRecordsWriter, readCallRecords } from '../../src/ingest/spool/binary-call-records.js';
import { callRecord, callRecords } from './support/call-records.js';

/** Every kind of value the layout distinguishes, at its edges. */
function unusualCalls(): LlmCallRecord[] {
  return [
    callRecord({
      // Beyond 2^53 atto-dollars: written as digits, not a float.
      totalCostUsd: 123_456_789_012_345_678_901_234_567n,
      freshInputCostUsd: 9_007_199_254_740_993n,
      cacheReadCostUsd: 9_007_199_254_740_991n,
      outputCostUsd: -5n,
      time: new Date('2026-11-01T00:00:00.007Z'),
      maxTokens: 4_294_967_295,
      timeToFirstTokenMs: 0,
      batch: true,
      costStatus: 'reported',
      status: 'error',
      errorType: 'rate_limit',
      attempt: 65_535,
      inputTokens: 100_000_000,
      // Non-ASCII text, texts of 127, 128 and 20 000 characters (one-byte and longer lengths).
      feature: 'résumé-✓-𝄞',
      endpoint: 'e'.repeat(127),
      userId: 'u'.repeat(128),
      service: '',
      attributes: { 'costscope.dialect': 'genai', 'ключ': 'значение', long: 'x'.repeat(20_000), empty: '' },
    }),
    callRecord({ attributes: {}, costStatus: 'unpriced', pricedModel: '', priceVersion: '', totalCostUsd: 0n }),
  ];
}

describe('binary spool records (CSP2 payload)', () => {
  it('reads back exactly what was written, every field, big amounts and non-ASCII text included', () => {
    const calls = [...callRecords(3), ...unusualCalls()];
    expect(readCallRecords(Buffer.from(new CallRecordsWriter().encode(calls)))).toEqual(calls);
  });

  it('reuses its buffer across batches, growing it for a large one and letting it go afterwards', () => {
    const writer = new CallRecordsWriter(16);
    const large = callRecords(2_000);
    const first = Buffer.from(writer.encode(large, 64 * 1024));
    const small = callRecords(2);
    const second = Buffer.from(writer.encode(small, 64 * 1024));
    expect(readCallRecords(first)).toEqual(large);
    expect(readCallRecords(second)).toEqual(small);
  });

  it('an empty payload is no calls', () => {
    expect(readCallRecords(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses a payload cut inside a call, at every byte', () => {
    const [call] = unusualCalls();
    const whole = Buffer.from(new CallRecordsWriter().encode([call as LlmCallRecord]));
    for (let cut = 1; cut < whole.length; cut += 1) {
      expect(() => readCallRecords(whole.subarray(0, cut)), `cut at ${cut}`).toThrow(CallRecordsFormatError);
    }
  });

  it('refuses bytes that are not this layout (a JSON payload, garbage)', () => {
    expect(() => readCallRecords(Buffer.from('[{"projectId":"p-1","time":1764320400123}]'))).toThrow(CallRecordsFormatError);
    expect(() => readCallRecords(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow(CallRecordsFormatError);
  });
});
