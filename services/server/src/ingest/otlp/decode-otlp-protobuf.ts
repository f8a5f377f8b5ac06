import { OtlpDecodeError } from './ingest-http-error.js';
import { bytesToHex } from './bytes-to-hex.js';
import { otlpType } from './otlp-schema.js';
import type {
  OtlpAttributes,
  OtlpAttributeValue,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpTraceRequest,
} from './types.js';

// The shapes protobufjs produces for our schema. Fields absent on the wire are not own
// properties (their defaults live on the prototype), which is how a set oneof member is found.
/** protobufjs decodes 64-bit fields as `Long` objects (from its `long` dependency) or numbers. */
type WireLong = number | { toString(): string; toUnsigned(): { toString(): string } };
type WireAnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: WireLong;
  doubleValue?: number;
  arrayValue?: { values?: WireAnyValue[] };
  kvlistValue?: { values?: WireKeyValue[] };
  bytesValue?: Uint8Array;
};
type WireKeyValue = { key?: string; value?: WireAnyValue };
type WireSpan = {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  startTimeUnixNano?: WireLong;
  endTimeUnixNano?: WireLong;
  attributes?: WireKeyValue[];
  status?: { code?: number; message?: string };
};
type WireRequest = {
  resourceSpans?: Array<{
    resource?: { attributes?: WireKeyValue[] };
    scopeSpans?: Array<{ scope?: { name?: string; version?: string }; spans?: WireSpan[] }>;
  }>;
};

const has = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * Decodes an `ExportTraceServiceRequest` in protobuf. Garbage and truncated bodies fail with an
 * `OtlpDecodeError` (400) that says where decoding stopped, so a client can tell a corrupted body
 * from a server problem.
 */
export function decodeOtlpProtobuf(body: Uint8Array): OtlpTraceRequest {
  let wire: WireRequest;
  try {
    wire = otlpType('ExportTraceServiceRequest').decode(body) as unknown as WireRequest;
  } catch (error) {
    throw new OtlpDecodeError(`The protobuf body is not a valid ExportTraceServiceRequest: ${describe(error)}`, {
      cause: error,
    });
  }
  return {
    resourceSpans: (wire.resourceSpans ?? []).map(
      (resourceSpans): OtlpResourceSpans => ({
        resource: attributesOf(resourceSpans.resource?.attributes),
        scopeSpans: (resourceSpans.scopeSpans ?? []).map(
          (scopeSpans): OtlpScopeSpans => ({
            scope: { name: scopeSpans.scope?.name ?? '', version: scopeSpans.scope?.version ?? '' },
            spans: (scopeSpans.spans ?? []).map(spanOf),
          }),
        ),
      }),
    ),
  };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // protobufjs reports a body cut short as "index out of range: 12 + 10 > 14".
  if (/index out of range/i.test(message)) return `truncated message (${message})`;
  return message;
}

function spanOf(span: WireSpan): OtlpSpan {
  return {
    traceId: span.traceId ? bytesToHex(span.traceId) : '',
    spanId: span.spanId ? bytesToHex(span.spanId) : '',
    parentSpanId: span.parentSpanId ? bytesToHex(span.parentSpanId) : '',
    name: span.name ?? '',
    kind: span.kind ?? 0,
    startTimeUnixNano: unsignedNanos(span.startTimeUnixNano),
    endTimeUnixNano: unsignedNanos(span.endTimeUnixNano),
    attributes: attributesOf(span.attributes),
    status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
  };
}

function unsignedNanos(value: WireLong | undefined): bigint {
  if (value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(value);
  // fixed64 is unsigned; Long keeps the sign flag it was decoded with.
  return BigInt(value.toUnsigned().toString());
}

function attributesOf(list: WireKeyValue[] | undefined): OtlpAttributes {
  const attributes: OtlpAttributes = new Map();
  for (const entry of list ?? []) {
    attributes.set(entry.key ?? '', entry.value ? valueOf(entry.value) : null);
  }
  return attributes;
}

function valueOf(value: WireAnyValue): OtlpAttributeValue {
  if (has(value, 'stringValue')) return value.stringValue ?? '';
  if (has(value, 'boolValue')) return value.boolValue ?? false;
  if (has(value, 'intValue')) return int64(value.intValue ?? 0);
  if (has(value, 'doubleValue')) return value.doubleValue ?? 0;
  if (has(value, 'arrayValue')) return (value.arrayValue?.values ?? []).map(valueOf);
  if (has(value, 'kvlistValue')) {
    return Object.fromEntries((value.kvlistValue?.values ?? []).map((kv) => [kv.key ?? '', kv.value ? valueOf(kv.value) : null]));
  }
  if (has(value, 'bytesValue')) return Buffer.from(value.bytesValue ?? new Uint8Array()).toString('base64');
  return null;
}

function int64(value: WireLong): number | string {
  if (typeof value === 'number') return value;
  const text = value.toString();
  const asNumber = Number(text);
  return Number.isSafeInteger(asNumber) ? asNumber : text;
}
