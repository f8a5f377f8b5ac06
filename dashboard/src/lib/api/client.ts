import 'server-only';
import { projectApiKey } from '../server/credentials';
import type {
  AlertEpisode,
  ApiKeyAnswer,
  CostsAnswer,
  CostsQuery,
  CreatedKeyAnswer,
  InsightsAnswer,
  KeyScope,
  PricesAnswer,
  ProjectAnswer,
  RepriceJobAnswer,
  SettingAnswer,
  SettingKind,
  WeeklyReportAnswer,
} from './types';

/**
 * The dashboard's one way to the data: the server's JSON API, with the project key added here on
 * the server side. Pages (Server Components) and server actions call these functions; nothing in
 * this module, the key least of all, is ever sent to the browser.
 */
export function serverUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.COSTSCOPE_SERVER_URL ?? 'http://localhost:4318').replace(/\/+$/, '');
}

const TIMEOUT_MS = 15_000;

/**
 * What a page shows when the API did not answer: a short reason a person can act on, never the
 * stack or the server's body verbatim. `status` is absent when the server was not reached.
 */
export class CostscopeApiError extends Error {
  override readonly name = 'CostscopeApiError';
  readonly at = new Date().toISOString();
  constructor(
    message: string,
    readonly status?: number,
    /** The parameter a 400 names (`groupBy`, `body.0.monthlyUsd`). */
    readonly parameter?: string,
    /** The re-pricing job a 409 names: the project's job still running. */
    readonly runningJobId?: string,
  ) {
    super(message);
  }

  static isInstance(error: unknown): error is CostscopeApiError {
    return error instanceof Error && error.name === 'CostscopeApiError';
  }
}

let lastError: { message: string; at: string } | undefined;

/** The last failure to reach the API, for the banner shown while the server is down. */
export function lastApiError(): { message: string; at: string } | undefined {
  return lastError;
}

type QueryValue = string | number | Date | readonly string[] | undefined;

function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (value instanceof Date) search.set(name, value.toISOString());
    else if (Array.isArray(value)) {
      if (value.length > 0) search.set(name, value.join(','));
    } else search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * `COSTSCOPE_DASHBOARD_API_TIMING=1` logs each API call's route and duration to the dashboard's
 * own stderr (never to a browser): the page benchmark reads it to put each page's render time
 * beside the calls it made.
 */
const logTiming = process.env.COSTSCOPE_DASHBOARD_API_TIMING === '1';

async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, body?: unknown): Promise<T> {
  if (!logTiming) return send<T>(method, route, body);
  const started = performance.now();
  try {
    return await send<T>(method, route, body);
  } finally {
    console.error(`costscope-api-timing ${JSON.stringify({ method, route, ms: Math.round((performance.now() - started) * 10) / 10 })}`);
  }
}

async function send<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, body?: unknown): Promise<T> {
  const url = `${serverUrl()}${route}`;
  const key = await projectApiKey();
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : cause;
    const failure = new CostscopeApiError(`The Costscope server at ${serverUrl()} is not answering (${reason}).`);
    lastError = { message: failure.message, at: failure.at };
    throw failure;
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const answer = (json ?? {}) as { message?: unknown; parameter?: unknown; jobId?: unknown };
    const message = typeof answer.message === 'string' ? answer.message : `${response.status} ${response.statusText}`;
    const failure = new CostscopeApiError(
      response.status === 401 ? 'The dashboard’s project key was refused by the server (revoked, or from another installation).' : response.status === 403 ? forbidden(method) : message,
      response.status,
      typeof answer.parameter === 'string' ? answer.parameter : undefined,
      response.status === 409 && typeof answer.jobId === 'string' ? answer.jobId : undefined,
    );
    if (response.status >= 500 || response.status === 401) lastError = { message: failure.message, at: failure.at };
    throw failure;
  }
  lastError = undefined;
  return json as T;
}

/**
 * A 403 means the dashboard's key lacks the route's scope: the operator gave it a `read` key (every
 * write needs `admin`), or an `ingest` key (it may not even read). Said so, rather than the
 * server's words about routes.
 */
function forbidden(method: 'GET' | 'POST' | 'PUT' | 'DELETE'): string {
  return method === 'GET'
    ? 'The dashboard’s key may only send spans (ingest scope): give the dashboard a read or admin key to show figures.'
    : 'The dashboard’s key is read-only: settings, keys and re-pricing need an admin key.';
}

export const api = {
  project: () => request<ProjectAnswer>('GET', '/api/v1/project'),

  costs: (query: CostsQuery) =>
    request<CostsAnswer>(
      'GET',
      `/api/v1/costs${queryString({
        from: query.from,
        to: query.to,
        groupBy: query.groupBy,
        interval: query.interval,
        limit: query.limit,
        ...Object.fromEntries(Object.entries(query.filters ?? {}).map(([dimension, values]) => [dimension, values])),
      })}`,
    ),

  alerts: (query: { from?: Date | string; to?: Date | string; status?: 'firing' | 'resolved'; limit?: number } = {}) =>
    request<{ alerts: AlertEpisode[] }>('GET', `/api/v1/alerts${queryString(query)}`),

  alert: (episodeId: string) => request<AlertEpisode>('GET', `/api/v1/alerts/${encodeURIComponent(episodeId)}`),

  insights: (range: { from: Date; to: Date }) => request<InsightsAnswer>('GET', `/api/v1/insights${queryString(range)}`),

  weeklyReport: (week?: string) => request<WeeklyReportAnswer>('GET', `/api/v1/reports/weekly${queryString({ week })}`),

  prices: (at?: Date) => request<PricesAnswer>('GET', `/api/v1/prices${queryString({ at })}`),

  /** Queues a re-pricing job (202); a 409 names the project's job still running (`runningJobId`). */
  reprice: (range: { from: string; to: string }) => request<RepriceJobAnswer>('POST', '/api/v1/prices/reprice', range),

  repriceJob: (jobId: string) => request<RepriceJobAnswer>('GET', `/api/v1/prices/reprice/${encodeURIComponent(jobId)}`),

  setting: <T>(kind: SettingKind) => request<SettingAnswer<T>>('GET', `/api/v1/settings/${kind}`),

  putSetting: <T>(kind: SettingKind, value: T) => request<SettingAnswer<T>>('PUT', `/api/v1/settings/${kind}`, value),

  testChannel: (body: unknown) => request<unknown>('POST', '/api/v1/settings/channels/test', body),

  keys: () => request<{ keys: ApiKeyAnswer[] }>('GET', '/api/v1/keys'),

  createKey: (name: string, scope: KeyScope) => request<CreatedKeyAnswer>('POST', '/api/v1/keys', { name, scope }),

  revokeKey: (keyId: string) => request<{ keyId: string; revoked: true }>('DELETE', `/api/v1/keys/${encodeURIComponent(keyId)}`),
};

export type CostscopeApi = typeof api;
