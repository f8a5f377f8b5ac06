/**
 * A realistic, deterministic month of LLM calls for the dashboard's browser tests, screenshots and
 * benchmark: an app modelled on the seed article (a support chatbot routing across model tiers, a
 * summarizer with a cached system prompt, a nightly batch job, …), free / paid / enterprise users,
 * a few failures, and one model no catalog price applies to. Sent through `/v1/traces` like any
 * exporter's spans, so the figures come from the real ingest, pricing and storage.
 */

type SeedFeature = {
  feature: string;
  endpoint: string;
  /** [provider, model, share of the feature's calls]. */
  models: Array<[string, string, number]>;
  callsPerDay: number;
  inputTokens: number;
  cachedShare: number;
  outputTokens: number;
  errorRate: number;
  batch?: boolean;
};

export const SEED_FEATURES: readonly SeedFeature[] = [
  { feature: 'support-chat', endpoint: '/api/chat', models: [['openai', 'gpt-5-mini', 0.6], ['openai', 'gpt-5', 0.3], ['anthropic', 'claude-sonnet-4-6', 0.1]], callsPerDay: 40, inputTokens: 1800, cachedShare: 0.4, outputTokens: 350, errorRate: 0.02 },
  { feature: 'summarizer', endpoint: '/api/summarize', models: [['anthropic', 'claude-sonnet-4-6', 1]], callsPerDay: 18, inputTokens: 6000, cachedShare: 0.7, outputTokens: 600, errorRate: 0.01 },
  { feature: 'nightly-batch', endpoint: 'cron:nightly-digest', models: [['openai', 'gpt-5', 1]], callsPerDay: 12, inputTokens: 4000, cachedShare: 0, outputTokens: 900, errorRate: 0, batch: true },
  { feature: 'search', endpoint: '/api/search', models: [['openai', 'gpt-4.1-mini', 1]], callsPerDay: 30, inputTokens: 1200, cachedShare: 0.2, outputTokens: 120, errorRate: 0.005 },
  { feature: 'code-review', endpoint: '/api/review', models: [['anthropic', 'claude-opus-4-6', 1]], callsPerDay: 4, inputTokens: 9000, cachedShare: 0.3, outputTokens: 1500, errorRate: 0.03 },
  { feature: 'classifier', endpoint: '/api/classify', models: [['openai', 'gpt-5-nano', 1]], callsPerDay: 25, inputTokens: 500, cachedShare: 0, outputTokens: 20, errorRate: 0 },
  { feature: 'translation', endpoint: '/api/translate', models: [['mistral', 'mistral-small-3.2', 1]], callsPerDay: 10, inputTokens: 900, cachedShare: 0, outputTokens: 900, errorRate: 0.01 },
  { feature: 'drafts', endpoint: '/api/drafts', models: [['deepseek', 'deepseek-v3.2', 1]], callsPerDay: 8, inputTokens: 1500, cachedShare: 0.5, outputTokens: 700, errorRate: 0 },
  { feature: 'reasoning', endpoint: '/api/plan', models: [['openai', 'o4-mini', 1]], callsPerDay: 3, inputTokens: 2000, cachedShare: 0, outputTokens: 2500, errorRate: 0.02 },
  { feature: 'experiments', endpoint: '/api/lab', models: [['acme', 'acme-llm-1', 1]], callsPerDay: 2, inputTokens: 1000, cachedShare: 0, outputTokens: 300, errorRate: 0 },
];

const TIERS: Array<[string, number]> = [['free', 0.5], ['paid', 0.4], ['enterprise', 0.1]];

/** mulberry32: a tiny seeded generator, so every run sends the same calls. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, weighted: ReadonlyArray<[...unknown[]]>, valueOf: (entry: readonly unknown[]) => T): T {
  const total = weighted.reduce((sum, entry) => sum + (entry[entry.length - 1] as number), 0);
  let roll = random() * total;
  for (const entry of weighted) {
    roll -= entry[entry.length - 1] as number;
    if (roll <= 0) return valueOf(entry);
  }
  return valueOf(weighted[weighted.length - 1]!);
}

export type SeedSpan = {
  traceId: string;
  spanId: string;
  start: Date;
  error: boolean;
  attributes: Record<string, string | number | boolean>;
};

/**
 * The calls of the `days` days before `now` (today included, up to `now`), deterministic for a
 * given `seed`. Spend grows a little over the month, and today runs hot on `support-chat`, so
 * the overview has a spike to show.
 */
