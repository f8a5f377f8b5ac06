import type { CatalogModel } from './types.js';

/**
 * THE PRICE CATALOG — the one reviewed file of model prices. Change prices here only, by adding a
 * new entry to a model's `prices` with a later `effectiveFrom`; never edit a past entry, since
 * stored costs name the version they were priced with.
 *
 * All prices are USD per million tokens, written as decimal strings so they parse exactly.
 *
 * Sources, per field:
 * - input and output: the seed article ("7 strategies to reduce AI API costs", 2026), which is
 *   the product's ground truth. Where the provider's own list differs (Mistral Small 3.2 lists
 *   $0.10/$0.30), the article wins and the difference is noted on the entry.
 * - cached input: the article for Claude Sonnet 4.6 ($0.30); every other cached price is from the
 *   provider's public price list (OpenAI: 10% of input on the GPT-5 family, 25% on GPT-4.1 mini,
 *   o3 and o4-mini; Anthropic: 10% of input; DeepSeek: the cache-hit price). `null` means the
 *   provider lists no cached price: cached tokens are then billed at the input price.
 * - cache write: only Anthropic bills it, at 1.25× input for the 5-minute cache (the provider's
 *   list); `null` elsewhere means writes bill as plain input.
 * - batch discount: 50% (the article, and each provider's batch API); `null` where the provider
 *   has no batch API.
 * - tier: the article's routing table (ultra-budget, efficient, flagship, reasoning). Models the
 *   table does not place are marked `tierSource: 'costscope'` with our placement by price.
 * - effectiveFrom: the model's general availability at these prices (provider announcements).
 */
export const PRICE_CATALOG: readonly CatalogModel[] = [
  {
    id: 'gpt-5',
    displayName: 'GPT-5',
    provider: 'openai',
    tier: 'flagship',
    tierSource: 'article',
    aliases: ['gpt-5-chat-latest'],
    prices: [
      {
        effectiveFrom: '2025-08-07',
        inputPerMillion: '1.25',
        cachedInputPerMillion: '0.125',
        cacheWritePerMillion: null,
        outputPerMillion: '10.00',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    id: 'gpt-5-mini',
    displayName: 'GPT-5 mini',
    provider: 'openai',
    tier: 'efficient',
    tierSource: 'article',
    aliases: [],
    prices: [
      {
        effectiveFrom: '2025-08-07',
        inputPerMillion: '0.25',
        cachedInputPerMillion: '0.025',
        cacheWritePerMillion: null,
        outputPerMillion: '2.00',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    id: 'gpt-5-nano',
    displayName: 'GPT-5 nano',
    provider: 'openai',
    tier: 'ultra-budget',
    tierSource: 'article',
    aliases: [],
    prices: [
      {
        effectiveFrom: '2025-08-07',
        inputPerMillion: '0.05',
        cachedInputPerMillion: '0.005',
        cacheWritePerMillion: null,
        outputPerMillion: '0.40',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    id: 'gpt-5.2',
    displayName: 'GPT-5.2',
    provider: 'openai',
    tier: 'flagship',
    tierSource: 'costscope',
    aliases: ['gpt-5.2-chat-latest'],
    prices: [
      {
        effectiveFrom: '2025-12-11',
        inputPerMillion: '1.75',
        cachedInputPerMillion: '0.175',
        cacheWritePerMillion: null,
        outputPerMillion: '14.00',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    // The article prices a fine-tuned GPT-4.1 mini at the base model's list price ($0.40/$1.60);
    // fine-tuned model ids (`ft:gpt-4.1-mini:…`) are not matched here: a project sets their price
    // with an override, since OpenAI bills fine-tuned inference differently.
    id: 'gpt-4.1-mini',
    displayName: 'GPT-4.1 mini',
    provider: 'openai',
    tier: 'efficient',
    tierSource: 'costscope',
    aliases: [],
    prices: [
      {
        effectiveFrom: '2025-04-14',
        inputPerMillion: '0.40',
        cachedInputPerMillion: '0.10',
        cacheWritePerMillion: null,
        outputPerMillion: '1.60',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    id: 'o3',
    displayName: 'o3',
    provider: 'openai',
    tier: 'reasoning',
    tierSource: 'article',
    aliases: [],
    prices: [
      {
        // o3's price cut to $2/$8 took effect on this date.
        effectiveFrom: '2025-06-10',
        inputPerMillion: '2.00',
        cachedInputPerMillion: '0.50',
        cacheWritePerMillion: null,
        outputPerMillion: '8.00',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    id: 'o4-mini',
    displayName: 'o4-mini',
    provider: 'openai',
    tier: 'reasoning',
    tierSource: 'article',
    aliases: [],
    prices: [
      {
        effectiveFrom: '2025-04-16',
        inputPerMillion: '1.10',
        cachedInputPerMillion: '0.275',
        cacheWritePerMillion: null,
        outputPerMillion: '4.40',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    id: 'claude-sonnet-4-6',
    displayName: 'Claude Sonnet 4.6',
    provider: 'anthropic',
    tier: 'flagship',
    tierSource: 'article',
    aliases: ['claude-sonnet-4-6-latest'],
    prices: [
      {
        effectiveFrom: '2026-02-17',
        inputPerMillion: '3.00',
        cachedInputPerMillion: '0.30',
        cacheWritePerMillion: '3.75',
        outputPerMillion: '15.00',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    id: 'claude-opus-4-6',
    displayName: 'Claude Opus 4.6',
    provider: 'anthropic',
    tier: 'flagship',
    tierSource: 'costscope',
    aliases: ['claude-opus-4-6-latest'],
    prices: [
      {
        effectiveFrom: '2026-02-05',
        inputPerMillion: '5.00',
        cachedInputPerMillion: '0.50',
        cacheWritePerMillion: '6.25',
        outputPerMillion: '25.00',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    // Mistral's own list shows $0.10/$0.30 for Small 3.2; the article's $0.06/$0.18 is used.
    id: 'mistral-small-3.2',
    displayName: 'Mistral Small 3.2',
    provider: 'mistral',
    tier: 'ultra-budget',
    tierSource: 'article',
    aliases: ['mistral-small-2506', 'mistral-small-3.2-24b-instruct', 'mistral-small-3.2-24b-instruct-2506'],
    prices: [
      {
        effectiveFrom: '2025-06-20',
        inputPerMillion: '0.06',
        cachedInputPerMillion: null,
        cacheWritePerMillion: null,
        outputPerMillion: '0.18',
        batchDiscountPercent: 50,
      },
    ],
  },
  {
    // `deepseek-chat` and `deepseek-reasoner` are the API names DeepSeek serves V3.2 under.
    id: 'deepseek-v3.2',
    displayName: 'DeepSeek V3.2',
    provider: 'deepseek',
    tier: 'efficient',
    tierSource: 'article',
    aliases: ['deepseek-chat', 'deepseek-reasoner', 'deepseek-v3.2-exp'],
    prices: [
      {
        effectiveFrom: '2025-09-29',
        inputPerMillion: '0.28',
        cachedInputPerMillion: '0.028',
        cacheWritePerMillion: null,
        outputPerMillion: '0.42',
        batchDiscountPercent: null,
      },
    ],
  },
];
