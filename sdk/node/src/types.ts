import type { TracerProvider } from '@opentelemetry/api';

/**
 * Core's `semconv.CostscopePriority`, spelled out so the published types need nothing of core
 * beyond its errors (settings.ts checks at compile time that the two agree).
 */
export type CostscopePriority = 'critical' | 'important' | 'optional';

/** What a call is for and who it serves: the dimensions Costscope splits cost by. */
export interface CostscopeTags {
  /** The product feature making the call (`costscope.feature`), e.g. `support-chat`. */
  feature?: string;
  /** The app's own endpoint or job (`costscope.endpoint`), e.g. `POST /api/answer`. */
  endpoint?: string;
  /** The end user (`user.id`). Send an opaque id, not an email. */
  userId?: string;
  /** The user's plan (`costscope.user.tier`), e.g. `free`, `pro`. */
  userTier?: string;
  /** `critical|important|optional` (`costscope.priority`), the article's load-shedding tiers. */
  priority?: CostscopePriority;
}

/** Guards stop waste before it is paid for (the article's strategies 4 and 6). */
export interface CostscopeGuards {
  /**
   * Reject a request whose input is larger than this many tokens, before it is sent: counted with
   * the model's tokenizer for OpenAI models (`o200k_base`/`cl100k_base`), as characters / 4 for
   * the rest. The call throws `CostscopeInputTooLargeError` and a span records the block.
   */
  maxInputTokens?: number;
  /** Output limit applied when a call sets none (`max_completion_tokens`, `max_output_tokens`, `max_tokens`). */
  defaultMaxTokens?: number;
  /**
   * Requests each user (`userId`) may make per UTC day, by `userTier`, counted in this process.
   * `true`: the article's defaults (free 50, paid 500, enterprise unlimited); an object is merged
   * over them (`null` = unlimited). Over the limit the call throws `CostscopeLimitError`.
   */
  dailyRequestsPerUser?: boolean | Record<string, number | null>;
  /**
   * Shed calls by `priority` when their feature's monthly allocation is spent, as the server's
   * `GET /api/v1/budget-state` says: `critical` runs, `important` waits, `optional` is refused.
   * `true` takes the defaults.
   */
  loadShedding?: boolean | CostscopeLoadShedding;
}

/** How load shedding reads the budget and treats `important` calls. */
export interface CostscopeLoadShedding {
  /**
   * The Costscope server to read `GET /api/v1/budget-state` from, with the project key. Default:
   * the endpoint (set this when spans go through an OpenTelemetry collector).
   */
  serverUrl?: string;
  /** How often the budget state is read from the server, in ms, in the background. Default 60 000. */
  refreshIntervalMs?: number;
  /** What `important` and `optional` calls do while the budget state cannot be read. Default `allow`. */
  whenUnreachable?: 'allow' | 'deny';
  /** How long an `important` call waits before it checks the budget again, in ms. Default 30 000. */
  importantRetryDelayMs?: number;
  /** How many times an `important` call waits before it is refused. Default 3. */
  importantRetries?: number;
}

export interface CostscopeOptions {
  /** Costscope server (or any OTLP/HTTP receiver). Option → `COSTSCOPE_ENDPOINT` → `http://localhost:4318`. */
  endpoint?: string;
  /** Project key sent as `Authorization: Bearer`. Option → `COSTSCOPE_API_KEY`. */
  apiKey?: string;
  /** `service.name` of the spans. Option → `OTEL_SERVICE_NAME` → `unknown_service:node`. */
  serviceName?: string;
  /** Tags every call carries unless `withTags` says otherwise. */
  defaults?: CostscopeTags;
  guards?: CostscopeGuards;
  /**
   * Export prompt and completion text (`costscope.prompt.content`, `costscope.completion.content`).
   * Off unless set: option → `COSTSCOPE_CAPTURE_CONTENT=true` → false.
   */
  captureContent?: boolean;
  /**
   * The tracer provider to add Costscope's exporter to. Default: the app's global provider when
   * it has one, else Costscope's own (registered as the global one).
   */
  tracerProvider?: TracerProvider;
  /** Most spans held for export; beyond it new spans are dropped, never memory grown. Default 2048. */
  maxQueueSize?: number;
  /**
   * Provider packages to instrument directly, for apps where module hooks cannot see them
   * (bundled with webpack/esbuild, or installed under another name):
   * `init({ modules: { openai: OpenAI, anthropic: Anthropic } })` with the packages' exports.
   */
  modules?: { openai?: unknown; anthropic?: unknown };
  /** Flush spans on `beforeExit`, SIGTERM and SIGINT. Default true. */
  flushOnExit?: boolean;
}

/** The settings after option → environment → default. */
export interface CostscopeSettings {
  endpoint: string;
  tracesUrl: string;
  apiKey: string | undefined;
  serviceName: string | undefined;
  defaults: CostscopeTags;
  guards: CostscopeGuards;
  /** Calls per user per UTC day by tier (`null` = unlimited); undefined when the guard is off. */
  dailyRequestsByTier: Readonly<Record<string, number | null>> | undefined;
  loadShedding: Required<CostscopeLoadShedding> | undefined;
  captureContent: boolean;
  maxQueueSize: number;
  flushOnExit: boolean;
}
