import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { AUTH_FAILURE_CODES, CANCELLED_CODES, CostscopeStorageError, LIMIT_CODES, TIMEOUT_CODES } from './errors.js';
import { currentQuerySignal } from './query-cancellation.js';
import { ConcurrentQueryGate, DEFAULT_QUERY_LIMITS, readDeadlineMs, readLimitSettings, type QueryLimits } from './query-limits.js';
import type { ClickHouseTransport, InsertBatch, QueryTag, Statement } from './transport.js';
import { taggedSql } from './transport.js';

export type HttpTransportOptions = {
  url: string;
  username: string;
  password: string;
  database: string;
  /** Per-request limit of commands and inserts. Default 60 s. Reads follow `limits` instead. */
  requestTimeoutMs?: number;
  /** What one read may cost (memory, time, groups) and how many may wait at once. */
  limits?: QueryLimits;
  /** `COSTSCOPE_CLICKHOUSE_CLUSTER`: statements carry the settings a cluster needs (see below). */
  cluster?: string | undefined;
};

/**
 * What a cluster needs of every statement (docs/scaling.md):
 * - `distributed_product_mode = 'local'`: a read of a Distributed table with a subquery on
 *   another (the rollup reads, the dedup view) runs the subquery on each shard's local table.
 *   Every table is sharded by project, so a project's rows and its subqueries' rows are on the
 *   same shard; the default (`deny`) would refuse these reads.
 * And of statements marked `quorum` (state every process must agree on at once):
 * - writes with `insert_quorum = 'auto'` (a majority of the replicas holds the rows before the
 *   write is acknowledged) and `insert_quorum_parallel = 0` (which sequential reads require);
 * - reads with `select_sequential_consistency = 1`: a replica that lacks an acknowledged write
 *   refuses the read instead of answering without it.
 */
function clusterSettings(cluster: string | undefined, statement: { quorum?: boolean }, write: boolean): Record<string, string | number> {
  if (!cluster) return {};
  const settings: Record<string, string | number> = { distributed_product_mode: 'local' };
  if (statement.quorum && write) Object.assign(settings, { insert_quorum: 'auto', insert_quorum_parallel: 0 });
  if (statement.quorum && !write) settings.select_sequential_consistency = 1;
  return settings;
}

/** How long a `KILL QUERY` for an abandoned read may take: it is a courtesy, never awaited by a caller. */
const KILL_TIMEOUT_MS = 5_000;
/** `SELECT 1` answers in milliseconds on any live server. */
const PING_TIMEOUT_MS = 5_000;

/**
 * A deadline from the moment of the call: the client's own `request_timeout` starts only once a
 * socket is assigned, so a request queued behind hung ones would otherwise wait without end.
 */
function withDeadline(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const deadline = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, deadline]) : deadline;
}

/**
 * A ClickHouse server through the official `@clickhouse/client` over HTTP. The choices:
 * - compression both ways (gzip): insert payloads of repetitive JSON shrink ~10×, and results
 *   of grouped reads are small anyway, so the CPU cost is small next to the bytes saved;
 * - keep-alive on, with idle sockets dropped after 2.5 s, below ClickHouse's default 3 s
 *   `keep_alive_timeout`, so the client never reuses a socket the server is closing
 *   (the classic `ECONNRESET` on the first request after a pause);
 * - every read carries the read limits (`max_memory_usage`, `max_execution_time`,
 *   `max_rows_to_group_by` with `throw`) and `cancel_http_readonly_queries_on_client_close`, and
 *   runs under a deadline of `max_execution_time` plus a grace: a live server stops the read
 *   itself; a hung one (accepting, never answering) is cut off by the deadline, queued or not
 *   (the client's own `request_timeout` only starts once a socket is assigned);
 * - a read whose caller went away (the API client closed its connection) is aborted, and a
 *   `KILL QUERY` by its `query_id` follows in case the server did not notice the closed socket;
 * - 8 reads running at once (`COSTSCOPE_QUERY_MAX_IN_FLIGHT`), 32 more waiting (`busy` beyond,
 *   answered 503), and 2 sockets more than the reads may hold, so inserts and kills always find a
 *   socket and a hung server cannot grow a queue of reads;
 * - `request_timeout` 60 s for commands and inserts (the batcher gives up on an insert sooner
 *   and spools it).
 * Parameters always go in the URL (`param_x`), never multipart, to stay in the widely supported
 * part of the HTTP interface.
 */
