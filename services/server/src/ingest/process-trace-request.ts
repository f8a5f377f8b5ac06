import type { LlmCallRecord, PriceOverrideInput } from '@costscope/core';
import type { SkipReason } from './normalize/call-reading.js';
import type { InvalidSpanCode } from './normalize/invalid-span-error.js';
import type { NormalizedCall } from './normalize/normalized-call.js';
import { normalizeSpan } from './normalize/normalize-span.js';
import type { OtlpPartialSuccess, OtlpTraceRequest } from './otlp/types.js';
import { priceCalls } from './pricing/price-calls.js';

export type ProcessTraceRequestOptions = {
  projectId: string;
  overrides?: readonly PriceOverrideInput[];
  now: Date;
  retentionDays: number;
};

export type ProcessedTraceRequest = {
  /** Priced calls to make durable (insert or spool) before answering 200. */
  records: LlmCallRecord[];
  /** For the OTLP answer: `encodeOtlpExportResponse(partialSuccess, encoding)`. */
  partialSuccess: OtlpPartialSuccess;
  spansReceived: number;
  /** Spans that are not LLM calls, by reason (accepted, not stored). */
  skipped: Partial<Record<SkipReason, number>>;
  /** Refused spans, by reason code (for metrics). */
  rejected: Partial<Record<InvalidSpanCode, number>>;
  unpricedModels: string[];
};

/** At most this many distinct reasons are spelled out in `errorMessage`; the count covers all. */
const MAX_REASONS_IN_MESSAGE = 5;

/**
 * The storage-independent heart of `POST /v1/traces`: every span of a decoded request is
 * normalized (call / skipped / invalid), the calls are priced for the project, and the OTLP
 * partial-success answer is built from the invalid ones. Pure: the controller passes the clock.
 */
export function processTraceRequest(request: OtlpTraceRequest, options: ProcessTraceRequestOptions): ProcessedTraceRequest {
  const calls: NormalizedCall[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  const rejected: Partial<Record<InvalidSpanCode, number>> = {};
  const reasons: string[] = [];
  let spansReceived = 0;
  let rejectedSpans = 0;

  for (const resourceSpans of request.resourceSpans) {
    for (const scopeSpans of resourceSpans.scopeSpans) {
      for (const span of scopeSpans.spans) {
        spansReceived += 1;
        const outcome = normalizeSpan(span, resourceSpans.resource, options);
        if (outcome.kind === 'call') calls.push(outcome.call);
        else if (outcome.kind === 'skipped') skipped[outcome.reason] = (skipped[outcome.reason] ?? 0) + 1;
        else {
          rejectedSpans += 1;
          rejected[outcome.code] = (rejected[outcome.code] ?? 0) + 1;
          if (reasons.length < MAX_REASONS_IN_MESSAGE) reasons.push(`span ${span.spanId || '(no id)'}: ${outcome.reason}`);
        }
      }
    }
  }

  const { records, unpricedModels } = priceCalls(calls, options);
  const more = rejectedSpans - reasons.length;
  return {
    records,
    partialSuccess: {
      rejectedSpans,
      errorMessage:
        rejectedSpans === 0
          ? ''
          : `${rejectedSpans} span${rejectedSpans === 1 ? '' : 's'} rejected — ${reasons.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    },
    spansReceived,
    skipped,
    rejected,
    unpricedModels,
  };
}