export function seedSpans(options: { now: Date; days?: number; seed?: number; scale?: number }): SeedSpan[] {
  const { now, days = 30, seed = 42, scale = 1 } = options;
  const random = seededRandom(seed);
  const spans: SeedSpan[] = [];
  const hex = (length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let dayIndex = days - 1; dayIndex >= 0; dayIndex--) {
    const start = dayStart - dayIndex * 86_400_000;
    const growth = 1 + (days - dayIndex) / (days * 2);
    for (const feature of SEED_FEATURES) {
      const hot = dayIndex === 0 && feature.feature === 'support-chat' ? 3 : 1;
      const calls = Math.max(1, Math.round(feature.callsPerDay * scale * growth * hot));
      for (let i = 0; i < calls; i++) {
        // Nightly work runs 01:00–03:00; the rest spreads over the day.
        const offset = feature.batch ? 3_600_000 + random() * 7_200_000 : random() * 86_400_000;
        const at = start + offset;
        if (at >= now.getTime()) continue;
        const [provider, model] = pick(random, feature.models, (entry) => [entry[0] as string, entry[1] as string] as const);
        const tier = pick(random, TIERS, (entry) => entry[0] as string);
        const jitter = 0.6 + random() * 0.8;
        const input = Math.round(feature.inputTokens * jitter);
        const cached = Math.round(input * feature.cachedShare * random());
        const output = Math.round(feature.outputTokens * (0.5 + random()));
        const failed = random() < feature.errorRate;
        const userNumber = tier === 'enterprise' ? Math.floor(random() * 5) : Math.floor(random() * 60);
        spans.push({
          traceId: hex(32),
          spanId: hex(16),
          start: new Date(at),
          error: failed,
          attributes: {
            'gen_ai.provider.name': provider,
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': model,
            'gen_ai.response.model': model,
            'gen_ai.usage.input_tokens': failed ? 0 : input,
            'gen_ai.usage.output_tokens': failed ? 0 : output,
            ...(cached > 0 && !failed ? { 'gen_ai.usage.cache_read.input_tokens': cached } : {}),
            ...(failed ? { 'error.type': '500' } : {}),
            ...(feature.batch ? { 'costscope.batch': true } : {}),
            'costscope.feature': feature.feature,
            'costscope.endpoint': feature.endpoint,
            'costscope.user.tier': tier,
            'user.id': `${tier}-user-${userNumber}`,
          },
        });
      }
    }
  }
  return spans;
}

function anyValue(value: string | number | boolean) {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

/** An OTLP/JSON `ExportTraceServiceRequest`, as an exporter posts it to `/v1/traces`. */
export function otlpJson(spans: readonly SeedSpan[], serviceName = 'support-app'): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeSpans: [
          {
            scope: { name: '@costscope/sdk/openai' },
            spans: spans.map((span) => {
              const startNs = BigInt(span.start.getTime()) * 1_000_000n;
              return {
                traceId: span.traceId,
                spanId: span.spanId,
                name: `chat ${String(span.attributes['gen_ai.request.model'])}`,
                kind: 3,
                startTimeUnixNano: String(startNs),
                endTimeUnixNano: String(startNs + 800_000_000n),
                attributes: Object.entries(span.attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
                ...(span.error ? { status: { code: 2, message: 'upstream failed' } } : {}),
              };
            }),
          },
        ],
      },
    ],
  });
}

/** Sends the spans in batches and fails loudly on any refusal, so a test never runs on half its data. */
export async function sendSeedSpans(serverUrl: string, apiKey: string, spans: readonly SeedSpan[], batchSize = 2000): Promise<void> {
  for (let i = 0; i < spans.length; i += batchSize) {
    const response = await fetch(`${serverUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: otlpJson(spans.slice(i, i + batchSize)),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`/v1/traces answered ${response.status}: ${text}`);
    const answer = JSON.parse(text || '{}') as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
    if (Number(answer.partialSuccess?.rejectedSpans ?? 0) > 0) throw new Error(`spans rejected: ${answer.partialSuccess?.errorMessage}`);
  }
}
