/** Which instrumentation wrote a span, as far as the ingest can tell. Kept in `attributes`. */
export type SpanDialect = 'genai' | 'openllmetry' | 'openinference' | 'vercel-ai';

/** Token counts in the GenAI conventions' shape: input includes cache reads and writes. */
export type TokenCounts = {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
};

/** The attribute each count was read from (or how it was derived), for error messages. */
export type TokenSources = Record<keyof TokenCounts, string>;

export type CallTags = {
  feature: string;
  endpoint: string;
  userId: string;
  userTier: string;
  priority: string;
};

/** What one dialect reader found on an LLM-call span, before the checks common to all. */
export type CallReading = {
  dialect: SpanDialect;
  provider: string;
  requestModel: string;
  responseModel: string;
  operation: string;
  tokens: TokenCounts;
  tokenSources: TokenSources;
  tags: Partial<CallTags>;
  maxTokens: number | null;
  finishReason: string;
  timeToFirstTokenMs: number | null;
};

/** Why a span is not an LLM call; counted, never an error. */
export type SkipReason =
  | 'not_llm_call'
  | 'vercel_ai_outer_span'
  | 'openinference_non_llm_span'
  | 'agent_or_tool_span'
  | 'guard_blocked';
