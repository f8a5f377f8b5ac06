import { z } from 'zod';

/**
 * What a project key may do (DESIGN "Key scopes"). Each scope includes the ones before it:
 * `ingest` only sends spans (the key that ships inside apps, so the one most likely to leak),
 * `read` also reads every GET of the API (the dashboard's read-only deployments), `admin` also
 * manages keys and settings, re-prices and sends test messages.
 */
export const KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export const keyScopeSchema = z.enum(KEY_SCOPES, { message: `must be one of ${KEY_SCOPES.join(', ')}` });

/** What a key gets when its creator names no scope: the least, so a forgotten flag leaks nothing. */
export const DEFAULT_NEW_KEY_SCOPE: KeyScope = 'ingest';

export function scopeAllows(held: KeyScope, required: KeyScope): boolean {
  return KEY_SCOPES.indexOf(held) >= KEY_SCOPES.indexOf(required);
}

/** A scope read back from storage or a snapshot; anything unexpected is the least privilege. */
export function toKeyScope(value: unknown): KeyScope {
  return (KEY_SCOPES as readonly unknown[]).includes(value) ? (value as KeyScope) : 'ingest';
}
