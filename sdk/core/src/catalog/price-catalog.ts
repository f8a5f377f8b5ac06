import { CostscopeCatalogError } from '../errors.js';
import { MAX_PRICE_DECIMALS, parseUsd, type UsdAtto } from '../pricing/money.js';
import { modelNameKey } from './model-name.js';
import { PRICE_CATALOG } from './price-catalog.data.js';
import { priceOverrideSchema, type PriceOverride, type PriceOverrideInput } from './price-override.js';
import type { CatalogModel, CatalogPriceVersion, ModelProvider, ModelTier } from './types.js';

/** A model's price as it applies to one call: exact amounts, and the version that supplied them. */
export type ModelPrice = {
  /** The catalog's canonical id, or the override's model name for models the catalog lacks. */
  modelId: string;
  displayName: string;
  provider: ModelProvider | 'custom';
  tier: ModelTier | null;
  source: 'catalog' | 'override';
  /** Stored with every priced call: `catalog:gpt-5@2025-08-07`, `override:gpt-5@2026-01-01`. */
  priceVersion: string;
  effectiveFrom: Date;
  inputPerMillion: UsdAtto;
  /** `null`: cache reads bill at the input price. */
  cachedInputPerMillion: UsdAtto | null;
  /** `null`: cache writes bill at the input price. */
  cacheWritePerMillion: UsdAtto | null;
  outputPerMillion: UsdAtto;
  /** `null`: no batch API, batch calls bill at the standard price. */
  batchDiscountPercent: number | null;
};

export type PriceCatalog = {
  /**
   * The price in force for `model` at `at`. A project override in force wins over the catalog.
   * `undefined` when the model is unknown or had no price yet at that time: the call is then
   * unpriced, never $0.
   */
  resolve(model: string, at: Date): ModelPrice | undefined;
  /** Every model's price in force at `at`: the catalog plus this project's overrides. */
  effectivePrices(at: Date): ModelPrice[];
  /** The catalog's models, for listings and what-if comparisons. */
  models(): readonly CatalogModel[];
};

type PriceTimeline = {
  modelId: string;
  displayName: string;
  provider: ModelProvider | 'custom';
  tier: ModelTier | null;
  /** Sorted by `effectiveFrom`, oldest first. */
  versions: ModelPrice[];
};

export type PriceCatalogOptions = {
  models?: readonly CatalogModel[];
  /** This project's overrides (already scoped to one project). Validated here. */
  overrides?: readonly PriceOverrideInput[];
};

export function createPriceCatalog(options: PriceCatalogOptions = {}): PriceCatalog {
  const models = options.models ?? PRICE_CATALOG;
  const catalogByKey = indexCatalog(models);
  const overridesByModel = indexOverrides(
    (options.overrides ?? []).map((raw, index) => {
      const parsed = priceOverrideSchema.safeParse(raw);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'override'}: ${i.message}`).join('; ');
        throw new CostscopeCatalogError(`Price override #${index + 1} is invalid — ${detail}`);
      }
      return parsed.data;
    }),
    catalogByKey,
  );

  // Overrides are indexed by the catalog model they price (so one on `gpt-5` also covers its
  // aliases and snapshots), or by their own name's key for models the catalog lacks.
  const overrideKeyOf = (key: string): string => catalogByKey.get(key)?.modelId ?? key;

  const resolve = (model: string, at: Date): ModelPrice | undefined => {
    const key = modelNameKey(model);
    return versionAt(overridesByModel.get(overrideKeyOf(key)), at) ?? versionAt(catalogByKey.get(key), at);
  };

  return {
    resolve,
    effectivePrices(at) {
      // Aliases index the same timeline several times: list each model once.
      const timelines = new Set(catalogByKey.values());
      const prices: ModelPrice[] = [];
      for (const timeline of timelines) {
        const price = versionAt(overridesByModel.get(timeline.modelId), at) ?? versionAt(timeline, at);
        if (price) prices.push(price);
      }
      const catalogIds = new Set([...timelines].map((timeline) => timeline.modelId));
      for (const [key, timeline] of overridesByModel) {
        const price = catalogIds.has(key) ? undefined : versionAt(timeline, at);
        if (price) prices.push(price);
      }
      return prices.sort((a, b) => a.modelId.localeCompare(b.modelId));
    },
    models: () => models,
  };
}

function versionAt(timeline: PriceTimeline | undefined, at: Date): ModelPrice | undefined {
  if (!timeline) return undefined;
  let found: ModelPrice | undefined;
  for (const version of timeline.versions) {
    if (version.effectiveFrom.getTime() <= at.getTime()) found = version;
    else break;
  }
  return found;
}

