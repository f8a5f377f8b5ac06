import { context, diag } from '@opentelemetry/api';
import type { Attributes, Tracer } from '@opentelemetry/api';
import { semconv } from '@costscope/core';
import { CostscopeInputTooLargeError, CostscopeLimitError } from '../errors.js';
import {
  ATTR_GUARD_BUDGET,
  ATTR_GUARD_DAILY_REQUESTS_LIMIT,
  ATTR_GUARD_INPUT_TOKEN_COUNTER,
  ATTR_GUARD_SHEDDING,
  ATTR_GUARD_SHEDDING_WAITS,
  ATTR_GUARD_SPENT_BUDGET,
} from '../guards/guard-attributes.js';
import type { BudgetVerdict, SpentBudget } from '../guards/budget-state.js';
import { inputTokensOver } from '../guards/input-tokens.js';
import { sheddingAction } from '../guards/shedding.js';
import { sdkState } from '../sdk-state.js';
import type { CostscopeSettings, CostscopeTags } from '../types.js';
import { attemptsAlreadyMade, requestFingerprint } from './app-retries.js';
import { LlmCall } from './llm-call.js';
import type { LlmOperation } from './llm-operation.js';
import { observeAttempts, sendAsCall } from './observe-attempts.js';
import { observeStream } from './observe-stream.js';
import type { CreateMethod, LlmRequest, ProviderClient, ProviderPromise } from './types.js';
import { isRecord, prefixHash, requestHash, stringOrUndefined } from './utils.js';

/**
 * Wraps a provider's `create` so each call becomes spans. The app's arguments reach the client
 * unchanged except for what the settings ask (`defaultMaxTokens`, usage for OpenAI streams); the
 * app's result and errors come back unchanged. Any failure of Costscope's own code goes to the
 * diag logger and the call proceeds uninstrumented.
 */
export function instrumentedCreate(original: CreateMethod, operation: LlmOperation, tracer: () => Tracer): CreateMethod {
  return function create(this: { _client?: ProviderClient }, body: unknown, options?: unknown) {
    const settings = sdkState().settings;
    // eslint-disable-next-line prefer-rest-params
    if (settings === undefined || !isRecord(body)) return original.apply(this, arguments as unknown as [unknown, unknown]);
    return guardedCreate(this, original, operation, tracer, settings, body, options, 0);
  };
}

/** One try of an instrumented call; an `important` call the budget holds back tries again later. */
function guardedCreate(
  self: { _client?: ProviderClient },
  original: CreateMethod,
  operation: LlmOperation,
  tracer: () => Tracer,
  settings: CostscopeSettings,
  body: Record<string, unknown>,
  options: unknown,
  waits: number,
): unknown {
  let prepared: PreparedCall;
  try {
    const shedding = settings.loadShedding;
    const tags = callTags(settings);
    const budgetState = shedding === undefined ? undefined : sdkState().guards?.budget;
    const budget = budgetState?.verdict(tags.feature) ?? 'within';
    const action = shedding === undefined ? 'run' : sheddingAction(tags.priority, budget, { whenUnreachable: shedding.whenUnreachable, maxWaits: shedding.importantRetries }, waits);
    if (action === 'wait' && shedding !== undefined) {
      // The timer is not unref'd: the app awaits this call like any request in flight.
      const later = new Promise<void>((resolve) => setTimeout(resolve, shedding.importantRetryDelayMs)).then(() => ({
        result: guardedCreate(self, original, operation, tracer, settings, body, options, waits + 1),
      }));
      return deferredProviderPromise(later);
    }
    const spentBudget = budget === 'spent' ? budgetState?.spentBudget() : undefined;
    prepared = prepareCall(operation, body, settings, tracer(), tags, { budget, spentBudget, action, waits });
  } catch (error) {
    diag.error('costscope: could not instrument a call; it runs uninstrumented', error);
    return original.call(self, body, options);
  }
  const call = prepared.call;
  if (prepared.blockedBy !== undefined) return rejectedProviderPromise(prepared.blockedBy);

  let attemptsObserved = false;
  try {
    attemptsObserved = observeAttempts(self._client);
  } catch (error) {
    diag.debug('costscope: cannot observe HTTP attempts of this client', error);
  }

  let result: unknown;
  try {
    result = attemptsObserved
      ? sendAsCall(self._client as object, call, options, (sentOptions) => original.call(self, prepared.body, sentOptions))
      : original.call(self, prepared.body, options);
  } catch (error) {
    call.fail(error);
    throw error;
  }
  try {
    return observeResult(result, call, operation, prepared.dropUsageChunk, settings.captureContent);
  } catch (error) {
    diag.error('costscope: could not observe a call result', error);
    return result;
  }
}

