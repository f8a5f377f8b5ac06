/**
 * A test-only ClickHouse HTTP front over the chDB engine: a node:http server on 127.0.0.1 that
 * speaks the part of ClickHouse's HTTP interface `@clickhouse/client` uses, so the HTTP transport
 * runs the real client against a real socket and real SQL (see docs/clickhouse-http-peer.md for
 * what it covers and what it does not). Run as its own process (chDB binds one data directory per
 * process): `node --import tsx clickhouse-http-front.ts '<json options>'`; it prints
 * `{"port":N}` on stdout once listening.
 *
 * Control routes for tests (never under `/`, so no client request reaches them by mistake):
 * - `POST /__front/hang` with `{"match": "<regex>"}`: statements whose SQL matches are accepted
 *   and never answered (a hung server); `{"match": ""}` hangs every request except these
 *   routes (pings, inserts, kills too); `{"match": null}` ends the hang (hung requests stay hung).
 * - `POST /__front/coalesce` with `{"table": "llm_calls_incoming", "count": 2}`: the next `count`
 *   inserts into that table are held until all have arrived, then stored as ONE insert of all their
 *   rows (without `optimize_on_insert`, so rows of the same key stay apart as in two parts), and
 *   each is answered with its outcome. This gives what two inserts running at once on a server
 *   give, which this front (one chDB session, one statement at a time) cannot run: each insert's
 *   materialized views see none of the other's rows. (A server with `async_insert = 1` squashes
 *   concurrent inserts into one block the same way.)
 * - `GET /__front/events`: every statement seen, with its `query_id`, the start of its SQL, the
 *   read-limit settings it carried, whether it hung, whether its client closed the connection
 *   before an answer, and whether a `KILL QUERY` for its `query_id` arrived.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Session } from 'chdb';

/** `port`: listen there (a restarted front keeps its address); default a free port. */
export type FrontOptions = { dataDir: string; database: string; user: string; password: string; port?: number };

const VERSION = '26.7.2.1';
const INSERT_PATTERN = /^\s*INSERT\s+INTO\s+([A-Za-z_][\w.]*)\s*(?:\(([^)]*)\))?\s*FORMAT\s+(\w+)\s*$/is;
const TRAILING_FORMAT = /\s+FORMAT\s+(\w+)\s*;?\s*$/i;
const PLACEHOLDER = /\{([A-Za-z_]\w*):([^{}]+)\}/g;
const KILL_PATTERN = /^\s*(?:\/\*.*?\*\/\s*)?KILL\s+QUERY\b/is;
const SELECT_PATTERN = /^\s*(?:\/\*.*?\*\/\s*)?(?:SELECT|WITH)\b/is;
/**
 * The read limits a server enforces, applied here as a `SETTINGS` clause on SELECTs so the
 * engine enforces them too (the other URL settings stay ignored).
 */
const ENFORCED_SETTINGS = ['max_memory_usage', 'max_execution_time', 'timeout_overflow_mode', 'max_rows_to_group_by', 'group_by_overflow_mode'];

/** What the front saw of one statement (`GET /__front/events`). */
export type FrontEvent = {
  queryId: string;
  sql: string;
  settings: Record<string, string>;
  hung: boolean;
  /** When it was held and when its client closed it (ms since the epoch), for hung statements. */
  hungAt?: number;
  closedAt?: number;
  closedBeforeAnswer: boolean;
  killed: boolean;
};

/** ClickHouse's own mapping of a few exception codes to HTTP statuses; the rest answer 500. */
const HTTP_STATUS_BY_CODE: Record<number, number> = {
  60: 404, // UNKNOWN_TABLE
  81: 404, // UNKNOWN_DATABASE
  62: 400, // SYNTAX_ERROR
  47: 400, // UNKNOWN_IDENTIFIER
  130: 400, // CANNOT_READ_ARRAY_FROM_TEXT
  456: 400, // UNKNOWN_QUERY_PARAMETER
  516: 403, // AUTHENTICATION_FAILED
};

class FrontError extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Inverse of the client's TSV escaping of a parameter value (`\t`, `\n`, `\\`, `\'`…). */
function unescapeTsv(value: string): string {
  const map: Record<string, string> = { t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f', '\\': '\\', "'": "'" };
  return value.replace(/\\(.)/gs, (_match, ch: string) => map[ch] ?? ch);
}

/** Parses the client's array text (`['a','b\'c']`, `[1,2]`) into JS values for chDB's binder. */
function parseArrayText(text: string): unknown[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) throw new FrontError(130, 'CANNOT_READ_ARRAY_FROM_TEXT', `not an array: ${text}`);
  const items: unknown[] = [];
  let i = 1;
  const end = trimmed.length - 1;
  while (i < end) {
    const ch = trimmed[i] as string;
    if (ch === ',' || ch === ' ') {
      i += 1;
    } else if (ch === "'") {
      let out = '';
      i += 1;
      while (i < end && trimmed[i] !== "'") {
        if (trimmed[i] === '\\') {
          out += unescapeTsv(trimmed.slice(i, i + 2));
          i += 2;
        } else {
          out += trimmed[i];
          i += 1;
        }
      }
      i += 1;
      items.push(out);
    } else {
      let token = '';
      while (i < end && trimmed[i] !== ',') token += trimmed[i++];
      items.push(Number(token.trim()));
    }
  }
  return items;
}

