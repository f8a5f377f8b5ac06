import { z } from 'zod';

/**
 * The server's settings, read from the environment once at start. A bad value fails the start
 * with a message naming the variable, rather than surfacing later as a confusing runtime error.
 */
const serverEnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(4318),
  HOST: z.string().min(1).default('0.0.0.0'),
});

export type ServerConfig = {
  port: number;
  host: string;
};

export class CostscopeConfigError extends Error {
  override readonly name = 'CostscopeConfigError';
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = serverEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new CostscopeConfigError(`Invalid server setting — ${problems.join('; ')}`);
  }
  return { port: parsed.data.PORT, host: parsed.data.HOST };
}
