import { performance } from 'node:perf_hooks';
import { randomFillSync } from 'node:crypto';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { CallRecord, RecordScope } from './call-record.js';
import { OtlpWriter } from './otlp-writer.js';

/** `flags` of a span: sampled, and "whether the parent is remote" is known (OTLP 1.x). */
const SAMPLED_FLAGS = 0x01 | 0x100;
const REMOTE_PARENT_FLAG = 0x200;
const ID_BYTES = 16 + 8;

/**
 * An OTLP `ExportTraceServiceRequest` (protobuf) of call records, as OpenTelemetry's exporter
 * would write the same spans: one resource, one scope per instrumentation, and per span its ids,
 * parent, name, kind, times, attributes, status and flags (field numbers from opentelemetry-proto
 * trace/v1). `resource` is the encoded `Resource` message, written once per process.
 */
export function encodeCallRecords(records: readonly CallRecord[], resource: Buffer): Buffer {
  const writer = new OtlpWriter(1024 + records.length * 768);
  const ids = randomFillSync(Buffer.allocUnsafe(records.length * ID_BYTES));
  const byScope = new Map<RecordScope, number[]>();
  for (let i = 0; i < records.length; i += 1) {
    const scope = (records[i] as CallRecord).scope;
    const indexes = byScope.get(scope);
    if (indexes === undefined) byScope.set(scope, [i]);
    else indexes.push(i);
  }
  writer.tag(1, 2); // resource_spans
  const resourceSpans = writer.begin();
  writer.tag(1, 2); // resource
  writer.bytes(resource);
  for (const [scope, indexes] of byScope) {
    writer.tag(2, 2); // scope_spans
    const scopeSpans = writer.begin();
    writer.tag(1, 2); // scope
    const scopeStart = writer.begin();
    writer.tag(1, 2);
    writer.string(scope.name);
    if (scope.version !== undefined && scope.version !== '') {
      writer.tag(2, 2);
      writer.string(scope.version);
    }
    writer.end(scopeStart);
    for (const index of indexes) {
      writer.tag(2, 2); // spans
      writeSpan(writer, records[index] as CallRecord, ids, index * ID_BYTES);
    }
    writer.end(scopeSpans);
  }
  writer.end(resourceSpans);
  return writer.finish();
}

/** The `Resource` message of the process's spans (its attributes only). */
export function encodeResource(attributes: Attributes): Buffer {
  const writer = new OtlpWriter(512);
  writeAttributes(writer, 1, attributes);
  return Buffer.from(writer.finish());
}

/** `randomIds` from `idsAt`: 16 bytes of trace id, 8 of span id, for a span whose ids were not drawn yet. */
function writeSpan(writer: OtlpWriter, record: CallRecord, randomIds: Buffer, idsAt: number): void {
  const span = writer.begin();
  const drawn = record.drawnIds;
  const parent = record.parent;
  writer.tag(1, 2); // trace_id
  if (drawn !== undefined) writer.hexBytes(drawn.traceId);
  else if (parent !== undefined) writer.hexBytes(parent.traceId);
  else writer.bytesFrom(randomIds, idsAt, 16);
  writer.tag(2, 2); // span_id
  if (drawn !== undefined) writer.hexBytes(drawn.spanId);
  else writer.bytesFrom(randomIds, idsAt + 16, 8);
  if (parent !== undefined) {
    writer.tag(4, 2); // parent_span_id
    writer.hexBytes(parent.spanId);
  }
  writer.tag(5, 2);
  writer.string(record.name);
  writer.tag(6, 0); // kind: OTLP counts from 1 (0 is unspecified)
  writer.varint(record.kind + 1);
  writer.tag(7, 1);
  writeTime(writer, record.startedAt);
  writer.tag(8, 1);
  writeTime(writer, record.endedAt);
  if (record.attributes !== undefined) writeAttributes(writer, 9, record.attributes, record.later);
  const later = record.later;
  for (let i = 0; i < later.length; i += 2) writeKeyValue(writer, 9, later[i] as string, later[i + 1]);
  writer.tag(15, 2); // status
  const status = writer.begin();
  const message = record.status?.message;
  if (message !== undefined && message !== '') {
    writer.tag(2, 2);
    writer.string(message);
  }
  writer.tag(3, 0);
  writer.varint(record.status?.code ?? 0);
  writer.end(status);
  writer.tag(16, 5);
  writer.fixed32(parent?.isRemote === true ? SAMPLED_FLAGS | REMOTE_PARENT_FLAG : SAMPLED_FLAGS);
  writer.end(span);
}

/** A `performance.now()` reading as Unix nanoseconds (sub-microsecond precision is all a double keeps). */
function writeTime(writer: OtlpWriter, monotonicMs: number): void {
  const ms = performance.timeOrigin + monotonicMs;
  const seconds = Math.floor(ms / 1000);
  writer.unixNanos(seconds, Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6)));
}

/** Attributes as repeated `KeyValue`s, leaving out keys set again later (`overridden`: key, value…). */
function writeAttributes(writer: OtlpWriter, field: number, attributes: Attributes, overridden?: readonly unknown[]): void {
  for (const key in attributes) {
    if (overridden !== undefined && overridden.length > 0 && isOverridden(overridden, key)) continue;
    writeKeyValue(writer, field, key, attributes[key]);
  }
}

function isOverridden(later: readonly unknown[], key: string): boolean {
  for (let i = 0; i < later.length; i += 2) if (later[i] === key) return true;
  return false;
}

function writeKeyValue(writer: OtlpWriter, field: number, key: string, value: AttributeValue | undefined): void {
  if (value === undefined || value === null) return;
  writer.tag(field, 2);
  const keyValue = writer.begin();
  writer.tag(1, 2);
  writer.string(key);
  writer.tag(2, 2);
  const anyValue = writer.begin();
  writeAnyValue(writer, value);
  writer.end(anyValue);
  writer.end(keyValue);
}

/** `AnyValue`: integers as `int_value` and other numbers as `double_value`, as OpenTelemetry's exporter does. */
function writeAnyValue(writer: OtlpWriter, value: AttributeValue | null | undefined): void {
  if (typeof value === 'string') {
    writer.tag(1, 2);
    writer.string(value);
  } else if (typeof value === 'boolean') {
    writer.tag(2, 0);
    writer.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) {
      writer.tag(3, 0);
      writer.int64(value);
    } else {
      writer.tag(4, 1);
      writer.double(value);
    }
  } else if (Array.isArray(value)) {
    writer.tag(5, 2);
    const array = writer.begin();
    for (const item of value) {
      writer.tag(1, 2);
      const element = writer.begin();
      writeAnyValue(writer, item);
      writer.end(element);
    }
    writer.end(array);
  }
}