export function openHttpTransport(options: HttpTransportOptions): ClickHouseTransport {
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const limits = options.limits ?? DEFAULT_QUERY_LIMITS;
  const gate = new ConcurrentQueryGate(limits.maxConcurrentQueries);
  const client: ClickHouseClient = createClient({
    url: options.url,
    username: options.username,
    password: options.password,
    database: options.database,
    application: 'costscope-server',
    request_timeout: requestTimeoutMs,
    // Two sockets beyond the reads' own, so inserts and kills always find one.
    max_open_connections: limits.maxConcurrentQueries + 2,
    compression: { request: true, response: true },
    keep_alive: { enabled: true, idle_socket_ttl: 2_500 },
    use_multipart_params: false,
    // Every failure is thrown to the caller as a typed error; the client logging it too would
    // print each one twice.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
      // Commands stop on the server a little before the client gives up on them.
      max_execution_time: Math.max(1, Math.floor(requestTimeoutMs / 1000) - 5),
      // Wait for the whole result before answering 200, so an error mid-query is an HTTP error
      // and not a truncated body that parses as fewer rows.
      wait_end_of_query: 1,
      output_format_json_quote_64bit_integers: 1,
    },
  });

  const settingsFor = (tag: QueryTag) => ({
    log_comment: JSON.stringify({ service: 'costscope', operation: tag.operation, projectId: tag.projectId ?? '' }),
  });

  /** Asks the server to stop a read the client has given up on; failures only mean it is gone already. */
  const killQuery = (queryId: string): void => {
    client
      .command({
        query: `/* costscope:storage.killQuery */ KILL QUERY WHERE query_id = {queryId:String} ASYNC`,
        query_params: { queryId },
        abort_signal: AbortSignal.timeout(KILL_TIMEOUT_MS),
      })
      .catch(() => undefined);
  };

  return {
    kind: 'http',
    async query<Row>(statement: Statement): Promise<Row[]> {
      const operation = statement.tag.operation;
      const cancel = statement.signal ?? currentQuerySignal();
      if (cancel?.aborted) throw cancelled(operation);
      const deadline = AbortSignal.timeout(readDeadlineMs(limits));
      const signal = cancel ? AbortSignal.any([cancel, deadline]) : deadline;
      let release: (() => void) | undefined;
      let queryId: string | undefined;
      try {
        release = await gate.enter(operation, signal);
        // A place handed over just as this read's own time ran out: nothing is sent.
        signal.throwIfAborted();
        queryId = randomUUID();
        const result = await client.query({
          query: taggedSql(statement),
          query_params: statement.params ?? {},
          format: 'JSONEachRow',
          query_id: queryId,
          abort_signal: signal,
          clickhouse_settings: {
            ...settingsFor(statement.tag),
            ...readLimitSettings(limits),
            ...clusterSettings(options.cluster, statement, false),
            cancel_http_readonly_queries_on_client_close: 1,
          },
        });
        return await result.json<Row>();
      } catch (error) {
        if (CostscopeStorageError.isInstance(error)) throw error;
        if (cancel?.aborted) {
          if (queryId) killQuery(queryId);
          throw cancelled(operation, error);
        }
        if (deadline.aborted) {
          throw new CostscopeStorageError(operation, 'timeout', `no answer within ${readDeadlineMs(limits)} ms`, { cause: error });
        }
        throw fromClientError(operation, error);
      } finally {
        release?.();
      }
    },
    async command(statement: Statement): Promise<void> {
      try {
        await client.command({
          query: taggedSql(statement),
          query_params: statement.params ?? {},
          abort_signal: withDeadline(statement.signal, requestTimeoutMs),
          clickhouse_settings: {
            ...settingsFor(statement.tag),
            // Commands write too (`INSERT … SELECT`: settings, keys, alert state, seals): on a
            // cluster a 200 must mean the rows are on their shard, as for inserts.
            distributed_foreground_insert: 1,
            ...clusterSettings(options.cluster, statement, true),
          },
        });
      } catch (error) {
        throw fromClientError(statement.tag.operation, error);
      }
    },
    async insert(batch: InsertBatch): Promise<void> {
      if (!('tsv' in batch)) {
        throw new CostscopeStorageError(batch.tag.operation, 'invalid', 'inserts over HTTP take TabSeparated rows only');
      }
      if (batch.tsv.length === 0) return;
      try {
        await client.insert({
          table: batch.table,
          columns: [...batch.columns] as [string, ...string[]],
          // A byte stream goes through as-is (gzip-compressed on the way).
          values: Readable.from([batch.tsv], { objectMode: false }),
          format: 'TabSeparated',
          abort_signal: withDeadline(undefined, requestTimeoutMs),
          clickhouse_settings: {
            ...settingsFor(batch.tag),
            // On a cluster the ingest writes to a Distributed table: answer only once the rows are
            // on their shard (the ingest acknowledges spans as durable), not when queued locally.
            distributed_foreground_insert: 1,
            ...clusterSettings(options.cluster, {}, true),
          },
        });
      } catch (error) {
        throw fromClientError(batch.tag.operation, error);
      }
    },
    async ping(): Promise<void> {
      const operation = 'storage.ping';
      try {
        // `SELECT 1` rather than `/ping`: it also proves the credentials and the database.
        // Bounded, so a hung server makes readiness answer "not ready" rather than hang.
        await client
          .query({ query: 'SELECT 1', format: 'JSONEachRow', abort_signal: AbortSignal.timeout(PING_TIMEOUT_MS) })
          .then((r) => r.json());
      } catch (error) {
        throw fromClientError(operation, error);
      }
    },
    async close(): Promise<void> {
      await client.close();
    },
  };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EPIPE', 'ETIMEDOUT']);

