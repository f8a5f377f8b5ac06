import { z } from 'zod';
import { MAX_PRICE_DECIMALS } from '../pricing/money.js';

const pricePerMillion = z
  .string()
  .regex(
    new RegExp(`^\\d+(?:\\.\\d{1,${MAX_PRICE_DECIMALS}})?$`),
    `a non-negative decimal USD amount per million tokens with at most ${MAX_PRICE_DECIMALS} decimals, as a string`,
  );

/** `YYYY-MM-DD` (start of that day, UTC) or a full ISO 8601 timestamp with a zone. */
const effectiveFrom = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * A project's own price for a model from a date on: a negotiated rate, a fine-tuned model, a
 * model the catalog does not know. The settings API validates `PUT /api/v1/settings/prices`
 * with this schema.
 */
export const priceOverrideSchema = z.object({
  model: z.string().trim().min(1).max(200),
  effectiveFrom,
  inputPerMillion: pricePerMillion,
  cachedInputPerMillion: pricePerMillion.nullable().default(null),
  cacheWritePerMillion: pricePerMillion.nullable().default(null),
  outputPerMillion: pricePerMillion,
  batchDiscountPercent: z.number().int().min(0).max(100).nullable().default(null),
  note: z.string().max(500).optional(),
});

export type PriceOverride = z.output<typeof priceOverrideSchema>;
export type PriceOverrideInput = z.input<typeof priceOverrideSchema>;
