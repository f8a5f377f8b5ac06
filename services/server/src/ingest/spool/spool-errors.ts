import { CostscopeError } from '@costscope/core';

/**
 * The spool holds as many bytes as it may: storage has been down long enough that accepting more
 * would risk the disk. The controller answers 503 with `Retry-After: retryAfterSeconds`; the
 * client's exporter retries, and nothing it sent is lost.
 */
export class SpoolFullError extends CostscopeError {
  override readonly name = 'SpoolFullError';
  readonly httpStatus = 503;

  constructor(
    readonly limitBytes: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`The ingest spool is full (${limitBytes} bytes) while storage is unavailable; retry after ${retryAfterSeconds}s`);
  }
}

/** Another live process owns this spool directory: two writers would interleave segments. */
export class SpoolLockedError extends CostscopeError {
  override readonly name = 'SpoolLockedError';
}
