import { around, mixSeed, pickWeighted, seededRandom, type Random } from './seeded-random.js';

/**
 * The example app the demo fills Costscope with, modelled on the seed article: "Acme Support", a
 * support chatbot that routes each question by complexity across model tiers (strategy 3), a
 * ticket summarizer whose 2,000-token system prompt is cached (strategy 1), and a nightly job
 * that classifies reviews through the Batch API at half price (strategy 2), used by free, paid and
 * enterprise customers (strategy 6). History and live traffic are both planned here, so the live
 * calls look like the app's history and land in the same feature and model rows.
 */
export const DEMO_SERVICE_NAME = 'acme-support';

export type ProviderName = 'openai' | 'anthropic';
export type UserTier = 'free' | 'paid' | 'enterprise';
export type AppUser = { id: string; tier: UserTier; weight: number };

/** Tokens as the SDK reports them: `inputTokens` includes cache reads and writes. */
export type CallUsage = { inputTokens: number; cacheReadInputTokens: number; cacheWriteInputTokens: number; outputTokens: number };

/** One LLM call the app makes, before it has ids and a time. */
export type PlannedCall = {
  /** From the start of the user's request (a chat answer follows its routing call). */
  offsetMs: number;
  durationMs: number;
  provider: ProviderName;
  model: string;
  /** What the provider answers with: OpenAI a dated snapshot, Anthropic the model asked for. */
  responseModel: string;
  maxTokens: number;
  feature: string;
  endpoint: string;
  priority: 'critical' | 'important' | 'optional';
  user: AppUser | undefined;
  batch: boolean;
  usage: CallUsage;
  finishReason: string;
  /** The provider refuses the first attempt with this status; the retry succeeds. */
  failFirstWith: number | undefined;
};

export const FEATURES = {
  supportChat: 'support-chat',
  ticketSummary: 'ticket-summary',
  reviewInsights: 'review-insights',
} as const;

/** The article's routing table (strategy 3): 60% simple, 30% medium, 10% complex. */
export const CHAT_ROUTES = [
  { complexity: 'simple', share: 60, provider: 'openai', model: 'gpt-5-nano', maxTokens: 600 },
  { complexity: 'medium', share: 30, provider: 'openai', model: 'gpt-5-mini', maxTokens: 800 },
  { complexity: 'complex', share: 10, provider: 'anthropic', model: 'claude-sonnet-4-6', maxTokens: 1200 },
] as const satisfies ReadonlyArray<{ complexity: string; share: number; provider: ProviderName; model: string; maxTokens: number }>;
export type ChatRoute = (typeof CHAT_ROUTES)[number];

const SNAPSHOTS: Readonly<Record<string, string>> = {
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
};

/** The model name a provider answers with, which is the name Costscope groups by. */
export function responseModelOf(model: string): string {
  return SNAPSHOTS[model] ?? model;
}

/** Calls a day at the end of the history, on a weekday; earlier days are smaller by `GROWTH_PER_DAY`. */
export const DAILY_VOLUME = { chatRequests: 1500, ticketSummaries: 500, reviewInsights: 800 } as const;
/** The app grows 0.7% a day (about 23% a month). */
export const GROWTH_PER_DAY = 0.007;
/** ISO weekday (1 = Monday) → share of a weekday's traffic: consumers chat at weekends too, less. */
export const WEEKDAY_SHAPE: Readonly<Record<number, number>> = { 1: 1, 2: 1.03, 3: 1.02, 4: 1, 5: 0.94, 6: 0.8, 7: 0.76 };
/** Hour of day (UTC) → traffic relative to the day's mean: Europe's afternoon meets America's morning. */
const HOUR_WEIGHTS = [0.35, 0.3, 0.25, 0.22, 0.22, 0.25, 0.35, 0.55, 0.8, 1.05, 1.25, 1.35, 1.4, 1.5, 1.65, 1.7, 1.65, 1.55, 1.4, 1.25, 1.05, 0.85, 0.65, 0.45];
const HOUR_WEIGHT_SUM = HOUR_WEIGHTS.reduce((sum, weight) => sum + weight, 0);
export function hourShare(hourOfDay: number): number {
  return (HOUR_WEIGHTS[hourOfDay] ?? 1) / HOUR_WEIGHT_SUM;
}
/** The nightly review classification runs from 02:00 UTC for 40 minutes. */
export const NIGHTLY_BATCH_HOUR = 2;

const USER_COUNT = 600;

/** The app's customers: 70% free, 25% paid, 5% enterprise; the paying ones ask far more. */
export type AppUsers = readonly [AppUser, ...AppUser[]];

export function appUsers(seed: number): AppUsers {
  const random = seededRandom(mixSeed(seed, 0xa11ce));
  const user = (index: number): AppUser => {
    const draw = random();
    const tier: UserTier = draw < 0.7 ? 'free' : draw < 0.95 ? 'paid' : 'enterprise';
    const base = tier === 'free' ? 1 : tier === 'paid' ? 3 : 12;
    const id = `usr_${mixSeed(seed, 0x5e7, index).toString(36).padStart(7, '0')}`;
    return { id, tier, weight: base * (0.3 + random() * 1.4) };
  };
  return [user(0), ...Array.from({ length: USER_COUNT - 1 }, (_, index) => user(index + 1))];
}

export function pickUser(random: Random, users: AppUsers): AppUser {
  return pickWeighted(random, users, (user) => user.weight);
}

/** Error shares of first attempts in normal operation (rate limits, overloads), each retried once. */
const NORMAL_FAILURES = { router: 0.002, answer: 0.005, summary: 0.006 } as const;

