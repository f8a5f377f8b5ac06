#!/usr/bin/env node
/**
 * Writes the secrets deploy/compose.yaml reads, one file each under deploy/secrets/, with random
 * values. An existing file is kept: running it again never changes a key the deployment already
 * uses. The directory is 0700, so no other user of this machine reaches the files; the files
 * themselves are 0644 because Compose bind-mounts each one into its container as is (it cannot
 * change the owner of a file secret), and the images run as an unprivileged user that must
 * read them.
 *
 *   node deploy/make-secrets.mjs            # into deploy/secrets
 *   node deploy/make-secrets.mjs <dir>      # elsewhere
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** File name → how its value is made. Names match the `secrets:` of compose.yaml. */
export const COMPOSE_SECRETS = {
  // The default project's admin key, in the format the server generates (`cs_` + 32 random bytes).
  costscope_api_key: () => `cs_${randomBytes(32).toString('base64url')}`,
  // 32 bytes as base64: what COSTSCOPE_SECRET_KEY reads (encrypts channel secrets at rest).
  costscope_secret_key: () => randomBytes(32).toString('base64'),
  clickhouse_password: () => randomBytes(24).toString('base64url'),
  dashboard_admin_password: () => randomBytes(12).toString('base64url'),
  dashboard_session_secret: () => randomBytes(32).toString('base64url'),
};

export function makeSecrets(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const written = [];
  for (const [name, make] of Object.entries(COMPOSE_SECRETS)) {
    const file = path.join(dir, name);
    if (existsSync(file)) continue;
    writeFileSync(file, `${make()}\n`, { mode: 0o644, flag: 'wx' });
    written.push(name);
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'secrets'));
  const written = makeSecrets(dir);
  console.log(written.length > 0 ? `Wrote ${written.join(', ')} in ${dir}` : `All secrets already exist in ${dir}; nothing changed`);
  if (written.includes('dashboard_admin_password')) {
    console.log(`The dashboard's admin password is in ${path.join(dir, 'dashboard_admin_password')}`);
  }
}