function indexCatalog(models: readonly CatalogModel[]): Map<string, PriceTimeline> {
  const byKey = new Map<string, PriceTimeline>();
  for (const model of models) {
    const versions = [...model.prices]
      .map((version) => catalogVersion(model, version))
      .sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime());
    if (versions.length === 0) throw new CostscopeCatalogError(`Catalog model ${model.id} has no price`);
    const timeline: PriceTimeline = {
      modelId: model.id,
      displayName: model.displayName,
      provider: model.provider,
      tier: model.tier,
      versions,
    };
    for (const name of [model.id, ...model.aliases]) {
      const key = modelNameKey(name);
      const existing = byKey.get(key);
      if (existing && existing.modelId !== model.id) {
        throw new CostscopeCatalogError(`"${name}" names both ${existing.modelId} and ${model.id} in the catalog`);
      }
      byKey.set(key, timeline);
    }
  }
  return byKey;
}

function catalogVersion(model: CatalogModel, version: CatalogPriceVersion): ModelPrice {
  const where = `catalog model ${model.id} from ${version.effectiveFrom}`;
  return {
    modelId: model.id,
    displayName: model.displayName,
    provider: model.provider,
    tier: model.tier,
    source: 'catalog',
    priceVersion: `catalog:${model.id}@${version.effectiveFrom}`,
    effectiveFrom: parseEffectiveFrom(version.effectiveFrom, where),
    ...exactPrices(version, where),
  };
}

function indexOverrides(
  overrides: readonly PriceOverride[],
  catalogByKey: Map<string, PriceTimeline>,
): Map<string, PriceTimeline> {
  const byKey = new Map<string, PriceTimeline>();
  for (const override of overrides) {
    const nameKey = modelNameKey(override.model);
    const catalogModel = catalogByKey.get(nameKey);
    const key = catalogModel?.modelId ?? nameKey;
    let timeline = byKey.get(key);
    if (!timeline) {
      timeline = {
        modelId: catalogModel?.modelId ?? override.model,
        displayName: catalogModel?.displayName ?? override.model,
        provider: catalogModel?.provider ?? 'custom',
        tier: catalogModel?.tier ?? null,
        versions: [],
      };
      byKey.set(key, timeline);
    }
    const where = `override for ${override.model} from ${override.effectiveFrom}`;
    const effective = parseEffectiveFrom(override.effectiveFrom, where);
    if (timeline.versions.some((v) => v.effectiveFrom.getTime() === effective.getTime())) {
      throw new CostscopeCatalogError(`Two price overrides for ${override.model} start at ${override.effectiveFrom}`);
    }
    timeline.versions.push({
      modelId: timeline.modelId,
      displayName: timeline.displayName,
      provider: timeline.provider,
      tier: timeline.tier,
      source: 'override',
      priceVersion: `override:${timeline.modelId}@${override.effectiveFrom}`,
      effectiveFrom: effective,
      ...exactPrices(override, where),
    });
  }
  for (const timeline of byKey.values()) {
    timeline.versions.sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime());
  }
  return byKey;
}

type WrittenPrices = Pick<
  CatalogPriceVersion,
  'inputPerMillion' | 'cachedInputPerMillion' | 'cacheWritePerMillion' | 'outputPerMillion' | 'batchDiscountPercent'
>;

function exactPrices(written: WrittenPrices, where: string) {
  const price = (value: string, field: string): UsdAtto => {
    try {
      const amount = parseUsd(value, MAX_PRICE_DECIMALS);
      if (amount < 0n) throw new CostscopeCatalogError(`${field} is negative`);
      return amount;
    } catch (error) {
      throw new CostscopeCatalogError(`${where}: ${field} — ${(error as Error).message}`);
    }
  };
  const discount = written.batchDiscountPercent;
  if (discount !== null && (!Number.isInteger(discount) || discount < 0 || discount > 100)) {
    throw new CostscopeCatalogError(`${where}: batchDiscountPercent must be a whole number 0–100, got ${discount}`);
  }
  return {
    inputPerMillion: price(written.inputPerMillion, 'inputPerMillion'),
    cachedInputPerMillion:
      written.cachedInputPerMillion === null ? null : price(written.cachedInputPerMillion, 'cachedInputPerMillion'),
    cacheWritePerMillion:
      written.cacheWritePerMillion === null ? null : price(written.cacheWritePerMillion, 'cacheWritePerMillion'),
    outputPerMillion: price(written.outputPerMillion, 'outputPerMillion'),
    batchDiscountPercent: discount,
  };
}

function parseEffectiveFrom(value: string, where: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new CostscopeCatalogError(`${where}: effectiveFrom "${value}" is not a date`);
  return date;
}
