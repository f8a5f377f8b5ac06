import { CostscopeStorageError } from '../../storage/errors.js';

/**
 * ClickHouse exception codes that blame the rows themselves, not the server: the same rows will be
 * refused on every retry, whatever the state of storage. Anything else (refused connections,
 * timeouts, a missing table during a migration, memory limits, an unknown code) may pass later,
 * so those batches stay in the spool and are retried.
 */
const ROW_REFUSED_CODES: ReadonlySet<number> = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND (a Decimal too big for its column)
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  130, // CANNOT_READ_ARRAY_FROM_TEXT
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  407, // DECIMAL_OVERFLOW
  691, // UNKNOWN_ELEMENT_OF_ENUM
]);

/**
 * True when storage refused these calls for what they contain, so retrying them as they are can
 * never succeed: storage's own pre-flight check (`invalid`), a ClickHouse parse/range error, or a
 * `TypeError`/`RangeError` thrown while the rows were being written out (the transports wrap every
 * failure of their own in `CostscopeStorageError`, so these come from the rows' values).
 */
export function isPermanentStorageFailure(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  if (!CostscopeStorageError.isInstance(error)) return false;
  if (error.kind === 'invalid') return true;
  return error.kind === 'query' && error.clickhouseCode !== undefined && ROW_REFUSED_CODES.has(error.clickhouseCode);
}