function failure(random: Random, share: number, provider: ProviderName): number | undefined {
  if (random() >= share) return undefined;
  // OpenAI answers a rate limit with 429; Anthropic an overload with 529.
  return provider === 'anthropic' ? 529 : random() < 0.8 ? 429 : 500;
}

function finishOf(provider: ProviderName, capped: boolean): string {
  if (provider === 'anthropic') return capped ? 'max_tokens' : 'end_turn';
  return capped ? 'length' : 'stop';
}

export type ChatRequestOptions = {
  route?: ChatRoute;
  /** Answers about this long (the output-drift incident: a prompt change lost "answer in 3 sentences"). */
  answerTokens?: number;
  /** The answer's first attempt is refused with this status (the error-burst incident). */
  answerFailsFirstWith?: number;
};

/** A chatbot question: the cheapest model classifies it, then the routed tier answers. */
export function planChatRequest(random: Random, user: AppUser, options: ChatRequestOptions = {}): PlannedCall[] {
  const common = { feature: FEATURES.supportChat, priority: 'critical', user, batch: false } as const;
  const routerMs = around(random, 450, 0.5, 120);
  const router: PlannedCall = {
    ...common,
    offsetMs: 0,
    durationMs: routerMs,
    provider: 'openai',
    model: 'gpt-5-nano',
    responseModel: responseModelOf('gpt-5-nano'),
    maxTokens: 8,
    endpoint: 'classify',
    usage: { inputTokens: around(random, 230, 0.2), cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: around(random, 3, 0.6) },
    finishReason: 'stop',
    failFirstWith: failure(random, NORMAL_FAILURES.router, 'openai'),
  };
  const route = options.route ?? pickWeighted<ChatRoute>(random, CHAT_ROUTES, (candidate) => candidate.share);
  const maxTokens = options.answerTokens === undefined ? route.maxTokens : Math.max(route.maxTokens, Math.ceil(options.answerTokens * 1.5));
  const wanted = around(random, options.answerTokens ?? 300, 0.6);
  const outputTokens = Math.min(wanted, maxTokens);
  const normalFailure = failure(random, NORMAL_FAILURES.answer, route.provider);
  const answer: PlannedCall = {
    ...common,
    offsetMs: routerMs + 20,
    durationMs: around(random, route.complexity === 'complex' ? 6000 : route.complexity === 'medium' ? 2800 : 1400, 0.5, 200),
    provider: route.provider,
    model: route.model,
    responseModel: responseModelOf(route.model),
    maxTokens,
    endpoint: 'answer',
    usage: { inputTokens: around(random, 500, 0.5), cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens },
    finishReason: finishOf(route.provider, wanted >= maxTokens),
    failFirstWith: options.answerFailsFirstWith ?? normalFailure,
  };
  return [router, answer];
}

/** The 2,000-token system prompt the summarizer sends first on every call, so the provider caches it. */
export const SUMMARY_SYSTEM_PROMPT_TOKENS = 2000;

/**
 * A support ticket summarized for the agent. The stable system prompt is read from the cache at a
 * tenth of the input price; about one call in twenty finds the five-minute cache cold and writes it.
 * `bulk`: the spend-spike incident, an enterprise integration re-summarizing whole ticket histories
 * with the ticket before the system prompt, so nothing is cached.
 */
export function planTicketSummary(random: Random, user: AppUser, options: { bulk?: boolean } = {}): PlannedCall[] {
  const bulk = options.bulk === true;
  const fresh = bulk ? around(random, 14_000, 0.2) : around(random, 1200, 0.5);
  const cold = !bulk && random() < 0.05;
  const cacheRead = bulk || cold ? 0 : SUMMARY_SYSTEM_PROMPT_TOKENS;
  const cacheWrite = cold ? SUMMARY_SYSTEM_PROMPT_TOKENS : 0;
  const maxTokens = bulk ? 600 : 400;
  const wanted = bulk ? around(random, 350, 0.3) : around(random, 180, 0.4);
  return [
    {
      offsetMs: 0,
      durationMs: around(random, bulk ? 9000 : 4000, 0.4, 500),
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      responseModel: responseModelOf('claude-sonnet-4-6'),
      maxTokens,
      feature: FEATURES.ticketSummary,
      endpoint: 'summarize',
      priority: 'important',
      user,
      batch: false,
      usage: {
        inputTokens: fresh + (bulk ? 0 : SUMMARY_SYSTEM_PROMPT_TOKENS),
        cacheReadInputTokens: cacheRead,
        cacheWriteInputTokens: cacheWrite,
        outputTokens: Math.min(wanted, maxTokens),
      },
      finishReason: finishOf('anthropic', wanted >= maxTokens),
      failFirstWith: bulk ? undefined : failure(random, NORMAL_FAILURES.summary, 'anthropic'),
    },
  ];
}

/** One customer review classified by the nightly job through the Batch API (50% off). */
export function planReviewInsight(random: Random): PlannedCall[] {
  const wanted = around(random, 100, 0.4);
  return [
    {
      offsetMs: 0,
      durationMs: 1,
      provider: 'openai',
      model: 'gpt-5',
      responseModel: responseModelOf('gpt-5'),
      maxTokens: 150,
      feature: FEATURES.reviewInsights,
      endpoint: 'nightly-batch',
      priority: 'optional',
      user: undefined,
      batch: true,
      usage: { inputTokens: around(random, 200, 0.3), cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: Math.min(wanted, 150) },
      finishReason: finishOf('openai', wanted >= 150),
      failFirstWith: undefined,
    },
  ];
}
