import { Readable } from 'node:stream';
import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { AUTH_FAILURE_CODES, CostscopeStorageError, TIMEOUT_CODES } from './errors.js';
import type { ClickHouseTransport, InsertBatch, QueryTag, Statement } from './transport.js';
import { taggedSql } from './transport.js';

export type HttpTransportOptions = {
  url: string;
  username: string;
  password: string;
  database: string;
  /** Per-request limit. Default 60 s: rule and dashboard reads finish well inside it. */
  requestTimeoutMs?: number;
};

/**
 * A ClickHouse server through the official `@clickhouse/client` over HTTP. The choices:
 * - compression both ways (gzip): insert payloads of repetitive JSON shrink ~10×, and results
 *   of grouped reads are small anyway, so the CPU cost is small next to the bytes saved;
 * - keep-alive on, with idle sockets dropped after 2.5 s, below ClickHouse's default 3 s
 *   `keep_alive_timeout`, so the client never reuses a socket the server is closing
 *   (the classic `ECONNRESET` on the first request after a pause);
 * - `request_timeout` 60 s (the client default is 30 s; a 30-day raw read on a large project may
 *   need more) and ClickHouse's own `max_execution_time` a little below it, so the server stops
 *   the query instead of working on for a client that has gone;
 * - at most 10 open sockets: ingest writes one batch at a time, reads are few and short.
 * Parameters always go in the URL (`param_x`), never multipart, to stay in the widely supported
 * part of the HTTP interface.
 */
export function openHttpTransport(options: HttpTransportOptions): ClickHouseTransport {
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const client: ClickHouseClient = createClient({
    url: options.url,
    username: options.username,
    password: options.password,
    database: options.database,
    application: 'costscope-server',
    request_timeout: requestTimeoutMs,
    max_open_connections: 10,
    compression: { request: true, response: true },
    keep_alive: { enabled: true, idle_socket_ttl: 2_500 },
    use_multipart_params: false,
    // Every failure is thrown to the caller as a typed error; the client logging it too would
    // print each one twice.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
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

  return {
    kind: 'http',
    async query<Row>(statement: Statement): Promise<Row[]> {
      try {
        const result = await client.query({
          query: taggedSql(statement),
          query_params: statement.params ?? {},
          format: 'JSONEachRow',
          clickhouse_settings: settingsFor(statement.tag),
        });
        return await result.json<Row>();
      } catch (error) {
        throw fromClientError(statement.tag.operation, error);
      }
    },
    async command(statement: Statement): Promise<void> {
      try {
        await client.command({
          query: taggedSql(statement),
          query_params: statement.params ?? {},
          clickhouse_settings: settingsFor(statement.tag),
        });
      } catch (error) {
        throw fromClientError(statement.tag.operation, error);
      }
    },
    async insert(batch: InsertBatch): Promise<void> {
      if (batch.tsv.length === 0) return;
      try {
        await client.insert({
          table: batch.table,
          columns: [...batch.columns] as [string, ...string[]],
          // A byte stream goes through as-is (gzip-compressed on the way).
          values: Readable.from([batch.tsv], { objectMode: false }),
          format: 'TabSeparated',
          clickhouse_settings: {
            ...settingsFor(batch.tag),
            // On a cluster the ingest writes to a Distributed table: answer only once the rows are
            // on their shard (the ingest acknowledges spans as durable), not when queued locally.
            distributed_foreground_insert: 1,
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
        await client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
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

function fromClientError(operation: string, error: unknown): CostscopeStorageError {
  if (error instanceof ClickHouseError) {
    const clickhouseCode = Number(error.code);
    const kind = AUTH_FAILURE_CODES.has(clickhouseCode) ? 'auth' : TIMEOUT_CODES.has(clickhouseCode) ? 'timeout' : 'query';
    return new CostscopeStorageError(operation, kind, error.message, { cause: error, clickhouseCode });
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return new CostscopeStorageError(operation, 'unreachable', `${code}: ${message}`, { cause: error });
  }
  if (/timeout/i.test(message)) {
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
