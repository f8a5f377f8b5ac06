import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Session } from 'chdb';
import { AUTH_FAILURE_CODES, CANCELLED_CODES, CostscopeStorageError, LIMIT_CODES, TIMEOUT_CODES } from './errors.js';
import { currentQuerySignal } from './query-cancellation.js';
import { ConcurrentQueryGate, DEFAULT_QUERY_LIMITS, readDeadlineMs, readLimitsClause, type QueryLimits } from './query-limits.js';
import type { ClickHouseTransport, InsertBatch, QueryParams, Statement } from './transport.js';
import { taggedSql } from './transport.js';

export type EmbeddedTransportOptions = {
  /** chDB binds one data directory per process; the server owns it. */
  dataDir: string;
  database: string;
  /** Per-statement limit of commands and inserts; chDB cannot cancel a running statement, it rejects early instead. */
  queryTimeoutMs?: number;
  /** What one read may cost (memory, time, groups) and how many may wait at once. */
  limits?: QueryLimits;
  /** The raw calls' retention in days (see `ClickHouseTransport.retentionDays`). */
  retentionDays?: number;
};

/**
 * The engine's caches, bounded for a process that shares its host with the app it watches.
 * ClickHouse sizes them for a dedicated server (mark, index-mark and primary-index caches 5 GiB
 * each, the query-condition cache 100 MiB) and never gives back what they filled, so a server
 * that keeps reading months of calls would grow by them for as long as it runs. Costscope's
 * tables are a few wide parts per partition: marks for 10 million calls are ~1 MiB, so these
 * bounds keep every mark of a large install cached. (A short ingest benchmark barely fills them:
 * they are not what its RSS above chDB's floor is made of.)
 *
 * The global thread pool keeps at most 8 idle threads (ClickHouse keeps 1,000): under ingest the
 * engine otherwise grew from ~35 to ~160 threads, and at a fixed 30,000 spans/s the p99 went from
 * 74–132 ms over five runs to 54–58 ms over two (`bench/ingest-load.ts`), CPU per span unchanged.
 */
const ENGINE_ARGS = [
  '--mark_cache_size=67108864',
  '--index_mark_cache_size=16777216',
  '--primary_index_cache_size=33554432',
  '--query_condition_cache_size=16777216',
  '--uncompressed_cache_size=0',
  '--max_thread_pool_free_size=8',
];

/**
 * Writes made through any embedded transport of this process (chDB shares one engine per
 * process), bumped after each: see `ClickHouseTransport.writeGeneration`.
 */
let writes = 0;
async function write(statement: () => Promise<void>): Promise<void> {
  try {
    await statement();
  } finally {
    writes += 1;
  }
}

/**
 * ClickHouse in-process through chDB. Only the async calls are used (`queryBindAsync`,
 * `insert`), which run on libuv's thread pool, so a long query never blocks the event loop.
 *
 * Reads carry the read limits as a `SETTINGS` clause, so the engine itself stops a read past
 * `max_execution_time` or its memory and group limits. chDB runs one statement at a time per
 * session and cannot interrupt a single-shot one (nor can `KILL QUERY` reach it: it would wait
 * behind the read it targets), so a read whose API client went away is released at once — its
 * caller gets `cancelled` — while the engine finishes it in the background, for at most
 * `max_execution_time`. That limit is the bound on work done for a client that has gone.
 */
