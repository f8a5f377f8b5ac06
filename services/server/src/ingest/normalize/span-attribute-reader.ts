import type { OtlpAttributes, OtlpAttributeValue } from '../otlp/types.js';
import { InvalidSpanError } from './invalid-span-error.js';

/**
 * Typed reads of span attributes, lenient where instrumentations differ in harmless ways (a count
 * sent as `"12"` or `12.0`, a flag as `"true"`) and strict where a value cannot mean what the
 * attribute says (a count of `-5` or `"lots"`), which makes the span invalid, naming the attribute.
 */
export class SpanAttributeReader {
  constructor(readonly attributes: OtlpAttributes) {}

  has(key: string): boolean {
    const value = this.attributes.get(key);
    return value !== undefined && value !== null && value !== '';
  }

  /**
   * The first key present, so a dialect's newer name wins over its older one. Every reader takes
   * one name and an optional second (no dialect has more), not a rest array: these run a dozen
   * times per span, and the arrays were a measurable part of the ingest's garbage.
   */
  firstPresent(key: string, otherKey?: string): string | undefined {
    if (this.has(key)) return key;
    return otherKey !== undefined && this.has(otherKey) ? otherKey : undefined;
  }

  /** The value of the first key present (see `firstPresent`), `undefined` when none is. */
  private valueOf(key: string, otherKey: string | undefined): OtlpAttributeValue | undefined {
    const value = this.attributes.get(key);
    if (value !== undefined && value !== null && value !== '') return value;
    if (otherKey === undefined) return undefined;
    const other = this.attributes.get(otherKey);
    return other !== undefined && other !== null && other !== '' ? other : undefined;
  }

  string(key: string, otherKey?: string): string {
    const value = this.valueOf(key, otherKey);
    return value === undefined ? '' : stringify(value);
  }

  /** A whole number (counts, limits); `undefined` when absent; invalid when not a whole number. */
  integer(key: string, otherKey?: string): number | undefined {
    const value = this.valueOf(key, otherKey);
    if (value === undefined) return undefined;
    // The common case first: a count sent as an integer needs no parsing.
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    const number = typeof value === 'string' && /^-?\d+(?:\.0*)?$/.test(value.trim()) ? Number(value) : value;
    const name = this.has(key) ? key : (otherKey ?? key);
    if (typeof number !== 'number' || !Number.isInteger(number)) {
      throw new InvalidSpanError('invalid_attribute', `${name} must be a whole number, got ${JSON.stringify(value)}`);
    }
    if (!Number.isSafeInteger(number)) {
      throw new InvalidSpanError('invalid_tokens', `${name} is ${String(value)}, beyond any real count`);
    }
    return number;
  }

  /** A finite number (milliseconds, dollars as floats); `undefined` when absent or not numeric. */
  number(key: string, otherKey?: string): number | undefined {
    const value = this.valueOf(key, otherKey);
    if (value === undefined) return undefined;
    const number = typeof value === 'string' ? Number(value) : value;
    return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
  }

  boolean(key: string, otherKey?: string): boolean | undefined {
    const value = this.valueOf(key, otherKey);
    if (value === undefined) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 1) return true;
    if (value === 'false' || value === 0) return false;
    return undefined;
  }

  /** A string array attribute's first element, or the string itself. */
  firstOf(key: string, otherKey?: string): string {
    const value = this.valueOf(key, otherKey);
    if (value === undefined) return '';
    if (Array.isArray(value)) return value.length > 0 ? stringify(value[0] ?? null) : '';
    return stringify(value);
  }

  /** A JSON-object attribute (OpenInference `metadata`, Vercel `ai.response.providerMetadata`). */
  jsonObject(key: string): Record<string, unknown> | undefined {
    const value = this.attributes.get(key);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
    if (typeof value !== 'string') return undefined;
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
    } catch {
      // Free-form text where JSON was expected carries no tags; it is not a reason to refuse the call.
      return undefined;
    }
  }

  /**
   * Every attribute whose key starts with `prefix`, keyed by the rest of the key. Most spans have
   * none: they get one shared empty map instead of a new one each.
   */
  withPrefix(prefix: string): ReadonlyMap<string, string> {
    let found: Map<string, string> | undefined;
    for (const key of this.attributes.keys()) {
      if (key.length > prefix.length && key.startsWith(prefix)) {
        found ??= new Map<string, string>();
        found.set(key.slice(prefix.length), stringify(this.attributes.get(key) ?? null));
      }
    }
    return found ?? NO_ATTRIBUTES;
  }
}

const NO_ATTRIBUTES: ReadonlyMap<string, string> = new Map();

/** Text form of an attribute value for tags and the `attributes` map. */
export function stringify(value: OtlpAttributeValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
