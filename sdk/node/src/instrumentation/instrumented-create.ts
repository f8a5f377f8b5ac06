import { context, diag } from '@opentelemetry/api';
import type { Attributes, Tracer } from '@opentelemetry/api';
import { semconv } from '@costscope/core';
import { CostscopeInputTooLargeError } from '../errors.js';
import { sdkState } from '../sdk-state.js';
import type { CostscopeSettings } from '../types.js';
import { attemptsAlreadyMade, requestFingerprint } from './app-retries.js';
import { LlmCall } from './llm-call.js';
import type { LlmOperation } from './llm-operation.js';
import { observeAttempts, sendAsCall } from './observe-attempts.js';
import { observeStream } from './observe-stream.js';
import type { CreateMethod, LlmRequest, ProviderClient, ProviderPromise } from './types.js';
import { estimateTokens, isRecord, prefixHash, requestHash, stringOrUndefined, textLength } from './utils.js';

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

    let prepared: PreparedCall;
    try {
      prepared = prepareCall(operation, body, settings, tracer());
    } catch (error) {
      diag.error('costscope: could not instrument a call; it runs uninstrumented', error);
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as [unknown, unknown]);
    }
    const call = prepared.call;
    if (prepared.blockedBy !== undefined) return rejectedProviderPromise(prepared.blockedBy);

    let attemptsObserved = false;
    try {
      attemptsObserved = observeAttempts(this._client);
    } catch (error) {
      diag.debug('costscope: cannot observe HTTP attempts of this client', error);
    }

    let result: unknown;
    try {
      result = attemptsObserved
        ? sendAsCall(this._client as object, call, options, (sentOptions) => original.call(this, prepared.body, sentOptions))
        : original.call(this, prepared.body, options);
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
  };
}

interface PreparedCall {
  call: LlmCall;
  body: Record<string, unknown>;
  dropUsageChunk: boolean;
  blockedBy: CostscopeInputTooLargeError | undefined;
}

function prepareCall(
  operation: LlmOperation,
  appBody: Record<string, unknown>,
  settings: CostscopeSettings,
  tracer: Tracer,
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

  const attributes = requestAttributes(request, settings);
  const firstAttempt = 1 + attemptsAlreadyMade(() => requestFingerprint(operation.provider, operation.operation, appBody));
  const spanName = request.requestModel === undefined ? operation.operation : `${operation.operation} ${request.requestModel}`;
  const call = new LlmCall(tracer, context.active(), spanName, attributes, request, appBody, firstAttempt);

  let blockedBy: CostscopeInputTooLargeError | undefined;
  const maxInputTokens = settings.guards.maxInputTokens;
  if (maxInputTokens !== undefined) {
    const estimated = estimateTokens(textLength(operation.inputParts(appBody)));
    if (estimated > maxInputTokens) {
      blockedBy = new CostscopeInputTooLargeError(estimated, maxInputTokens, request.requestModel);
      call.block(blockedBy.name, estimated, maxInputTokens);
    }
  }
  return { call, body, dropUsageChunk, blockedBy };
}

function requestAttributes(request: LlmRequest, settings: CostscopeSettings): Attributes {
  const scoped = sdkState().tagStore.getStore();
  const tags = scoped === undefined ? settings.defaults : { ...settings.defaults, ...scoped };
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

/** What the guard returns in place of the client's promise: it rejects like the client would. */
function rejectedProviderPromise(error: Error): Promise<never> {
  const rejected = Promise.reject(error);
  return Object.assign(rejected, {
    withResponse: () => rejected,
    asResponse: () => rejected,
    _thenUnwrap: () => rejected,
  });
}
