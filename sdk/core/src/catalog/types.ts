/** The article's routing tiers (strategy 3), cheapest first. */
export const MODEL_TIERS = ['ultra-budget', 'efficient', 'flagship', 'reasoning'] as const;
export type ModelTier = (typeof MODEL_TIERS)[number];

export type ModelProvider = 'openai' | 'anthropic' | 'mistral' | 'deepseek';

/** One price version of a model, as written in the catalog file: USD per million tokens. */
export type CatalogPriceVersion = {
  /** `YYYY-MM-DD`, UTC: calls from the start of this day on use these prices. */
  effectiveFrom: string;
  inputPerMillion: string;
  /** `null`: no cached price listed, so cache reads bill at the input price. */
  cachedInputPerMillion: string | null;
  /** `null`: the provider does not bill cache writes separately; they bill as input. */
  cacheWritePerMillion: string | null;
  outputPerMillion: string;
  /** `null`: the provider has no batch API; batch-flagged calls bill at the standard price. */
  batchDiscountPercent: number | null;
};

export type CatalogModel = {
  /** Canonical id, the provider's own name without date suffixes. */
  id: string;
  displayName: string;
  provider: ModelProvider;
  tier: ModelTier;
  /** Whether the tier comes from the article's routing table or is our placement by price. */
  tierSource: 'article' | 'costscope';
  /** Other names the provider or gateways use for the same model and price. */
  aliases: readonly string[];
  prices: readonly CatalogPriceVersion[];
};
