import { CostscopeError } from '@costscope/core';

/** A setting that cannot be used as written; the message names the option and the variable. */
export class CostscopeConfigError extends CostscopeError {
  override readonly name = 'CostscopeConfigError';
}

/**
 * Thrown by an instrumented call that the `maxInputTokens` guard stopped before it was sent.
 * Nothing was sent to the provider and nothing was billed.
 */
export class CostscopeInputTooLargeError extends CostscopeError {
  override readonly name = 'CostscopeInputTooLargeError';
  readonly estimatedInputTokens: number;
  readonly maxInputTokens: number;
  readonly model: string | undefined;

  constructor(estimatedInputTokens: number, maxInputTokens: number, model: string | undefined) {
    super(
      `Costscope blocked a ${model ?? 'model'} request of about ${estimatedInputTokens} input tokens: over maxInputTokens (${maxInputTokens})`,
    );
    this.estimatedInputTokens = estimatedInputTokens;
    this.maxInputTokens = maxInputTokens;
    this.model = model;
  }
}