export async function openEmbeddedTransport(options: EmbeddedTransportOptions): Promise<ClickHouseTransport> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.database)) {
    throw new CostscopeStorageError('storage.open', 'query', `invalid database name ${JSON.stringify(options.database)}`);
  }
  let session: Session;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    session = new Session(options.dataDir, { connectionArgs: ENGINE_ARGS });
  } catch (error) {
    throw new CostscopeStorageError('storage.open', 'unreachable', `cannot open ${options.dataDir}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const timeout = options.queryTimeoutMs ?? 120_000;
  const limits = options.limits ?? DEFAULT_QUERY_LIMITS;
  const gate = new ConcurrentQueryGate(limits.maxConcurrentQueries);
  const limitsClause = readLimitsClause(limits);
  const run = async (statement: Statement, sql: string, runTimeout = timeout, signal = statement.signal): Promise<string> => {
    try {
      const result = await session.queryBindAsync(sql, toChdbParams(statement.params), {
        format: 'JSONEachRow',
        timeout: runTimeout,
        ...(signal ? { signal } : {}),
      });
      return result.text();
    } catch (error) {
      if (signal?.aborted) {
        throw new CostscopeStorageError(statement.tag.operation, 'cancelled', 'the API client went away; the query was abandoned', {
          cause: error,
        });
      }
      throw fromChdbError(statement.tag.operation, error);
    }
  };
  // The session's current database is process-wide state set once, before any other statement.
  await run({ sql: '', tag: { operation: 'storage.open' } }, `CREATE DATABASE IF NOT EXISTS ${options.database}`);
  await run({ sql: '', tag: { operation: 'storage.open' } }, `USE ${options.database}`);

  // chDB's insert takes text formats only, so a binary payload goes through a file that the
  // INSERT reads with `file()`. The files live under the data directory (the engine's own disk)
  // and only for the length of their INSERT; any left by a crash are removed here.
  const payloadDir = join(options.dataDir, 'insert-payloads');
  rmSync(payloadDir, { recursive: true, force: true });
  mkdirSync(payloadDir, { recursive: true });
  let payloads = 0;
  const insertRowBinary = async (batch: Extract<InsertBatch, { rowBinary: unknown }>): Promise<void> => {
    const operation = batch.tag.operation;
    if (batch.types.length !== batch.columns.length) throw new CostscopeStorageError(operation, 'invalid', 'a RowBinary insert needs one type per column');
    const structure = batch.columns.map((column, index) => `${identifier(operation, column)} ${batch.types[index]}`).join(', ');
    payloads += 1;
    const path = join(payloadDir, `${process.pid}-${payloads}.bin`);
    // Written synchronously, before the first await (the contract of `rowBinary`): pieces are
    // reused as soon as they are written, and the caller goes on to its next rows meanwhile.
    let bytes = 0;
    try {
      const file = openSync(path, 'w');
      try {
        batch.rowBinary((piece) => {
          for (let done = 0; done < piece.length; ) done += writeSync(file, piece, done);
          bytes += piece.length;
        });
      } finally {
        closeSync(file);
      }
    } catch (error) {
      rmSync(path, { force: true });
      // Only the file system's errors (ENOSPC, EACCES…) mean the payload could not be written.
      if (typeof (error as { code?: unknown }).code !== 'string') throw error;
      throw new CostscopeStorageError(operation, 'unreachable', `cannot write the insert payload under ${payloadDir}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    try {
      if (bytes === 0) return;
      const statement: Statement = {
        sql:
          `INSERT INTO ${identifier(operation, batch.table)} (${batch.columns.join(', ')}) ` +
          `SELECT * FROM file({path:String}, 'RowBinary', {structure:String})` +
          (batch.distinctRows ? ' SETTINGS optimize_on_insert = 0' : ''),
        params: { path, structure },
        tag: batch.tag,
      };
      await run(statement, taggedSql(statement));
    } finally {
      await rm(path, { force: true });
    }
  };

  return {
    kind: 'embedded',
    writeGeneration: () => writes,
    ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
    async query<Row>(statement: Statement): Promise<Row[]> {
      const operation = statement.tag.operation;
      const cancel = statement.signal ?? currentQuerySignal();
      if (cancel?.aborted) throw new CostscopeStorageError(operation, 'cancelled', 'the API client went away before the query ran');
      const deadline = AbortSignal.timeout(readDeadlineMs(limits));
      let release: (() => void) | undefined;
      try {
        release = await gate.enter(operation, cancel ? AbortSignal.any([cancel, deadline]) : deadline);
      } catch (error) {
        if (CostscopeStorageError.isInstance(error)) throw error;
        const kind = cancel?.aborted ? 'cancelled' : 'timeout';
        throw new CostscopeStorageError(operation, kind, 'gave up waiting for a place among the running reads', { cause: error });
      }
      try {
        const text = await run(statement, `${taggedSql(statement)}${limitsClause}`, readDeadlineMs(limits), cancel);
        return parseJsonEachRow<Row>(text, operation);
      } finally {
        release();
      }
    },
    async command(statement: Statement): Promise<void> {
      await write(async () => {
        await run(statement, taggedSql(statement));
      });
    },
    async insert(batch: InsertBatch): Promise<void> {
      // Not awaited here: the payload must be written before this function first yields.
      if ('rowBinary' in batch) return write(() => insertRowBinary(batch));
      if (batch.tsv.length === 0) return;
      await write(async () => {
        try {
          await session.insert({
            table: batch.table,
            columns: batch.columns,
            values: batch.tsv,
            format: 'TabSeparated',
            timeout,
          });
        } catch (error) {
          throw fromChdbError(batch.tag.operation, error);
        }
      });
    },
    async ping(): Promise<void> {
      await run({ sql: 'SELECT 1', tag: { operation: 'storage.ping' } }, 'SELECT 1');
    },
    async close(): Promise<void> {
      session.close();
    },
  };
}

/** chDB's binding TSV-escapes strings itself, so values go over as plain JS values. */
function toChdbParams(params: QueryParams | undefined): Record<string, unknown> {
  if (!params) return {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    out[name] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return out;
}

export function parseJsonEachRow<Row>(text: string, operation: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    try {
      rows.push(JSON.parse(line) as Row);
    } catch (error) {
      throw new CostscopeStorageError(operation, 'query', `unreadable result line: ${line.slice(0, 120)}`, { cause: error });
    }
  }
  return rows;
}

function fromChdbError(operation: string, error: unknown): CostscopeStorageError {
  const code = (error as { clickhouseCode?: unknown }).clickhouseCode;
  const clickhouseCode = typeof code === 'number' ? code : undefined;
  const name = (error as { name?: unknown }).name;
  let kind: 'query' | 'timeout' | 'unreachable' | 'auth' | 'limit' | 'cancelled' = 'query';
  if (name === 'ChdbTimeoutError' || (clickhouseCode !== undefined && TIMEOUT_CODES.has(clickhouseCode))) kind = 'timeout';
  else if (name === 'ChdbConnectionError' || name === 'ChdbClosedError') kind = 'unreachable';
  else if (clickhouseCode !== undefined && AUTH_FAILURE_CODES.has(clickhouseCode)) kind = 'auth';
  else if (clickhouseCode !== undefined && LIMIT_CODES.has(clickhouseCode)) kind = 'limit';
  else if (clickhouseCode !== undefined && CANCELLED_CODES.has(clickhouseCode)) kind = 'cancelled';
  return new CostscopeStorageError(operation, kind, messageOf(error), { cause: error, clickhouseCode });
}

/** Table and column names come from our code; anything else is refused before it reaches SQL. */
function identifier(operation: string, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CostscopeStorageError(operation, 'invalid', `invalid identifier ${JSON.stringify(name)}`);
  return name;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
