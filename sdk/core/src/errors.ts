const COSTSCOPE_ERROR = Symbol.for('costscope.error');

/**
 * Base of Costscope's typed errors. The symbol marker makes `isInstance` work across two installed
 * copies of the package (an app's SDK and a plugin's, say), where `instanceof` would not.
 */
export class CostscopeError extends Error {
  private readonly [COSTSCOPE_ERROR] = true;

  static isInstance(value: unknown): value is CostscopeError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[COSTSCOPE_ERROR] === true;
  }
}

/** Token counts that cannot describe a real call (negative, fractional, cached > input…). */
export class CostscopeUsageError extends CostscopeError {
  override readonly name = 'CostscopeUsageError';
}

/** A price catalog or a price override that cannot be used as written. */
export class CostscopeCatalogError extends CostscopeError {
  override readonly name = 'CostscopeCatalogError';
}
