import type { LlmCallRecord } from '@costscope/core';
import { ByteWriter } from '../../storage/byte-writer.js';

/**
 * The payload of a `CSP2` spool frame: a batch of calls, binary, one record after another.
 *
 * Why not JSON (the `CSP1` payload, still read): under load every request's calls are written
 * ahead to the spool on the main thread, and `JSON.stringify` of 37-field objects (after copying
 * each to turn its `bigint`s and `Date` into JSON values) cost ~5 µs per call, a seventh of the
 * main thread's work per span. This writes the same fields straight into one reused buffer.
 *
 * Layout of a record, in this order (little-endian):
 * - text: a LEB128 varint of its UTF-8 byte length, then the bytes;
 * - number: a float64 (exact for every JS number: counts, epoch milliseconds, durations);
 * - nullable number: one byte, 0 = null, 1 = a float64 follows;
 * - money (atto-dollars, exact): one byte 0 and a float64 when the amount is a safe integer (nearly
 *   every amount: up to ~$0.009), else 1 and the amount's decimal digits as text;
 * - boolean: one byte, 0 or 1;
 * - attributes: a varint count, then key and value texts.
 *
 * projectId, time, traceId, spanId, service, feature, endpoint, userId, userTier, priority,
 * provider, requestModel, responseModel, operation (texts but `time`, a number); inputTokens,
 * cacheReadInputTokens, cacheWriteInputTokens, outputTokens, reasoningTokens (numbers);
 * costStatus, pricedModel, priceVersion (texts); freshInputCostUsd, cacheReadCostUsd,
 * cacheWriteCostUsd, outputCostUsd, totalCostUsd (money); status, errorType (texts); attempt
 * (number); batch (boolean); maxTokens (nullable); finishReason, promptPrefixHash (texts);
 * latencyMs (number); timeToFirstTokenMs (nullable); attributes.
 *
 * A changed layout needs a new frame magic (`CSP3`), with this reader kept for old segments.
 */
export class CallRecordsWriter extends ByteWriter {
  constructor(initialBytes = 64 * 1024) {
    super(initialBytes);
  }

  /**
   * The records' payload. It is a view of this writer's buffer, valid until the next call: the
   * spool copies it into its frame at once. A buffer that grew past `keepBytes` for one large
   * batch is let go afterwards rather than held for the life of the process.
   */
  encode(records: readonly LlmCallRecord[], keepBytes = 4 * 1024 * 1024): Buffer {
    this.at = 0;
    if (this.buffer.length > keepBytes) this.resize(64 * 1024);
    for (const record of records) this.record(record);
    return this.buffer.subarray(0, this.at);
  }

  private record(c: LlmCallRecord): void {
    this.text(c.projectId);
    this.number(c.time.getTime());
    this.text(c.traceId);
    this.text(c.spanId);
    this.text(c.service);
    this.text(c.feature);
    this.text(c.endpoint);
    this.text(c.userId);
    this.text(c.userTier);
    this.text(c.priority);
    this.text(c.provider);
    this.text(c.requestModel);
    this.text(c.responseModel);
    this.text(c.operation);
    this.number(c.inputTokens);
    this.number(c.cacheReadInputTokens);
    this.number(c.cacheWriteInputTokens);
    this.number(c.outputTokens);
    this.number(c.reasoningTokens);
    this.text(c.costStatus);
    this.text(c.pricedModel);
    this.text(c.priceVersion);
    this.money(c.freshInputCostUsd);
    this.money(c.cacheReadCostUsd);
    this.money(c.cacheWriteCostUsd);
    this.money(c.outputCostUsd);
    this.money(c.totalCostUsd);
    this.text(c.status);
    this.text(c.errorType);
    this.number(c.attempt);
    this.room(1);
    this.buffer[this.at++] = c.batch ? 1 : 0;
    this.nullableNumber(c.maxTokens);
    this.text(c.finishReason);
    this.text(c.promptPrefixHash);
    this.number(c.latencyMs);
    this.nullableNumber(c.timeToFirstTokenMs);
    const keys = Object.keys(c.attributes);
    this.room(5);
    this.varUInt(keys.length);
    for (const key of keys) {
      this.text(key);
      this.text(String(c.attributes[key]));
    }
  }