/** The tags of the call: `init` defaults under what `withTags` set. */
function callTags(settings: CostscopeSettings): CostscopeTags {
  const scoped = sdkState().tagStore.getStore();
  return scoped === undefined ? settings.defaults : { ...settings.defaults, ...scoped };
}

/** What load shedding decided before the call was prepared. */
interface SheddingOutcome {
  budget: BudgetVerdict;
  /** Whose budget is spent, when `budget` is `spent`. */
  spentBudget: SpentBudget | undefined;
  action: 'run' | 'refuse' | 'wait';
  waits: number;
}

interface PreparedCall {
  call: LlmCall;
  body: Record<string, unknown>;
  dropUsageChunk: boolean;
  blockedBy: CostscopeInputTooLargeError | CostscopeLimitError | undefined;
}

function prepareCall(
  operation: LlmOperation,
  appBody: Record<string, unknown>,
  settings: CostscopeSettings,
  tracer: Tracer,
  tags: CostscopeTags,
  shedding: SheddingOutcome,
): PreparedCall {
  let body = appBody;
  const stream = body['stream'] === true;
  let maxTokens = operation.readMaxTokens(body);
  let defaultMaxTokensApplied = false;
  const defaultMaxTokens = settings.guards.defaultMaxTokens;
  if (maxTokens === undefined && defaultMaxTokens !== undefined && operation.maxTokensField !== undefined) {
    // A copy: the app's object may be reused for its next call.
    body = { ...body, [operation.maxTokensField]: defaultMaxTokens };
    maxTokens = defaultMaxTokens;
    defaultMaxTokensApplied = true;
  }
  let dropUsageChunk = false;
  if (stream) {
    const withUsage = operation.askForStreamUsage(body);
    if (withUsage !== undefined) {
      body = withUsage;
      dropUsageChunk = true;
    }
  }
  const prefix = operation.stablePrefix(appBody);
  const request: LlmRequest = {
    provider: operation.provider,
    operation: operation.operation,
    requestModel: stringOrUndefined(appBody['model']),
    maxTokens,
    stream,
    prefixHash: prefix === undefined ? undefined : prefixHash(prefix.system, prefix.tools),
    requestHash: requestHash(operation.provider, operation.operation, appBody),
    defaultMaxTokensApplied,
    batch: operation.isBatch === true,
    promptContent: settings.captureContent ? JSON.stringify(operation.promptContent(appBody)) : undefined,
  };

  const attributes = requestAttributes(request, tags);
  if (shedding.budget !== 'within') {
    attributes[ATTR_GUARD_BUDGET] = shedding.budget;
    if (shedding.spentBudget !== undefined) attributes[ATTR_GUARD_SPENT_BUDGET] = shedding.spentBudget;
    attributes[ATTR_GUARD_SHEDDING] = shedding.action === 'refuse' ? 'refused' : shedding.waits > 0 ? 'waited' : 'run';
  }
  if (shedding.waits > 0) attributes[ATTR_GUARD_SHEDDING_WAITS] = shedding.waits;
  const firstAttempt = 1 + attemptsAlreadyMade(() => requestFingerprint(operation.provider, operation.operation, appBody));
  const spanName = request.requestModel === undefined ? operation.operation : `${operation.operation} ${request.requestModel}`;
  const call = new LlmCall(tracer, context.active(), spanName, attributes, request, appBody, firstAttempt);

  return { call, body, dropUsageChunk, blockedBy: guardBlock(call, operation, appBody, settings, tags, shedding) };
}

