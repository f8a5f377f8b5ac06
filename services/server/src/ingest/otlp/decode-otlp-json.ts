import { MAX_ANY_VALUE_DEPTH } from './attribute-limits.js';
import { OtlpDecodeError } from './ingest-http-error.js';
import type {
  OtlpAttributes,
  OtlpAttributeValue,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpTraceRequest,
} from './types.js';

/**
 * Decodes an `ExportTraceServiceRequest` in the OTLP JSON mapping (opentelemetry-proto's
 * "JSON Protobuf Encoding"): lowerCamelCase keys (snake_case accepted too, as the protobuf JSON
 * mapping allows), trace and span ids as hex rather than base64, enums as integers (names
 * accepted), 64-bit integers as decimal strings or numbers, unknown fields ignored.
 *
 * AnyValue nesting deeper than `MAX_ANY_VALUE_DEPTH` is refused (400) before it is walked, so a
 * crafted body cannot overflow the stack.
 *
 * Limits: `startTimeUnixNano` sent as a JSON *number* (rather than the spec's string) passes
 * through `JSON.parse`, which rounds above 2^53 — a few hundred nanoseconds at today's epoch,
 * far below the millisecond a call's time is kept at.
 */
export function decodeOtlpJson(body: Uint8Array | string): OtlpTraceRequest {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new OtlpDecodeError(`The JSON body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const root = object(parsed, '$');
  return {
    resourceSpans: list(field(root, 'resourceSpans', 'resource_spans'), '$.resourceSpans').map(
      (raw, i): OtlpResourceSpans => {
        const path = `$.resourceSpans[${i}]`;
        const resourceSpans = object(raw, path);
        const resource = optionalObject(field(resourceSpans, 'resource'), `${path}.resource`);
        return {
          resource: attributes(resource && field(resource, 'attributes'), `${path}.resource.attributes`),
          scopeSpans: list(field(resourceSpans, 'scopeSpans', 'scope_spans'), `${path}.scopeSpans`).map(
            (rawScope, j): OtlpScopeSpans => {
              const scopePath = `${path}.scopeSpans[${j}]`;
              const scopeSpans = object(rawScope, scopePath);
              const scope = optionalObject(field(scopeSpans, 'scope'), `${scopePath}.scope`);
              return {
                scope: {
                  name: string(scope && field(scope, 'name'), `${scopePath}.scope.name`),
                  version: string(scope && field(scope, 'version'), `${scopePath}.scope.version`),
                },
                spans: list(field(scopeSpans, 'spans'), `${scopePath}.spans`).map((rawSpan, k) =>
                  span(rawSpan, `${scopePath}.spans[${k}]`),
                ),
              };
            },
          ),
        };
      },
    ),
  };
}

type JsonObject = Record<string, unknown>;

function fail(path: string, expected: string, got: unknown): never {
  const shown = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
  throw new OtlpDecodeError(`The JSON body is not a valid ExportTraceServiceRequest: ${path} must be ${expected}, got ${shown}`);
}

function field(from: JsonObject, camel: string, snake?: string): unknown {
  const value = from[camel];
  return value === undefined && snake !== undefined ? from[snake] : value;
}

function object(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as JsonObject;
}

function optionalObject(value: unknown, path: string): JsonObject | undefined {
  return value === undefined || value === null ? undefined : object(value, path);
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

function string(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(path, 'a string', value);
  return value;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function hexId(value: unknown, path: string): string {
  const text = string(value, path);
  if (!HEX.test(text)) fail(path, 'hex (OTLP/JSON ids are hex, not base64)', value);
  return text.toLowerCase();
}

const INTEGER = /^-?\d+$/;

function int64(value: unknown, path: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && INTEGER.test(value)) return BigInt(value);
  fail(path, 'an integer (a decimal string or a number)', value);
}

const TWO_TO_THE_64 = 2n ** 64n;

function unsignedNanos(value: unknown, path: string): bigint {
  const nanos = int64(value, path);
  if (nanos < 0n || nanos >= TWO_TO_THE_64) fail(path, 'a fixed64 (0 to 2^64 − 1)', value);
  return nanos;
}

function enumValue(value: unknown, path: string, names: Record<string, number>): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && names[value] !== undefined) return names[value];
  fail(path, `an enum integer (or one of ${Object.keys(names).join(', ')})`, value);
}

const SPAN_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODE_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function span(raw: unknown, path: string): OtlpSpan {
  const value = object(raw, path);
  const status = optionalObject(field(value, 'status'), `${path}.status`);
  return {
    traceId: hexId(field(value, 'traceId', 'trace_id'), `${path}.traceId`),
    spanId: hexId(field(value, 'spanId', 'span_id'), `${path}.spanId`),
    parentSpanId: hexId(field(value, 'parentSpanId', 'parent_span_id'), `${path}.parentSpanId`),
    name: string(field(value, 'name'), `${path}.name`),
    kind: enumValue(field(value, 'kind'), `${path}.kind`, SPAN_KIND_NAMES),
    startTimeUnixNano: unsignedNanos(field(value, 'startTimeUnixNano', 'start_time_unix_nano'), `${path}.startTimeUnixNano`),
    endTimeUnixNano: unsignedNanos(field(value, 'endTimeUnixNano', 'end_time_unix_nano'), `${path}.endTimeUnixNano`),
    attributes: attributes(field(value, 'attributes'), `${path}.attributes`),
    status: {
      code: status ? enumValue(field(status, 'code'), `${path}.status.code`, STATUS_CODE_NAMES) : 0,
      message: string(status && field(status, 'message'), `${path}.status.message`),
    },
  };
}

function attributes(raw: unknown, path: string, depth = 0): OtlpAttributes {
  const result: OtlpAttributes = new Map();
  const entries = list(raw, path);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    // Most attributes are `{ key, value: { stringValue } }`: taken without building the paths an
    // error message would need (they were most of this decoder's time).
    if (typeof entry === 'object' && entry !== null && depth < MAX_ANY_VALUE_DEPTH) {
      const { key, value } = entry as JsonObject;
      const text = typeof value === 'object' && value !== null ? (value as JsonObject).stringValue : undefined;
      if (typeof key === 'string' && typeof text === 'string') {
        result.set(key, text);
        continue;
      }
    }
    const keyValue = object(entry, `${path}[${i}]`);
    const key = string(field(keyValue, 'key'), `${path}[${i}].key`);
    const value = field(keyValue, 'value');
    result.set(key, value === undefined || value === null ? null : anyValue(value, `${path}[${i}].value`, depth + 1));
  }
  return result;
}

/** Decimal integers of up to 15 digits are safe integers: no BigInt needed to keep them exact. */
const SAFE_DECIMAL = /^-?\d{1,15}$/;

function anyValue(raw: unknown, path: string, depth: number): OtlpAttributeValue {
  if (depth > MAX_ANY_VALUE_DEPTH) {
    throw new OtlpDecodeError(
      `The JSON body is not a valid ExportTraceServiceRequest: ${path.slice(0, 200)}… nests attribute values deeper than ${MAX_ANY_VALUE_DEPTH} levels`,
    );
  }
  const value = object(raw, path);
  const stringValue = field(value, 'stringValue', 'string_value');
  if (stringValue !== undefined) return string(stringValue, `${path}.stringValue`);
  const boolValue = field(value, 'boolValue', 'bool_value');
  if (boolValue !== undefined) {
    if (typeof boolValue !== 'boolean') fail(`${path}.boolValue`, 'a boolean', boolValue);
    return boolValue;
  }
  const intValue = field(value, 'intValue', 'int_value');
  if (intValue !== undefined) {
    // `|| 0`: a negative zero is zero, as through BigInt.
    if (typeof intValue === 'string' && SAFE_DECIMAL.test(intValue)) return Number(intValue) || 0;
    if (typeof intValue === 'number' && Number.isSafeInteger(intValue)) return intValue || 0;
    const exact = int64(intValue, `${path}.intValue`);
    return Number.isSafeInteger(Number(exact)) ? Number(exact) : exact.toString();
  }
  const doubleValue = field(value, 'doubleValue', 'double_value');
  if (doubleValue !== undefined) return double(doubleValue, `${path}.doubleValue`);
  const arrayValue = field(value, 'arrayValue', 'array_value');
  if (arrayValue !== undefined) {
    const array = object(arrayValue, `${path}.arrayValue`);
    return list(field(array, 'values'), `${path}.arrayValue.values`).map((item, i) =>
      anyValue(item, `${path}.arrayValue.values[${i}]`, depth + 1),
    );
  }
  const kvlistValue = field(value, 'kvlistValue', 'kvlist_value');
  if (kvlistValue !== undefined) {
    const kvlist = object(kvlistValue, `${path}.kvlistValue`);
    return Object.fromEntries(attributes(field(kvlist, 'values'), `${path}.kvlistValue.values`, depth));
  }
  const bytesValue = field(value, 'bytesValue', 'bytes_value');
  // Bytes stay base64, as the protobuf JSON mapping sends them.
  if (bytesValue !== undefined) return string(bytesValue, `${path}.bytesValue`);
  return null;
}

function double(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  // The protobuf JSON mapping spells non-finite doubles as strings.
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  fail(path, 'a number', value);
}
