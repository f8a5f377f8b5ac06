/** Why a span that looks like an LLM call cannot be stored (reported through OTLP partial success). */
export type InvalidSpanCode = 'missing_ids' | 'time_outside_window' | 'invalid_tokens' | 'invalid_attribute' | 'attribute_limit';

/**
 * Thrown inside normalization when a span is an LLM call but cannot be stored as one; turned into
 * an `invalid` outcome with the message as the reason. Never escapes `normalizeSpan`.
 */
export class InvalidSpanError extends Error {
  override readonly name = 'InvalidSpanError';

  constructor(
    readonly code: InvalidSpanCode,
    message: string,
  ) {
    super(message);
  }
}
