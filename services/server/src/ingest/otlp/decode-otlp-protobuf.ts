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
 * Decodes an `ExportTraceServiceRequest` in protobuf, straight from the wire into the decoded
 * form: only the fields the ingest reads (`proto/otlp-trace.proto`, field numbers of
 * opentelemetry-proto) are read, every other field — events, links, trace state, schema urls,
 * scope attributes, fields of later versions — is skipped by its wire type. A reflection decoder
 * (protobufjs) built every message as an object first and then copied it: two thirds of the
 * decode time. Garbage and truncated bodies fail with an `OtlpDecodeError` (400) that says where
 * decoding stopped, so a client can tell a corrupted body from a server problem.
 *
 * A known field sent with another wire type than the schema's is skipped like an unknown one;
 * when a `oneof` member of `AnyValue` repeats, the last one wins, as the protobuf spec says.
 */
export function decodeOtlpProtobuf(body: Uint8Array): OtlpTraceRequest {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const wire = new Wire(buf);
  try {
    const resourceSpans: OtlpResourceSpans[] = [];
    while (wire.pos < buf.length) {
      const tag = wire.varint32(buf.length);
      if (tag === ((1 << 3) | LEN)) resourceSpans.push(readResourceSpans(wire, wire.subMessageEnd(buf.length)));
      else wire.skip(tag, buf.length);
    }
    return { resourceSpans };
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw error;
    throw new OtlpDecodeError(`${INVALID}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

const INVALID = 'The protobuf body is not a valid ExportTraceServiceRequest';

/** Wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const SGROUP = 3;
const EGROUP = 4;
const I32 = 5;

/** A read position in the body; every read is checked against the end of its enclosing message. */
class Wire {
  pos = 0;
  /** The halves of the last `varint64`. */
  low = 0;
  high = 0;

  constructor(readonly buf: Buffer) {}

  truncated(needed: number, end: number): never {
    throw new OtlpDecodeError(`${INVALID}: truncated message (index out of range: ${this.pos} + ${needed} > ${end})`);
  }

  /** The low 32 bits of a varint of up to 10 bytes (tags, lengths, enums, bools). */
  varint32(end: number): number {
    const buf = this.buf;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= end) this.truncated(1, end);
      const byte = buf[this.pos++] as number;
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
    throw new OtlpDecodeError(`${INVALID}: invalid varint encoding at offset ${this.pos}`);
  }

  /** A 64-bit varint into `low` and `high` (both as unsigned 32-bit halves). */
  varint64(end: number): void {
    const buf = this.buf;
    let low = 0;
    let high = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= end) this.truncated(1, end);
      const byte = buf[this.pos++] as number;
      const bits = byte & 0x7f;
      if (shift < 28) low |= bits << shift;
      else if (shift === 28) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (shift - 32);
      if (byte < 0x80) {
        this.low = low >>> 0;
        this.high = high >>> 0;
        return;
      }
    }
    throw new OtlpDecodeError(`${INVALID}: invalid varint encoding at offset ${this.pos}`);
  }

  /** The end of a length-delimited field whose length comes next; it must fit in its parent. */
  subMessageEnd(end: number): number {
    const length = this.varint32(end);
    if (length > end - this.pos) this.truncated(length, end);
    return this.pos + length;
  }

  string(end: number): string {
    const stop = this.subMessageEnd(end);
    const text = this.buf.toString('utf8', this.pos, stop);
    this.pos = stop;
    return text;
  }

  hex(end: number): string {
    const stop = this.subMessageEnd(end);
    const text = this.buf.toString('hex', this.pos, stop);
    this.pos = stop;
    return text;
  }

  fixed64(end: number): bigint {
    if (end - this.pos < 8) this.truncated(8, end);
    const low = this.buf.readUInt32LE(this.pos);
    const high = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    // Below 2^53 (the high half under 2^21) the Number is exact; nanosecond times are above it.
    return high < 0x200000 ? BigInt(high * TWO_TO_THE_32 + low) : (BigInt(high) << 32n) | BigInt(low);
  }

  double(end: number): number {
    if (end - this.pos < 8) this.truncated(8, end);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** Steps over a field the ingest does not read (its tag already read). */
  skip(tag: number, end: number): void {
    switch (tag & 7) {
      case VARINT:
        this.varint32(end);
        return;
      case I64:
        if (end - this.pos < 8) this.truncated(8, end);
        this.pos += 8;
        return;
      case LEN:
        this.pos = this.subMessageEnd(end);
        return;
      case SGROUP: {
        // A group (proto2) runs to its end tag. Groups may nest: counted, not recursed into, so
        // a body of nested group tags cannot exhaust the stack.
        for (let open = 1; open > 0; ) {
          const inner = this.varint32(end);
          if ((inner & 7) === SGROUP) open += 1;
          else if ((inner & 7) === EGROUP) open -= 1;
          else this.skip(inner, end);
        }
        return;
      }
      case I32:
        if (end - this.pos < 4) this.truncated(4, end);
        this.pos += 4;
        return;
    }
    throw new OtlpDecodeError(`${INVALID}: invalid wire type ${tag & 7} at offset ${this.pos}`);
  }
}

const TWO_TO_THE_32 = 4_294_967_296;

function readResourceSpans(wire: Wire, end: number): OtlpResourceSpans {
  let resource: OtlpAttributes = new Map();
  const scopeSpans: OtlpScopeSpans[] = [];
  while (wire.pos < end) {
    const tag = wire.varint32(end);
    if (tag === ((1 << 3) | LEN)) resource = readResource(wire, wire.subMessageEnd(end));
    else if (tag === ((2 << 3) | LEN)) scopeSpans.push(readScopeSpans(wire, wire.subMessageEnd(end)));
    else wire.skip(tag, end);
  }
  return { resource, scopeSpans };
}

function readResource(wire: Wire, end: number): OtlpAttributes {
  const attributes: OtlpAttributes = new Map();
  while (wire.pos < end) {
    const tag = wire.varint32(end);
    if (tag === ((1 << 3) | LEN)) readKeyValueInto(attributes, wire, wire.subMessageEnd(end));
    else wire.skip(tag, end);
  }
  return attributes;
}

function readScopeSpans(wire: Wire, end: number): OtlpScopeSpans {
  let scope = { name: '', version: '' };
  const spans: OtlpSpan[] = [];
  while (wire.pos < end) {
    const tag = wire.varint32(end);
    if (tag === ((2 << 3) | LEN)) spans.push(readSpan(wire, wire.subMessageEnd(end)));
    else if (tag === ((1 << 3) | LEN)) scope = readScope(wire, wire.subMessageEnd(end));
    else wire.skip(tag, end);
  }
  return { scope, spans };
}

function readScope(wire: Wire, end: number): { name: string; version: string } {
  const scope = { name: '', version: '' };
  while (wire.pos < end) {
    const tag = wire.varint32(end);
    if (tag === ((1 << 3) | LEN)) scope.name = wire.string(end);
    else if (tag === ((2 << 3) | LEN)) scope.version = wire.string(end);
    else wire.skip(tag, end);
  }
  return scope;
}

function readSpan(wire: Wire, end: number): OtlpSpan {
  const span: OtlpSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: new Map(),
    status: { code: 0, message: '' },
  };
  while (wire.pos < end) {
    const tag = wire.varint32(end);
    switch (tag) {
      case (9 << 3) | LEN:
        readKeyValueInto(span.attributes, wire, wire.subMessageEnd(end));
        break;
      case (1 << 3) | LEN:
        span.traceId = wire.hex(end);
        break;
      case (2 << 3) | LEN:
        span.spanId = wire.hex(end);
        break;
      case (4 << 3) | LEN:
        span.parentSpanId = wire.hex(end);
        break;
      case (5 << 3) | LEN:
        span.name = wire.string(end);
        break;
      case (6 << 3) | VARINT:
        // int32: the low 32 bits, signed.
        span.kind = wire.varint32(end) | 0;
        break;
      case (7 << 3) | I64:
        span.startTimeUnixNano = wire.fixed64(end);
        break;
      case (8 << 3) | I64:
        span.endTimeUnixNano = wire.fixed64(end);
        break;
      case (15 << 3) | LEN:
        span.status = readStatus(wire, wire.subMessageEnd(end));
        break;
      default:
        wire.skip(tag, end);
    }
  }
  return span;
}

function readStatus(wire: Wire, end: number): { code: number; message: string } {
  const status = { code: 0, message: '' };
  while (wire.pos < end) {
    const tag = wire.varint32(end);
    if (tag === ((3 << 3) | VARINT)) status.code = wire.varint32(end) | 0;
    else if (tag === ((2 << 3) | LEN)) status.message = wire.string(end);
    else wire.skip(tag, end);
  }
  return status;
}

/** A `KeyValue` into `into`; a repeated key keeps the last value (an absent value is `null`). */
function readKeyValueInto(into: OtlpAttributes, wire: Wire, end: number, depth = 1): void {
  let key = '';
  let value: OtlpAttributeValue = null;
  while (wire.pos < end) {
    const tag = wire.varint32(end);
    if (tag === ((1 << 3) | LEN)) key = wire.string(end);
    else if (tag === ((2 << 3) | LEN)) value = readAnyValue(wire, wire.subMessageEnd(end), depth);
    else wire.skip(tag, end);
  }
  into.set(key, value);
}

function readAnyValue(wire: Wire, end: number, depth: number): OtlpAttributeValue {
  let value: OtlpAttributeValue = null;
  while (wire.pos < end) {
    const tag = wire.varint32(end);
    switch (tag) {
      case (1 << 3) | LEN:
        value = wire.string(end);
        break;
      case (2 << 3) | VARINT:
        value = wire.varint32(end) !== 0;
        break;
      case (3 << 3) | VARINT:
        wire.varint64(end);
        value = int64(wire.low, wire.high);
        break;
      case (4 << 3) | I64:
        value = wire.double(end);
        break;
      case (5 << 3) | LEN: {
        tooDeep(depth);
        const stop = wire.subMessageEnd(end);
        const items: OtlpAttributeValue[] = [];
        while (wire.pos < stop) {
          const inner = wire.varint32(stop);
          if (inner === ((1 << 3) | LEN)) items.push(readAnyValue(wire, wire.subMessageEnd(stop), depth + 1));
          else wire.skip(inner, stop);
        }
        value = items;
        break;
      }
      case (6 << 3) | LEN: {
        tooDeep(depth);
        const stop = wire.subMessageEnd(end);
        const entries: OtlpAttributes = new Map();
        while (wire.pos < stop) {
          const inner = wire.varint32(stop);
          if (inner === ((1 << 3) | LEN)) readKeyValueInto(entries, wire, wire.subMessageEnd(stop), depth + 1);
          else wire.skip(inner, stop);
        }
        value = Object.fromEntries(entries);
        break;
      }
      case (7 << 3) | LEN: {
        const stop = wire.subMessageEnd(end);
        value = wire.buf.toString('base64', wire.pos, stop);
        wire.pos = stop;
        break;
      }
      default:
        wire.skip(tag, end);
    }
  }
  return value;
}

function tooDeep(depth: number): void {
  if (depth >= MAX_ANY_VALUE_DEPTH) {
    throw new OtlpDecodeError(`${INVALID}: attribute values are nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  }
}

/**
 * An int64 from its unsigned halves: a Number when it is a safe integer, exact decimal text
 * otherwise (never a silently rounded Number).
 */
function int64(low: number, high: number): number | string {
  // The high half as signed: two's complement across both halves.
  const asNumber = (high | 0) * TWO_TO_THE_32 + low;
  return Number.isSafeInteger(asNumber) ? asNumber : BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low)).toString();
}
