/**
 * Caps on what one span may carry, beyond the 20 MiB body limit. No OpenTelemetry SDK comes
 * near them (the SDK's own default is 128 attributes, values flat or arrays of scalars); they stop
 * crafted input from turning decoding or normalization into a stack overflow or a memory sink.
 */

/**
 * AnyValue nesting (arrays and kvlists inside each other). Deeper is refused by the decoder
 * (400) as it reads, in both encodings: nesting that deep is only ever an attack, and the
 * decoders recurse no deeper than this.
 */
export const MAX_ANY_VALUE_DEPTH = 16;

/**
 * Attribute keys: semantic-convention keys are under 100 characters (OpenInference's flattened
 * `llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments` is 73). Keys are
 * remembered by the normalizer, so their length bounds that memory too.
 */
export const MAX_ATTRIBUTE_KEY_CHARS = 512;

/**
 * Text in one attribute value (strings, and all strings of an array or kvlist together). Prompt
 * and completion text is exempt: it is dropped unread, and refusing a long prompt would lose the
 * cost of exactly the most expensive calls.
 */
export const MAX_ATTRIBUTE_TEXT_CHARS = 256 * 1024;

/** Attributes on one span (and on one resource): 8× the OpenTelemetry SDK's default limit. */
export const MAX_ATTRIBUTES_PER_SPAN = 1024;
