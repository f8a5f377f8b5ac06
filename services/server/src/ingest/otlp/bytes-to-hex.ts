/**
 * Lower-case hex of an id's bytes, as OTLP/JSON and `LlmCallRecord` spell trace and span ids.
 * protobufjs hands absent `bytes` fields over as its default (an empty array), hence `ArrayLike`.
 */
export function bytesToHex(bytes: Uint8Array | ArrayLike<number>): string {
  if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return Buffer.from(Array.from(bytes)).toString('hex');
}