function cancelled(operation: string, cause?: unknown): CostscopeStorageError {
  return new CostscopeStorageError(operation, 'cancelled', 'the API client went away; the query was stopped', { cause });
}

function fromClientError(operation: string, error: unknown): CostscopeStorageError {
  if (error instanceof ClickHouseError) {
    const clickhouseCode = Number(error.code);
    const kind = AUTH_FAILURE_CODES.has(clickhouseCode)
      ? 'auth'
      : TIMEOUT_CODES.has(clickhouseCode)
        ? 'timeout'
        : LIMIT_CODES.has(clickhouseCode)
          ? 'limit'
          : CANCELLED_CODES.has(clickhouseCode)
            ? 'cancelled'
            : 'query';
    return new CostscopeStorageError(operation, kind, error.message, { cause: error, clickhouseCode });
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return new CostscopeStorageError(operation, 'unreachable', `${code}: ${message}`, { cause: error });
  }
  // Our own deadline (commands, inserts, ping) aborted the request: the server never answered.
  if (/timeout|aborted a request/i.test(message)) {
    return new CostscopeStorageError(operation, 'timeout', message, { cause: error });
  }
  // An HTTP error answer whose body is not a ClickHouse exception (a proxy's 502/503 page): the
  // client gives only the body, not the status, so the message carries the body.
  if (code === undefined) {
    return new CostscopeStorageError(operation, 'server', `the server answered with an error that is not ClickHouse's: ${message.slice(0, 300)}`, {
      cause: error,
    });
  }
  return new CostscopeStorageError(operation, 'unreachable', message, { cause: error });
}
