/**
 * A protobuf writer for just what an OTLP trace export holds: varints, fixed64 times, doubles,
 * strings, bytes and nested messages. Nested messages reserve one byte for their length and
 * move their body along when it needs more: most KeyValues are under 128 bytes, and a span's one
 * extra byte costs a copy of a few hundred bytes.
 */
export class OtlpWriter {
  private buffer: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.pos);
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  /** A non-negative integer below 2^53. */
  varint(value: number): void {
    if (value < 0x80) {
      this.ensure(1);
      this.buffer[this.pos++] = value;
      return;
    }
    this.ensure(10);
    const buffer = this.buffer;
    let low = value >>> 0;
    let high = Math.floor(value / 0x1_0000_0000) >>> 0;
    while (high > 0 || low > 0x7f) {
      buffer[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.pos++] = low;
  }

  /** An int64 (`int_value`): negatives take ten bytes, two's complement. */
  int64(value: number): void {
    if (value >= 0) return this.varint(value);
    this.ensure(10);
    let rest = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 9; i += 1) {
      this.buffer[this.pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.pos++] = Number(rest);
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** `fixed64` nanoseconds since the epoch, from whole seconds and the nanoseconds beyond them. */
  unixNanos(seconds: number, nanos: number): void {
    // seconds × 1e9 exceeds 2^53: multiply its two 16-bit halves separately, then carry.
    const upper = Math.floor(seconds / 0x1_0000) * 1e9;
    const lower = (seconds % 0x1_0000) * 1e9 + nanos;
    let low = (upper % 0x1_0000) * 0x1_0000 + (lower % 0x1_0000_0000);
    let high = Math.floor(upper / 0x1_0000) + Math.floor(lower / 0x1_0000_0000);
    if (low >= 0x1_0000_0000) {
      low -= 0x1_0000_0000;
      high += 1;
    }
    this.ensure(8);
    this.buffer.writeUInt32LE(low, this.pos);
    this.buffer.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  string(value: string): void {
    // Keys, names and most values are short ASCII: copied here, without a call into C++ per string.
    if (value.length < 0x80) {
      this.ensure(value.length + 1);
      const buffer = this.buffer;
      const start = this.pos;
      buffer[start] = value.length;
      let at = start + 1;
      for (let i = 0; i < value.length; i += 1) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[at++] = code;
      }
      if (at - start - 1 === value.length) {
        this.pos = at;
        return;
      }
    }
    const length = Buffer.byteLength(value);
    this.varint(length);
    this.ensure(length);
    this.buffer.write(value, this.pos, length, 'utf8');
    this.pos += length;
  }

  /** `length` bytes of `source` from `offset` (ids drawn for a whole batch at once). */
  bytesFrom(source: Buffer, offset: number, length: number): void {
    this.varint(length);
    this.ensure(length);
    source.copy(this.buffer, this.pos, offset, offset + length);
    this.pos += length;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** Bytes given as hex (ids of a parent span read from the app's context). */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.varint(length);
    this.ensure(length);
    this.buffer.write(hex, this.pos, length, 'hex');
    this.pos += length;
  }

  /** Starts a nested message; pass what it returns to `end`. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  end(start: number): void {
    const length = this.pos - start - 1;
    if (length < 0x80) {
      this.buffer[start] = length;
      return;
    }
    let size = 1;
    for (let rest = length >>> 7; rest > 0; rest >>>= 7) size += 1;
    this.ensure(size - 1);
    this.buffer.copyWithin(start + size, start + 1, this.pos);
    this.pos += size - 1;
    let value = length;
    let at = start;
    while (value > 0x7f) {
      this.buffer[at++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buffer[at] = value;
  }

  private ensure(size: number): void {
    if (this.pos + size <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.pos + size));
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }
}