function bindParams(sql: string, search: URLSearchParams): Record<string, unknown> {
  const types = new Map<string, string>();
  for (const match of sql.matchAll(PLACEHOLDER)) types.set(match[1] as string, (match[2] as string).trim());
  const params: Record<string, unknown> = {};
  for (const [key, value] of search) {
    if (!key.startsWith('param_')) continue;
    const name = key.slice('param_'.length);
    const type = types.get(name) ?? 'String';
    if (value === '\\N') params[name] = null;
    else if (type.startsWith('Array(')) params[name] = parseArrayText(value);
    else params[name] = unescapeTsv(value);
  }
  return params;
}

function authorized(request: IncomingMessage, search: URLSearchParams, options: FrontOptions): boolean {
  let user = search.get('user') ?? (request.headers['x-clickhouse-user'] as string | undefined);
  let password = search.get('password') ?? (request.headers['x-clickhouse-key'] as string | undefined);
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    user = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  return (user ?? 'default') === options.user && (password ?? '') === options.password;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const encoding = request.headers['content-encoding'];
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding && encoding !== 'identity') throw new FrontError(1001, 'STD_EXCEPTION', `unsupported Content-Encoding ${encoding}`);
  return body;
}

export function startFront(options: FrontOptions): Promise<number> {
  mkdirSync(options.dataDir, { recursive: true });
  const session = new Session(options.dataDir);
  session.query(`CREATE DATABASE IF NOT EXISTS ${options.database}`);
  session.query(`USE ${options.database}`);
  let hang: RegExp | null = null;
  const events: FrontEvent[] = [];
  type HeldInsert = { body: Buffer; done: (outcome: Promise<number>) => void };
  let coalesce: { table: string; count: number; held: HeldInsert[] } | null = null;

  /** Stores the rows of `body`, or holds them for one squashed insert while `coalesce` is set. */
  const insertRows = (table: string, columns: string | undefined, format: string, body: Buffer): Promise<number> => {
    const store = (values: Buffer, settings: Record<string, number> = {}): Promise<number> =>
      session
        .insert({
          table,
          values,
          format: format as 'JSONEachRow',
          settings,
          ...(columns ? { columns: columns.split(',').map((column) => column.trim()) } : {}),
        })
        .then((summary) => summary.rowsWritten);
    if (!coalesce || coalesce.table !== table) return store(body);
    const group = coalesce;
    return new Promise<number>((resolve, reject) => {
      group.held.push({ body, done: (outcome) => outcome.then(resolve, reject) });
      if (group.held.length < group.count) return;
      coalesce = null;
      const rows = group.held.map((held) => (held.body.at(-1) === 10 ? held.body : Buffer.concat([held.body, Buffer.from('\n')])));
      const stored = store(Buffer.concat(rows), { optimize_on_insert: 0 });
      for (const held of group.held) held.done(stored);
    });
  };

  const control = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    if (path === '/__front/hang' && request.method === 'POST') {
      const { match } = JSON.parse((await readBody(request)).toString('utf8') || '{}') as { match?: string | null };
      hang = typeof match === 'string' ? new RegExp(match, 's') : null;
      response.writeHead(204).end();
      return;
    }
    if (path === '/__front/coalesce' && request.method === 'POST') {
      const { table, count } = JSON.parse((await readBody(request)).toString('utf8') || '{}') as { table?: string; count?: number };
      if (typeof table !== 'string' || !Number.isInteger(count) || (count as number) < 2) {
        response.writeHead(400).end('table and count (≥ 2) are required');
        return;
      }
      coalesce = { table, count: count as number, held: [] };
      response.writeHead(204).end();
      return;
    }
    if (path === '/__front/events') {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(events));
      return;
    }
    response.writeHead(404).end();
  };

  /** Accepts and never answers; notes when the client gives up and closes the connection. */
  const hangUp = (request: IncomingMessage, response: ServerResponse, event: FrontEvent): void => {
    event.hung = true;
    event.hungAt = Date.now();
    request.resume();
    response.once('close', () => {
      event.closedAt = Date.now();
      if (!response.writableFinished) event.closedBeforeAnswer = true;
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/__front/')) return control(request, response, url.pathname);
    const search = url.searchParams;
    const queryId = search.get('query_id') ?? randomUUID();
    const event: FrontEvent = {
      queryId,
      sql: (search.get('query') ?? '').slice(0, 200),
      settings: Object.fromEntries(ENFORCED_SETTINGS.filter((name) => search.has(name)).map((name) => [name, search.get(name) ?? ''])),
      hung: false,
      closedBeforeAnswer: false,
      killed: false,
    };
    events.push(event);
    if (hang?.source === '(?:)') return hangUp(request, response, event);
    const baseHeaders: Record<string, string> = {
      'X-ClickHouse-Server-Display-Name': 'costscope-test-front',
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Timezone': 'UTC',
    };
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}): void => {
      let payload = typeof body === 'string' ? Buffer.from(body) : body;
      const allHeaders: Record<string, string> = { ...baseHeaders, ...headers };
      if (search.get('enable_http_compression') === '1' && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        payload = gzipSync(payload);
        allHeaders['Content-Encoding'] = 'gzip';
      }
      response.writeHead(status, allHeaders);
      response.end(payload);
    };
    try {
      if (url.pathname === '/ping') return send(200, 'Ok.\n');
      if (url.pathname !== '/') throw new FrontError(1001, 'STD_EXCEPTION', `no handler for ${url.pathname}`);
      if (!authorized(request, search, options)) {
        throw new FrontError(
          516,
          'AUTHENTICATION_FAILED',
          `${options.user}: Authentication failed: password is incorrect, or there is no user with such name`,
        );
      }
      const database = search.get('database');
      if (database !== null && database !== options.database) {
        throw new FrontError(81, 'UNKNOWN_DATABASE', `Database ${database} does not exist`);
      }
      const body = await readBody(request);
      if (event.sql === '') event.sql = body.toString('utf8', 0, 200);
      if (hang && hang.test(body.toString('utf8'))) return hangUp(request, response, event);
      const urlQuery = search.get('query');
      const insert = urlQuery ? INSERT_PATTERN.exec(urlQuery) : null;
      if (insert) {
        const [, table = '', columns, format = ''] = insert;
        const rowsWritten = await insertRows(table, columns, format, body);
        return send(200, '', {
          'X-ClickHouse-Summary': JSON.stringify({ read_rows: '0', written_rows: String(rowsWritten), written_bytes: '0' }),
        });
      }
      let sql = [urlQuery ?? '', body.toString('utf8')].filter((part) => part.length > 0).join(' ');
      let format = 'TabSeparated';
      const trailing = TRAILING_FORMAT.exec(sql);
      if (trailing) {
        format = trailing[1] as string;
        sql = sql.slice(0, trailing.index);
      }
      const params = bindParams(sql, search);
      if (KILL_PATTERN.test(sql)) {
        // Hung statements never reached chDB: a kill is recorded against the query it names.
        for (const target of events) if (target.queryId === params.queryId) target.killed = true;
        return send(200, '', { 'X-ClickHouse-Format': format });
      }
      if (SELECT_PATTERN.test(sql) && Object.keys(event.settings).length > 0) {
        const clause = Object.entries(event.settings).map(([name, value]) => (/^\d+$/.test(value) ? `${name} = ${value}` : `${name} = '${value.replace(/[^a-z_]/g, '')}'`));
        sql = `${sql} SETTINGS ${clause.join(', ')}`;
      }
      const result = await session.queryBindAsync(sql, params, { format });
      return send(200, Buffer.from(result.bytes()), {
        'Content-Type': format.startsWith('JSON') ? 'application/json; charset=UTF-8' : 'text/plain; charset=UTF-8',
        'X-ClickHouse-Format': format,
        'X-ClickHouse-Summary': JSON.stringify({ read_rows: String(result.rowsRead), read_bytes: String(result.bytesRead) }),
      });
    } catch (error) {
      const code = error instanceof FrontError ? error.code : ((error as { clickhouseCode?: number }).clickhouseCode ?? 1001);
      const raw = error instanceof Error ? error.message : String(error);
      // chDB's messages already read `Code: N. DB::Exception: … (TYPE)`, as the server's do.
      const text = raw.startsWith('Code:')
        ? raw
        : `Code: ${code}. DB::Exception: ${raw}. (${error instanceof FrontError ? error.type : 'STD_EXCEPTION'})`;
      return send(HTTP_STATUS_BY_CODE[code] ?? 500, `${text} (version ${VERSION})\n`, {
        'X-ClickHouse-Exception-Code': String(code),
        'Content-Type': 'text/plain; charset=UTF-8',
      });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  return new Promise((resolve) => {
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\u0000')) {
  const options = JSON.parse(process.argv[2] ?? '{}') as FrontOptions;
  const port = await startFront(options);
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}
