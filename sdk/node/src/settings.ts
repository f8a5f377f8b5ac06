import { semconv } from '@costscope/core';
import { CostscopeConfigError } from './errors.js';
import { DEFAULT_DAILY_REQUESTS_BY_TIER } from './guards/daily-requests.js';
import type {
  CostscopeGuards,
  CostscopeLoadShedding,
  CostscopeOptions,
  CostscopePriority,
  CostscopeSettings,
  CostscopeTags,
} from './types.js';

// The published priority type and core's list must agree, both ways.
const _corePrioritiesAreOurs: readonly CostscopePriority[] = semconv.COSTSCOPE_PRIORITIES;
const _ourPrioritiesAreCore: readonly semconv.CostscopePriority[] = [] as CostscopePriority[];
void _corePrioritiesAreOurs;
void _ourPrioritiesAreCore;

const DEFAULT_ENDPOINT = 'http://localhost:4318';
const DEFAULT_MAX_QUEUE_SIZE = 2048;

/** Resolves every setting as option → environment variable → default; errors name both. */
export function resolveSettings(options: CostscopeOptions = {}, env: NodeJS.ProcessEnv = process.env): CostscopeSettings {
  const endpoint = (options.endpoint ?? nonEmpty(env['COSTSCOPE_ENDPOINT']) ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CostscopeConfigError(`endpoint (option) / COSTSCOPE_ENDPOINT (env) must be a URL, got "${endpoint}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CostscopeConfigError(`endpoint (option) / COSTSCOPE_ENDPOINT (env) must be http(s), got "${endpoint}"`);
  }
  // The endpoint is the server's base; a full OTLP path is accepted as written.
  const tracesUrl = url.pathname.endsWith('/v1/traces') ? endpoint : `${endpoint}/v1/traces`;

  const guards: CostscopeGuards = {};
  const maxInputTokens = positiveInteger(
    options.guards?.maxInputTokens,
    env['COSTSCOPE_MAX_INPUT_TOKENS'],
    'guards.maxInputTokens',
    'COSTSCOPE_MAX_INPUT_TOKENS',
  );
  if (maxInputTokens !== undefined) guards.maxInputTokens = maxInputTokens;
  const defaultMaxTokens = positiveInteger(
    options.guards?.defaultMaxTokens,
    env['COSTSCOPE_DEFAULT_MAX_TOKENS'],
    'guards.defaultMaxTokens',
    'COSTSCOPE_DEFAULT_MAX_TOKENS',
  );
  if (defaultMaxTokens !== undefined) guards.defaultMaxTokens = defaultMaxTokens;

  return {
    endpoint,
    tracesUrl,
    apiKey: options.apiKey ?? nonEmpty(env['COSTSCOPE_API_KEY']),
    serviceName: options.serviceName ?? nonEmpty(env['OTEL_SERVICE_NAME']),
    defaults: checkedTags(options.defaults ?? {}, 'defaults'),
    guards,
    dailyRequestsByTier: dailyRequestsByTier(options.guards?.dailyRequestsPerUser),
    loadShedding: loadShedding(options.guards?.loadShedding, endpoint),
    captureContent: options.captureContent ?? env['COSTSCOPE_CAPTURE_CONTENT'] === 'true',
    maxQueueSize:
      positiveInteger(options.maxQueueSize, env['COSTSCOPE_MAX_QUEUE_SIZE'], 'maxQueueSize', 'COSTSCOPE_MAX_QUEUE_SIZE') ??
      DEFAULT_MAX_QUEUE_SIZE,
    flushOnExit: options.flushOnExit ?? true,
  };
}

function dailyRequestsByTier(option: CostscopeGuards['dailyRequestsPerUser']): Record<string, number | null> | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { ...DEFAULT_DAILY_REQUESTS_BY_TIER };
  const limits: Record<string, number | null> = { ...DEFAULT_DAILY_REQUESTS_BY_TIER };
  for (const [tier, limit] of Object.entries(option)) {
    if (limit !== null && (!Number.isSafeInteger(limit) || limit < 0)) {
      throw new CostscopeConfigError(`guards.dailyRequestsPerUser.${tier} (option) must be a whole number >= 0 or null, got ${String(limit)}`);
    }
    limits[tier] = limit;
  }
  return limits;
}

function loadShedding(option: CostscopeGuards['loadShedding'], endpoint: string): Required<CostscopeLoadShedding> | undefined {
  if (option === undefined || option === false) return undefined;
  const given: CostscopeLoadShedding = option === true ? {} : option;
  // The server's base: the endpoint, without `/v1/traces` when it was written in full.
  const serverUrl = (given.serverUrl ?? endpoint).replace(/\/+$/, '').replace(/\/v1\/traces$/, '');
  if (!URL.canParse(serverUrl) || !/^https?:$/.test(new URL(serverUrl).protocol)) {
    throw new CostscopeConfigError(`guards.loadShedding.serverUrl (option) must be an http(s) URL, got "${serverUrl}"`);
  }
  const whenUnreachable = given.whenUnreachable ?? 'allow';
  if (whenUnreachable !== 'allow' && whenUnreachable !== 'deny') {
    throw new CostscopeConfigError(`guards.loadShedding.whenUnreachable (option) must be allow or deny, got "${String(whenUnreachable)}"`);
  }
  const importantRetries = given.importantRetries ?? 3;
  if (!Number.isSafeInteger(importantRetries) || importantRetries < 0) {
    throw new CostscopeConfigError(`guards.loadShedding.importantRetries (option) must be a whole number >= 0, got ${String(importantRetries)}`);
  }
  return {
    serverUrl,
    refreshIntervalMs: positiveInteger(given.refreshIntervalMs, undefined, 'guards.loadShedding.refreshIntervalMs', '') ?? 60_000,
    whenUnreachable,
    importantRetryDelayMs: positiveInteger(given.importantRetryDelayMs, undefined, 'guards.loadShedding.importantRetryDelayMs', '') ?? 30_000,
    importantRetries,
  };
}

/** Tags as the app wrote them, minus anything that is not a known key with a string value. */
export function checkedTags(tags: CostscopeTags, where: string): CostscopeTags {
  const checked: CostscopeTags = {};
  for (const key of ['feature', 'endpoint', 'userId', 'userTier'] as const) {
    const value = tags[key];
    if (value !== undefined) {
      if (typeof value !== 'string') throw new CostscopeConfigError(`${where}.${key} must be a string, got ${typeof value}`);
      checked[key] = value;
    }
  }
  if (tags.priority !== undefined) {
    if (!(semconv.COSTSCOPE_PRIORITIES as readonly string[]).includes(tags.priority)) {
      throw new CostscopeConfigError(
        `${where}.priority must be one of ${semconv.COSTSCOPE_PRIORITIES.join('|')}, got "${String(tags.priority)}"`,
      );
    }
    checked.priority = tags.priority;
  }
  return checked;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function positiveInteger(option: number | undefined, envValue: string | undefined, optionName: string, envName: string) {
  if (option !== undefined) {
    if (!Number.isSafeInteger(option) || option <= 0) {
      throw new CostscopeConfigError(`${optionName} (option) must be a whole number > 0, got ${String(option)}`);
    }
    return option;
  }
  const fromEnv = nonEmpty(envValue);
  if (fromEnv === undefined) return undefined;
  const parsed = Number(fromEnv);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new CostscopeConfigError(`${envName} (env) / ${optionName} (option) must be a whole number > 0, got "${fromEnv}"`);
  }
  return parsed;
}
