/**
 * Attributes that can carry prompt or completion text (or other payloads: tool arguments,
 * retrieved documents, embeddings). They are never stored: Costscope keeps costs, not content.
 * A key is content when it equals one of these names or starts with one followed by `.`, so
 * indexed forms (`gen_ai.prompt.0.content`, `llm.input_messages.3.message.content`) match too.
 */
const CONTENT_ATTRIBUTE_PREFIXES = [
  // GenAI conventions, current and older, and OpenLLMetry's indexed prompt/completion attributes.
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'gen_ai.request.functions',
  'llm.prompts',
  'llm.completions',
  'llm.request.functions',
  'traceloop.entity.input',
  'traceloop.entity.output',
  // OpenInference.
  'input.value',
  'output.value',
  'llm.input_messages',
  'llm.output_messages',
  'llm.prompt_template',
  'llm.tools',
  'message.content',
  'message.contents',
  'tool.parameters',
  'tool_call.function.arguments',
  'retrieval.documents',
  'reranker.input_documents',
  'reranker.output_documents',
  'reranker.query',
  'embedding.embeddings',
  'embedding.text',
  // OpenInference's free-form `metadata` is read for tags, then dropped: it may hold anything.
  'metadata',
  // Vercel AI SDK.
  'ai.prompt',
  'ai.response.text',
  'ai.response.reasoning',
  'ai.response.toolCalls',
  'ai.response.object',
  'ai.response.providerMetadata',
  'ai.toolCall.args',
  'ai.toolCall.result',
  'ai.value',
  'ai.values',
  'ai.embedding',
  'ai.embeddings',
  'ai.schema',
  'ai.settings.output',
  // Costscope SDK's opt-in content capture (`captureContent`): shown live, never stored here.
  'costscope.prompt.content',
  'costscope.completion.content',
] as const;

const CONTENT_KEYS: ReadonlySet<string> = new Set(CONTENT_ATTRIBUTE_PREFIXES);

/** Checks the key and each of its dot-separated prefixes: a handful of set lookups per key. */
export function isContentAttribute(key: string): boolean {
  let dot = key.indexOf('.');
  while (dot > 0) {
    if (CONTENT_KEYS.has(key.slice(0, dot))) return true;
    dot = key.indexOf('.', dot + 1);
  }
  return CONTENT_KEYS.has(key);
}
