/** One span as a test writes it; attributes in plain JS values, typed into OTLP `AnyValue`s here. */
export type JsonSpan = {
  /** 32 hex characters; a resend must repeat it (and `spanId` and `start`). */
  traceId: string;
  /** 16 hex characters. */
  spanId: string;
  start: Date;
  durationMs?: number;
  name?: string;
  attributes: Record<string, string | number | boolean | readonly string[]>;
  /** Span status ERROR, as a failed call's span carries. */
  error?: boolean;
};

function anyValue(value: string | number | boolean | readonly string[]) {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { arrayValue: { values: value.map((item) => ({ stringValue: item })) } };
}

/**
 * An OTLP/JSON `ExportTraceServiceRequest` body (hex ids, nanosecond times as strings), exactly
 * what an exporter posts to `/v1/traces` with `content-type: application/json`.
 */
export function otlpJsonBody(spans: readonly JsonSpan[], resource: Record<string, string> = {}): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })) },
        scopeSpans: [
          {
            spans: spans.map((span) => {
              const startNs = BigInt(span.start.getTime()) * 1_000_000n;
              return {
                traceId: span.traceId,
                spanId: span.spanId,
                name: span.name ?? 'chat',
                kind: 3,
                startTimeUnixNano: String(startNs),
                endTimeUnixNano: String(startNs + BigInt(span.durationMs ?? 1) * 1_000_000n),
                attributes: Object.entries(span.attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
                ...(span.error ? { status: { code: 2, message: 'upstream failed' } } : {}),
              };
            }),
          },
        ],
      },
    ],
  });
}
