import { describe, expect, it } from 'vitest';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { decodeOtlpJson, priceCalls, processTraceRequest } from '../../server/src/ingest/index.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { callToNdjson, unpricedCallFromNdjson } from '../../server/src/query/call-ndjson.js';
import { importLine } from '../src/import-history.js';
import { historyHours, historyWindow } from '../src/history.js';
import { otlpExportBody } from '../src/otlp-export.js';

const now = new Date('2026-11-25T19:30:00Z');

/**
 * The demo sends its history through the priced import when the key may, as spans otherwise: both
 * must store the very same calls (a run through one and a run through the other store nothing
 * twice, and the totals the demo prints hold either way). The server's own code reads both: the
 * ingest's decode, normalize and price for the spans, the import's line reader and the same
 * pricing for the lines.
 */
describe('the history as import lines', () => {
  const spans = [...historyHours(historyWindow(3, now, 3))].flat();

  it('are the calls the ingest stores for its spans, field for field and to the atto-dollar', () => {
    // Every kind of call is in it: refused attempts, retries, batch, cache reads and writes, no user.
    expect(spans.some((span) => span.errorType !== undefined)).toBe(true);
    expect(spans.some((span) => span.attempt === 2)).toBe(true);
    expect(spans.some((span) => span.call.batch)).toBe(true);
    expect(spans.some((span) => span.call.usage.cacheWriteInputTokens > 0)).toBe(true);
    expect(spans.some((span) => span.call.user === undefined)).toBe(true);

    const ingested = processTraceRequest(decodeOtlpJson(Buffer.from(otlpExportBody(spans))), { projectId: 'demo', now, retentionDays: 90 });
    expect(ingested.partialSuccess.rejectedSpans).toBe(0);
    expect(ingested.records).toHaveLength(spans.length);
    const imported = priceCalls(
      spans.map((span) => unpricedCallFromNdjson(importLine(span))),
      { projectId: 'demo' },
    );
    // OTLP groups the spans by provider; the import keeps the history's order.
    const bySpan = new Map(ingested.records.map((record) => [record.spanId, record]));
    const ingestedInHistoryOrder = imported.records.map((record) => bySpan.get(record.spanId));
    expect(imported.records.map(callToNdjson)).toEqual(ingestedInHistoryOrder.map((record) => (record ? callToNdjson(record) : 'not ingested')));
    expect(imported.records.reduce((sum, record) => sum + record.totalCostUsd, 0n)).toBe(ingested.records.reduce((sum, record) => sum + record.totalCostUsd, 0n));
    expect(imported.records.every((record) => record.costStatus === 'priced')).toBe(true);
  });
});