  protected room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    this.resize(Math.max(this.buffer.length * 2, this.at + bytes));
  }

  private number(value: number): void {
    this.room(8);
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }

  private nullableNumber(value: number | null): void {
    this.room(9);
    if (value === null) {
      this.buffer[this.at++] = 0;
      return;
    }
    this.buffer[this.at++] = 1;
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }

  private money(amount: bigint): void {
    if (amount >= MIN_SAFE && amount <= MAX_SAFE) {
      this.room(9);
      this.buffer[this.at++] = 0;
      this.view.setFloat64(this.at, Number(amount), true);
      this.at += 8;
      return;
    }
    this.room(1);
    this.buffer[this.at++] = 1;
    this.text(amount.toString());
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** A `CSP2` payload that is not a whole sequence of records (cut short, or not this layout). */
export class CallRecordsFormatError extends Error {
  override readonly name = 'CallRecordsFormatError';
}

/** Reads a payload written by `CallRecordsWriter`; throws `CallRecordsFormatError` when it is not one. */
export function readCallRecords(payload: Buffer): LlmCallRecord[] {
  return new CallRecordsReader(payload).all();
}

class CallRecordsReader {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly buffer: Buffer) {
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  all(): LlmCallRecord[] {
    const records: LlmCallRecord[] = [];
    while (this.at < this.buffer.length) records.push(this.record());
    return records;
  }

  private record(): LlmCallRecord {
    return {
      projectId: this.text(),
      time: new Date(this.number()),
      traceId: this.text(),
      spanId: this.text(),
      service: this.text(),
      feature: this.text(),
      endpoint: this.text(),
      userId: this.text(),
      userTier: this.text(),
      priority: this.text(),
      provider: this.text(),
      requestModel: this.text(),
      responseModel: this.text(),
      operation: this.text(),
      inputTokens: this.number(),
      cacheReadInputTokens: this.number(),
      cacheWriteInputTokens: this.number(),
      outputTokens: this.number(),
      reasoningTokens: this.number(),
      costStatus: this.oneOf(COST_STATUSES),
      pricedModel: this.text(),
      priceVersion: this.text(),
      freshInputCostUsd: this.money(),
      cacheReadCostUsd: this.money(),
      cacheWriteCostUsd: this.money(),
      outputCostUsd: this.money(),
      totalCostUsd: this.money(),
      status: this.oneOf(CALL_STATUSES),
      errorType: this.text(),
      attempt: this.number(),
      batch: this.flag() === 1,
      maxTokens: this.nullableNumber(),
      finishReason: this.text(),
      promptPrefixHash: this.text(),
      latencyMs: this.number(),
      timeToFirstTokenMs: this.nullableNumber(),
      attributes: this.attributes(),
    };
  }

  private need(bytes: number): void {
    if (this.at + bytes > this.buffer.length) throw new CallRecordsFormatError(`the payload ends inside a call (at byte ${this.at})`);
  }

  private varUInt(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      this.need(1);
      const byte = this.buffer[this.at++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
      if (scale > 2 ** 35) throw new CallRecordsFormatError(`a length at byte ${this.at} is not a varint`);
    }
  }

  private text(): string {
    const length = this.varUInt();
    this.need(length);
    const value = this.buffer.toString('utf8', this.at, this.at + length);
    this.at += length;
    return value;
  }

  private number(): number {
    this.need(8);
    const value = this.view.getFloat64(this.at, true);
    this.at += 8;
    return value;
  }

  private flag(): number {
    this.need(1);
    const value = this.buffer[this.at++] as number;
    if (value > 1) throw new CallRecordsFormatError(`byte ${this.at - 1} should be 0 or 1, is ${value}`);
    return value;
  }

  private nullableNumber(): number | null {
    return this.flag() === 0 ? null : this.number();
  }

  private money(): bigint {
    if (this.flag() === 0) {
      const amount = this.number();
      if (!Number.isSafeInteger(amount)) throw new CallRecordsFormatError(`an amount reads ${amount}, not whole atto-dollars`);
      return BigInt(amount);
    }
    const digits = this.text();
    if (!/^-?\d+$/.test(digits)) throw new CallRecordsFormatError(`an amount reads "${digits.slice(0, 50)}", not atto-dollar digits`);
    return BigInt(digits);
  }

  private oneOf<T extends string>(allowed: readonly T[]): T {
    const value = this.text();
    if (!(allowed as readonly string[]).includes(value)) throw new CallRecordsFormatError(`"${value.slice(0, 50)}" is none of ${allowed.join(', ')}`);
    return value as T;
  }

  private attributes(): Record<string, string> {
    const count = this.varUInt();
    const attributes: Record<string, string> = {};
    for (let i = 0; i < count; i += 1) {
      const key = this.text();
      attributes[key] = this.text();
    }
    return attributes;
  }
}

const COST_STATUSES = ['priced', 'reported', 'unpriced'] as const;
const CALL_STATUSES = ['ok', 'error'] as const;