/**
 * The guards in the order they cost the app least: load shedding's refusal, then the input size,
 * then the user's daily count, which only counts a call that is going to be sent. A refused call
 * ends its span with the reason and gets the error the app receives.
 */
function guardBlock(
  call: LlmCall,
  operation: LlmOperation,
  appBody: Record<string, unknown>,
  settings: CostscopeSettings,
  tags: CostscopeTags,
  shedding: SheddingOutcome,
): CostscopeInputTooLargeError | CostscopeLimitError | undefined {
  if (shedding.action === 'refuse') {
    const kind = shedding.budget === 'spent' ? 'budget_spent' : 'budget_unknown';
    const error = new CostscopeLimitError(kind, { ...limitDetails(tags), spentBudget: shedding.spentBudget });
    call.block(error.name, { [semconv.ATTR_COSTSCOPE_GUARD_BLOCKED]: kind });
    return error;
  }
  const maxInputTokens = settings.guards.maxInputTokens;
  if (maxInputTokens !== undefined) {
    const over = inputTokensOver(operation.inputParts(appBody), operation.provider, call.request.requestModel, maxInputTokens);
    if (over !== undefined) {
      const error = new CostscopeInputTooLargeError(over.tokens, maxInputTokens, call.request.requestModel);
      call.block(error.name, {
        [semconv.ATTR_COSTSCOPE_GUARD_BLOCKED]: semconv.COSTSCOPE_GUARD_MAX_INPUT_TOKENS,
        [semconv.ATTR_COSTSCOPE_GUARD_ESTIMATED_INPUT_TOKENS]: over.tokens,
        [semconv.ATTR_COSTSCOPE_GUARD_MAX_INPUT_TOKENS]: maxInputTokens,
        [ATTR_GUARD_INPUT_TOKEN_COUNTER]: over.counter,
      });
      return error;
    }
  }
  const reached = sdkState().guards?.dailyRequests?.take(tags.userId, tags.userTier);
  if (reached !== undefined) {
    const error = new CostscopeLimitError('daily_requests', { ...limitDetails(tags), limit: reached.limit });
    call.block(error.name, { [semconv.ATTR_COSTSCOPE_GUARD_BLOCKED]: 'daily_requests', [ATTR_GUARD_DAILY_REQUESTS_LIMIT]: reached.limit });
    return error;
  }
  return undefined;
}

function limitDetails(tags: CostscopeTags): { userId?: string; userTier?: string; feature?: string; priority?: string } {
  const details: { userId?: string; userTier?: string; feature?: string; priority?: string } = {};
  if (tags.userId !== undefined) details.userId = tags.userId;
  if (tags.userTier !== undefined) details.userTier = tags.userTier;
  if (tags.feature !== undefined) details.feature = tags.feature;
  if (tags.priority !== undefined) details.priority = tags.priority;
  return details;
}

