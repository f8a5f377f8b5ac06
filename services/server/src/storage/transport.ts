/**
 * What the storage modules need from ClickHouse, whichever engine answers: the embedded chDB
 * (default) or a ClickHouse server over HTTP. Both run exactly the same SQL text; values always
 * travel as typed parameters (`{projectId:String}`), never inside the SQL.
 */

/** Names the caller of a statement, so a slow or failing query in logs says where it came from. */
export type QueryTag = {
  /** `<entity>.<function>`, e.g. `costs.byGroup`. Also the `operation` of any error thrown. */
  operation: string;
  projectId?: string;
};

/** `null` binds SQL NULL to a `Nullable(…)` parameter. */
export type QueryParams = Record<string, string | number | boolean | null | readonly string[] | readonly number[]>;

export type Statement = {
  sql: string;
  params?: QueryParams;
  tag: QueryTag;
  /**
   * Stops the statement when aborted. Reads default to the signal of the API request being
   * answered (`withQueryCancellation`), so a client that goes away stops its queries.
   */
  signal?: AbortSignal;
  /**
   * The statement reads or writes state that every process must agree on at once (the scheduler's
   * lease and outbox, keys, settings, alert state, re-price jobs). On a cluster its writes wait
   * for a quorum of replicas and its reads see every write acknowledged that way; on one node
   * there is nothing to wait for. See docs/scaling.md.
   */
  quorum?: boolean;
};

export type InsertBatch = {
  table: string;
  /** Column order of each row's values. */
  columns: readonly string[];
  tag: QueryTag;
} & (
  | {
      /**
       * `TabSeparated` rows, values in `columns` order: the text format ClickHouse parses fastest
       * and JavaScript writes fastest; both engines take it.
       */
      tsv: Buffer;
    }
  | {
      /**
       * Writes `RowBinary` rows, values in `columns` order laid out as `types` (one per column),
       * by handing `sink` the payload's consecutive pieces; a piece may be written over once
       * `sink` returns. Called once, synchronously, before `insert` first yields, so the caller
       * may write its next rows while these are stored. chDB parses RowBinary ~8× cheaper than
       * TSV. Embedded engine only: chDB takes binary payloads through a file
       * (`embedded-transport.ts`); the ClickHouse server front in tests takes text only.
       */
      rowBinary: (sink: (piece: Buffer) => void) => void;
      types: readonly string[];
      /**
       * No two rows of the batch share a sort key (the caller removed repeats): the engine skips
       * looking for rows to collapse inside the insert (`optimize_on_insert = 0`), ~30% of its work.
       */
      distinctRows?: boolean;
    }
);

export interface ClickHouseTransport {
  readonly kind: 'embedded' | 'http';
  /**
   * Embedded only (this process is the engine's one writer): a number that changes after every
   * write through any embedded transport of the process — insert or command, failed ones too —
   * and before the write's caller hears back. Equal numbers before and after a read mean nothing
   * was written meanwhile, so what the read found still holds (`hourlyFigures` keeps its seal
   * lookups on this). Absent on HTTP: other processes write there.
   */
  writeGeneration?(): number;
  /**
   * Days raw calls and their hourly counts are kept (their TTL, `COSTSCOPE_RETENTION_DAYS`), when
   * the transport was opened knowing it: an hour younger than that with no count has no calls.
   */
  readonly retentionDays?: number;
  /** Runs a SELECT and returns its rows as JSON objects (64-bit integers arrive as strings). */
  query<Row>(statement: Statement): Promise<Row[]>;
  /** Runs a statement that returns nothing (DDL, INSERT … SELECT). */
  command(statement: Statement): Promise<void>;
  /** Writes rows in one INSERT; throws if any part of it failed. */
  insert(batch: InsertBatch): Promise<void>;
  /** Resolves when the engine answers `SELECT 1`; throws a typed error otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A leading SQL comment with the caller's operation: ClickHouse keeps it in `system.query_log`
 * on both engines. Only the operation (a constant from our code) goes in; project ids travel in
 * `log_comment` on the HTTP transport, where they cannot touch the SQL text.
 */
export function taggedSql(statement: Statement): string {
  const safeOperation = statement.tag.operation.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `/* costscope:${safeOperation} */ ${statement.sql}`;
}
