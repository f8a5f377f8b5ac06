/**
 * Bytes written into one reused `Buffer` through a `DataView` (whose little-endian setters V8
 * inlines), with the two encodings the spool's binary frames and ClickHouse's `RowBinary` share:
 * LEB128 varints and texts as their UTF-8 length then their bytes. What happens when the buffer
 * is full is the subclass's: a spool frame grows its buffer (the frame is copied whole), a
 * RowBinary payload hands the filled block on and writes over it (`room`).
 */
export abstract class ByteWriter {
  protected buffer: Buffer;
  protected view: DataView;
  /** Position in the buffer. */
  protected at = 0;

  constructor(bytes: number) {
    this.buffer = Buffer.allocUnsafe(bytes);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  /** Makes sure `bytes` more can be written at `at`. */
  protected abstract room(bytes: number): void;

  /** Replaces the buffer with one of `bytes`, keeping what was written (up to that size). */
  protected resize(bytes: number): void {
    const next = Buffer.allocUnsafe(bytes);
    this.buffer.copy(next, 0, 0, Math.min(this.at, bytes));
    this.buffer = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /**
   * A text: its UTF-8 byte length as a varint, then the bytes. `slack` more bytes are left free
   * after it, for a fixed-width value the caller writes next without asking for room. Short ASCII
   * texts (nearly all of them) are copied a character at a time: cheaper than `Buffer.write` at
   * the 5–40 characters these have.
   */
  protected text(value: string, slack = 0): void {
    const length = value.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the length prefix at most 5.
    this.room(length * 3 + 5 + slack);
    const buffer = this.buffer;
    if (length < 128) {
      let at = this.at + 1;
      let i = 0;
      for (; i < length; i += 1) {
        const code = value.charCodeAt(i);
        if (code > 127) break;
        buffer[at++] = code;
      }
      if (i === length) {
        buffer[this.at] = length;
        this.at = at;
        return;
      }
    }
    this.varUInt(Buffer.byteLength(value, 'utf8'));
    this.at += buffer.write(value, this.at, 'utf8');
  }

  /** A LEB128 varint; the caller made room for it (at most 8 bytes for a safe integer). */
  protected varUInt(value: number): void {
    const buffer = this.buffer;
    let rest = value;
    while (rest >= 0x80) {
      buffer[this.at++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    buffer[this.at++] = rest;
  }
}
