import { parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs';
import { CALLS_PER, DEFAULT_SCENARIO } from '@/lib/shape/calculator';

/**
 * The calculator's inputs live in the URL (`?input=500&cached=0&output=300&calls=100000&per=month&compare=gpt-5`),
 * so a calculation can be shared; values equal to the defaults are left out of it.
 */
export const calculatorParsers = {
  inputTokens: parseAsInteger.withDefault(DEFAULT_SCENARIO.inputTokens),
  cachedTokens: parseAsInteger.withDefault(DEFAULT_SCENARIO.cachedTokens),
  outputTokens: parseAsInteger.withDefault(DEFAULT_SCENARIO.outputTokens),
  calls: parseAsInteger.withDefault(DEFAULT_SCENARIO.calls),
  per: parseAsStringLiteral(CALLS_PER).withDefault(DEFAULT_SCENARIO.per),
  compareWith: parseAsString.withDefault(DEFAULT_SCENARIO.compareWith),
  /** The feature whose last 30 days were loaded, if any (a label; the figures are the fields). */
  feature: parseAsString,
};

export const calculatorUrlKeys = {
  inputTokens: 'input',
  cachedTokens: 'cached',
  outputTokens: 'output',
  calls: 'calls',
  per: 'per',
  compareWith: 'compare',
  feature: 'feature',
} as const;
