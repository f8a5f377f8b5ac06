import type { z } from 'zod';

/** A request body or parameter that failed validation: answered 400, naming the field. */
export class CostscopeBadRequestError extends Error {
  override readonly name = 'CostscopeBadRequestError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

/** Validates with a zod schema; the first problem becomes a 400 naming its path. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, value: unknown, root = 'body'): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? `${root}.${issue.path.join('.')}` : root;
  if (issue?.code === 'unrecognized_keys') throw new CostscopeBadRequestError(`${path}.${issue.keys.join(', ')}`, 'unknown field');
  throw new CostscopeBadRequestError(path, issue?.message ?? 'invalid');
}