function requestAttributes(request: LlmRequest, tags: CostscopeTags): Attributes {
  const attributes: Attributes = {
    [semconv.ATTR_GEN_AI_PROVIDER_NAME]: request.provider,
    [semconv.ATTR_GEN_AI_OPERATION_NAME]: request.operation,
  };
  if (request.requestModel !== undefined) attributes[semconv.ATTR_GEN_AI_REQUEST_MODEL] = request.requestModel;
  if (request.maxTokens !== undefined) attributes[semconv.ATTR_GEN_AI_REQUEST_MAX_TOKENS] = request.maxTokens;
  if (request.stream) attributes[semconv.ATTR_GEN_AI_REQUEST_STREAM] = true;
  if (request.defaultMaxTokensApplied) attributes[semconv.ATTR_COSTSCOPE_GUARD_DEFAULT_MAX_TOKENS_APPLIED] = true;
  if (request.prefixHash !== undefined) attributes[semconv.ATTR_COSTSCOPE_PROMPT_PREFIX_HASH] = request.prefixHash;
  attributes[semconv.ATTR_COSTSCOPE_REQUEST_HASH] = request.requestHash;
  if (request.batch) attributes[semconv.ATTR_COSTSCOPE_BATCH] = true;
  if (request.promptContent !== undefined) attributes[semconv.ATTR_COSTSCOPE_PROMPT_CONTENT] = request.promptContent;
  if (tags.feature !== undefined) attributes[semconv.ATTR_COSTSCOPE_FEATURE] = tags.feature;
  if (tags.endpoint !== undefined) attributes[semconv.ATTR_COSTSCOPE_ENDPOINT] = tags.endpoint;
  if (tags.userId !== undefined) attributes[semconv.ATTR_USER_ID] = tags.userId;
  if (tags.userTier !== undefined) attributes[semconv.ATTR_COSTSCOPE_USER_TIER] = tags.userTier;
  if (tags.priority !== undefined) attributes[semconv.ATTR_COSTSCOPE_PRIORITY] = tags.priority;
  return attributes;
}

function observeResult(
  result: unknown,
  call: LlmCall,
  operation: LlmOperation,
  dropUsageChunk: boolean,
  captureContent: boolean,
): unknown {
  const promise = result as ProviderPromise;
  if (!isRecord(result) || typeof promise._thenUnwrap !== 'function') {
    diag.debug('costscope: the client returned no APIPromise; the call is recorded without its response');
    call.succeed({});
    return result;
  }
  // The client rejects `responsePromise` when the last attempt fails; listening here does not
  // start parsing the body (the app may still ask for `asResponse()`).
  promise.responsePromise?.then(undefined, (error: unknown) => call.fail(error));
  const read = (data: unknown) => {
    try {
      if (call.request.stream) {
        observeStream(data, call, operation.streamReader(dropUsageChunk, captureContent));
      } else {
        call.succeed(operation.readResponse(data, captureContent));
      }
    } catch (error) {
      diag.error('costscope: could not read a response', error);
      call.succeed({});
    }
    return data;
  };
  // Reading the parsed body where the promise parses it keeps the app's promise object as it is
  // (one allocation less than `_thenUnwrap`, and `withResponse()` still works).
  const parseResponse = promise.parseResponse;
  if (typeof parseResponse === 'function') {
    promise.parseResponse = function (this: unknown, ...args: unknown[]) {
      const parsed = parseResponse.apply(this, args);
      return parsed instanceof Promise ? parsed.then(read) : read(parsed);
    };
    return promise;
  }
  return promise._thenUnwrap(read);
}

/**
 * What a call waiting for the budget returns in place of the client's promise: it settles with
 * the call made later, and `withResponse()`/`asResponse()` still reach that call's own.
 */
function deferredProviderPromise(later: Promise<{ result: unknown }>): Promise<unknown> {
  const settled = later.then(({ result }) => result);
  const fromResult = (method: 'withResponse' | 'asResponse') => () =>
    later.then(({ result }) => {
      const own = (result as Record<string, unknown> | undefined)?.[method];
      return typeof own === 'function' ? (own as () => unknown).call(result) : result;
    });
  return Object.assign(settled, { withResponse: fromResult('withResponse'), asResponse: fromResult('asResponse') });
}

/** What the guard returns in place of the client's promise: it rejects like the client would. */
function rejectedProviderPromise(error: Error): Promise<never> {
  const rejected = Promise.reject(error);
  return Object.assign(rejected, {
    withResponse: () => rejected,
    asResponse: () => rejected,
    _thenUnwrap: () => rejected,
  });
}
