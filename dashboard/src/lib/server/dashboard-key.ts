import 'server-only';
import { createHash } from 'node:crypto';
import { projectApiKey } from './credentials';

/** The shape of a key the server generated (`cs_` and 43 base64url characters). */
const GENERATED_KEY = /^cs_[A-Za-z0-9_-]{43}$/;

/**
 * How the API lists a key (`keyPrefix`): `cs_AbCd` for a generated key; `sha256:1a2b3c4d`, the
 * start of its hash, for a key the operator chose (`COSTSCOPE_API_KEY`), whose own characters may
 * be a reused secret. Enough to mark the dashboard's key in the list, never the key itself.
 */
export function keyListPrefix(key: string): string {
  return GENERATED_KEY.test(key) ? key.slice(0, 7) : `sha256:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8)}`;
}

/** The list prefix of the key this dashboard reads with: to mark it and refuse to revoke it. */
export async function dashboardKeyPrefix(): Promise<string> {
  return keyListPrefix(await projectApiKey());
}
