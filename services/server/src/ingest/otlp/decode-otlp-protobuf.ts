import { MAX_ANY_VALUE_DEPTH } from './attribute-limits.js';
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
type WireLong = number | { low: number; high: number; unsigned: boolean; toString(): string };
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
  // protobufjs stops at 100 nested messages (about 47 levels of AnyValue) rather than recurse on.
  if (/max depth exceeded/i.test(message)) return `attribute values are nested deeper than ${MAX_ANY_VALUE_DEPTH} levels (${message})`;
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

const TWO_TO_THE_32 = 4_294_967_296;

function unsignedNanos(value: WireLong | undefined): bigint {
  if (value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(value);
  // fixed64 is unsigned, whatever sign flag the Long was decoded with: both halves as unsigned.
  // From the halves rather than `Long.toString()`, whose decimal conversion cost ~1 µs per span.
  const high = value.high >>> 0;
  const low = value.low >>> 0;
  // Below 2^53 (the high half under 2^21) the Number is exact; nanosecond times are above it.
  return high < 0x200000 ? BigInt(high * TWO_TO_THE_32 + low) : (BigInt(high) << 32n) | BigInt(low);
}

function attributesOf(list: WireKeyValue[] | undefined): OtlpAttributes {
  const attributes: OtlpAttributes = new Map();
  for (const entry of list ?? []) {
    attributes.set(entry.key ?? '', entry.value ? valueOf(entry.value, 1) : null);
  }
  return attributes;
}

function valueOf(value: WireAnyValue, depth: number): OtlpAttributeValue {
  if (has(value, 'stringValue')) return value.stringValue ?? '';
  if (has(value, 'boolValue')) return value.boolValue ?? false;
  if (has(value, 'intValue')) return int64(value.intValue ?? 0);
  if (has(value, 'doubleValue')) return value.doubleValue ?? 0;
  if (depth >= MAX_ANY_VALUE_DEPTH && (has(value, 'arrayValue') || has(value, 'kvlistValue'))) {
    throw new OtlpDecodeError(
      `The protobuf body is not a valid ExportTraceServiceRequest: attribute values are nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`,
    );
  }
  if (has(value, 'arrayValue')) return (value.arrayValue?.values ?? []).map((item) => valueOf(item, depth + 1));
  if (has(value, 'kvlistValue')) {
    return Object.fromEntries(
      (value.kvlistValue?.values ?? []).map((kv) => [kv.key ?? '', kv.value ? valueOf(kv.value, depth + 1) : null]),
    );
  }
  if (has(value, 'bytesValue')) return Buffer.from(value.bytesValue ?? new Uint8Array()).toString('base64');
  return null;
}

function int64(value: WireLong): number | string {
  if (typeof value === 'number') return value;
  // From the halves: exact whenever the result is a safe integer (|high| < 2^21), and anything
  // beyond is not safe however it rounds, so it goes the exact way, through decimal text.
  const asNumber = (value.unsigned ? value.high >>> 0 : value.high) * TWO_TO_THE_32 + (value.low >>> 0);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}
