import { CostscopeError } from '@costscope/core';

/**
 * Why a storage call failed, so callers can react (retry later, answer 503, fail the start)
 * without parsing messages.
 * - `unreachable`: no connection (refused, reset, DNS, timeout before an answer).
 * - `auth`: the server refused the credentials.
 * - `server`: the peer answered with an HTTP error that is not a ClickHouse exception (a proxy's 5xx).
 * - `query`: ClickHouse ran the statement and raised an exception (bad SQL, unknown table, bad parameter).
 * - `timeout`: the statement took longer than the configured limit.
 * - `migration`: the schema on disk does not match the migration files.
 * - `invalid`: the caller passed something storage refuses before sending it (an empty project id, an unknown dimension).
 * - `limit`: the query needed more than the read limits allow (`max_memory_usage`, `max_rows_to_group_by`).
 * - `busy`: too many reads already wait on storage; refused at once rather than queued without bound.
 * - `cancelled`: the caller went away (the API client closed its connection) and the query was stopped.
 */
export type StorageFailureKind =
  | 'unreachable'
  | 'auth'
  | 'server'
  | 'query'
  | 'timeout'
  | 'migration'
  | 'invalid'
  | 'limit'
  | 'busy'
  | 'cancelled';

/** Failures a later retry may fix (storage down, slow, saturated): answered 503 with `Retry-After`. */
export const STORAGE_UNAVAILABLE_KINDS: ReadonlySet<StorageFailureKind> = new Set(['unreachable', 'auth', 'server', 'timeout', 'busy']);

/** A storage operation failed. `operation` names the caller's operation (`calls.insert`, `costs.byGroup`…). */
export class CostscopeStorageError extends CostscopeError {
  override readonly name = 'CostscopeStorageError';
  readonly operation: string;
  readonly kind: StorageFailureKind;
  /** ClickHouse's exception code (60 = unknown table, 516 = authentication failed…), when one was given. */
  readonly clickhouseCode: number | undefined;

  constructor(
    operation: string,
    kind: StorageFailureKind,
    message: string,
    details: { cause?: unknown; clickhouseCode?: number | undefined } = {},
  ) {
    super(`${operation} failed (${kind}): ${message}`, { cause: details.cause });
    this.operation = operation;
    this.kind = kind;
    this.clickhouseCode = details.clickhouseCode;
  }

  static override isInstance(value: unknown): value is CostscopeStorageError {
    return CostscopeError.isInstance(value) && (value as Error).name === 'CostscopeStorageError';
  }
}

/** ClickHouse exception codes that mean the credentials were refused. */
export const AUTH_FAILURE_CODES: ReadonlySet<number> = new Set([192, 193, 194, 516]);
/** TIMEOUT_EXCEEDED and friends. */
export const TIMEOUT_CODES: ReadonlySet<number> = new Set([159, 209, 210]);
/** TOO_MANY_ROWS (`max_rows_to_group_by` with `group_by_overflow_mode = 'throw'`), MEMORY_LIMIT_EXCEEDED. */
export const LIMIT_CODES: ReadonlySet<number> = new Set([158, 241]);
/** QUERY_WAS_CANCELLED: stopped by KILL QUERY or by the client closing its connection. */
export const CANCELLED_CODES: ReadonlySet<number> = new Set([394]);
