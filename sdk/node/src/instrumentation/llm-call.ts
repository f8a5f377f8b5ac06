import { performance } from 'node:perf_hooks';
import { SpanKind, SpanStatusCode, diag } from '@opentelemetry/api';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { semconv } from '@costscope/core';
import { rememberOutcome, requestFingerprint } from './app-retries.js';
import type { LlmRequest, LlmResult } from './types.js';
import { isRecord, numberOrUndefined } from './utils.js';

/**
 * One instrumented `create` call. Each HTTP attempt the client makes (its own retries included)
 * is one span carrying `costscope.attempt`; failed attempts end when the next one starts, the
 * last ends with the response, the end of the stream, or the error the app receives.
 */
export class LlmCall {
  private span: Span;
  private attemptStartedAt: number;
  private attempt: number;
  private fetches = 0;
  private attemptStatus: number | undefined;
  private attemptError: unknown;
  private firstItemSeen = false;
  private ended = false;
  private endListener: (() => void) | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly parent: Context,
    private readonly spanName: string,
    private readonly attributes: Attributes,
    readonly request: LlmRequest,
    private readonly body: unknown,
    firstAttempt: number,
  ) {
    this.attempt = firstAttempt;
    // Only streams report time to first token; a clock read less on every other call.
    this.attemptStartedAt = request.stream ? performance.now() : 0;
    this.span = this.startAttemptSpan();
  }

  /** Called by the observed `fetch` before each HTTP attempt. */
  onAttemptStart(): void {
    this.fetches += 1;
    if (this.fetches === 1 || this.ended) return;
    // A new attempt means the previous one failed and the client is retrying.
    this.endAttempt(this.attemptStatus, this.attemptError);
    this.attempt += 1;
    this.attemptStatus = undefined;
    this.attemptError = undefined;
    this.attemptStartedAt = this.request.stream ? performance.now() : 0;
    this.span = this.startAttemptSpan();
  }

  onAttemptResponse(status: number): void {
    this.attemptStatus = status;
  }

  onAttemptError(error: unknown): void {
    this.attemptError = error;
  }

  /** The first streamed item: time to first token. */
  onStreamItem(): void {
    if (this.firstItemSeen) return;
    this.firstItemSeen = true;
    this.span.setAttribute(
      semconv.ATTR_COSTSCOPE_TIME_TO_FIRST_TOKEN_MS,
      Math.round((performance.now() - this.attemptStartedAt) * 1000) / 1000,
    );
  }

  succeed(result: LlmResult, abandoned = false): void {
    if (this.ended) return;
    this.ended = true;
    const span = this.span;
    setResultAttributes(span, result);
    if (abandoned) span.setAttribute(semconv.ATTR_COSTSCOPE_STREAM_ABANDONED, true);
    span.end();
    this.finished();
    this.rememberOutcome(false);
  }

  /** The error the app receives; `partial` is what a stream delivered before it failed. */
  fail(error: unknown, partial?: LlmResult): void {
    if (this.ended) return;
    this.ended = true;
    if (partial !== undefined) setResultAttributes(this.span, partial);
    this.endAttempt(httpStatusOf(error) ?? this.attemptStatus, error);
    this.finished();
    this.rememberOutcome(true);
  }

  /** A guard stopped the call before anything was sent; `attributes` say which and why. */
  block(errorType: string, attributes: Attributes): void {
    if (this.ended) return;
    this.ended = true;
    const span = this.span;
    span.setAttributes(attributes);
    span.setAttribute(semconv.ATTR_ERROR_TYPE, errorType);
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    span.end();
    this.finished();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Called once when the call's last span ends (success, failure or block). */
  onEnd(listener: () => void): void {
    this.endListener = listener;
  }

  private finished(): void {
    this.endListener?.();
    this.endListener = undefined;
  }

  private startAttemptSpan(): Span {
    const span = this.tracer.startSpan(this.spanName, { kind: SpanKind.CLIENT, attributes: this.attributes }, this.parent);
    span.setAttribute(semconv.ATTR_COSTSCOPE_ATTEMPT, this.attempt);
    return span;
  }

  private endAttempt(status: number | undefined, error: unknown): void {
    const span = this.span;
    const errorType = status !== undefined && status >= 400 ? String(status) : errorTypeOf(error);
    if (status !== undefined) span.setAttribute(semconv.ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    span.setAttribute(semconv.ATTR_ERROR_TYPE, errorType);
    // The class name only: provider error messages can echo the prompt.
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    span.end();
  }

  private rememberOutcome(failed: boolean): void {
    // Successes only matter when an earlier failure of the same request is remembered.
    if (!failed && this.attempt === 1) return;
    try {
      rememberOutcome(requestFingerprint(this.request.provider, this.request.operation, this.body), this.attempt, failed);
    } catch (error) {
      diag.debug('costscope: could not remember the outcome of a call', error);
    }
  }
}

function setResultAttributes(span: Span, result: LlmResult): void {
  if (result.responseModel !== undefined) span.setAttribute(semconv.ATTR_GEN_AI_RESPONSE_MODEL, result.responseModel);
  if (result.finishReasons !== undefined && result.finishReasons.length > 0) {
    span.setAttribute(semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS, result.finishReasons);
  }
  const usage = result.usage;
  if (usage !== undefined) {
    span.setAttribute(semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
    span.setAttribute(semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
    const reported = result.usageReported;
    if (reported?.cacheRead !== false) {
      span.setAttribute(semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens);
    }
    if (reported?.cacheWrite !== false) {
      span.setAttribute(semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheWriteInputTokens);
    }
    if (reported?.reasoning !== false) {
      span.setAttribute(semconv.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens);
    }
  }
  if (result.completionContent !== undefined) {
    span.setAttribute(semconv.ATTR_COSTSCOPE_COMPLETION_CONTENT, result.completionContent);
  }
}

function httpStatusOf(error: unknown): number | undefined {
  return isRecord(error) ? numberOrUndefined(error['status']) : undefined;
}

/** A low-cardinality name for an error: its HTTP status, else its class. */
export function errorTypeOf(error: unknown): string {
  const status = httpStatusOf(error);
  if (status !== undefined) return String(status);
  if (error instanceof Error) return error.constructor.name === 'Error' ? error.name : error.constructor.name;
  return '_OTHER';
}
