import { DEFAULT_NEW_KEY_SCOPE, KEY_SCOPES, type KeyScope } from '../../auth/key-scope.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT, usageError } from '../cli-errors.js';
import { printTable } from '../text-output.js';

type KeyJson = { keyId: string; name: string; keyPrefix: string; scope: KeyScope; createdAt: string; revokedAt: string | null };

/**
 * `costscope keys list|create|revoke`: a project's API keys through the server's HTTP API, like
 * the dashboard manages them.
 */
export const keysCommand: CliCommand = {
  name: 'keys',
  summary: "list, create and revoke the project's API keys",
  usage: `Usage: costscope keys <list|create|revoke> [options]

  costscope keys list                 list this project's keys
  costscope keys create --name NAME [--scope ingest|read|admin]
                                      create a key (shown once); the scope is ingest unless given:
                                      ingest  sends spans only (the key to ship inside apps)
                                      read    also reads every GET of the API (a read-only dashboard)
                                      admin   also manages keys and settings, re-prices, imports
  costscope keys revoke KEY_ID        revoke a key

Listing needs a read or admin key; creating and revoking need an admin key.

Options:
  --name NAME      what the key is for (create)
  --scope SCOPE    ingest, read or admin (create; default ingest)
  --json           print JSON instead of a table`,
  options: { name: { type: 'string' }, scope: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, values, args, api }) {
    const [action, keyId] = args;
    if (action === 'list') {
      const { keys } = await (await api()).json<{ keys: KeyJson[] }>('GET', '/api/v1/keys');
      if (values.json) io.out(JSON.stringify(keys, null, 2));
      else {
        printTable(
          io,
          ['KEY ID', 'NAME', 'PREFIX', 'SCOPE', 'CREATED', 'STATUS'],
          keys.map((k) => [k.keyId, k.name, k.keyPrefix, k.scope, k.createdAt, k.revokedAt ? `revoked ${k.revokedAt}` : 'active']),
        );
      }
      return EXIT.ok;
    }
    if (action === 'create') {
      const name = values.name;
      if (typeof name !== 'string' || name === '') throw usageError('keys create needs --name NAME (what the key is for)');
      const scope = typeof values.scope === 'string' ? values.scope : DEFAULT_NEW_KEY_SCOPE;
      if (!(KEY_SCOPES as readonly string[]).includes(scope)) throw usageError(`--scope must be one of ${KEY_SCOPES.join(', ')}`);
      const created = await (await api()).json<KeyJson & { key: string }>('POST', '/api/v1/keys', { name, scope });
      if (values.json) io.out(JSON.stringify(created, null, 2));
      else io.out(`Created ${created.scope} key ${created.keyId} (${created.name}). Copy it now, it is not shown again:\n${created.key}`);
      return EXIT.ok;
    }
    if (action === 'revoke') {
      if (!keyId) throw usageError('keys revoke needs the KEY_ID (see costscope keys list)');
      await (await api()).json('DELETE', `/api/v1/keys/${encodeURIComponent(keyId)}`);
      io.out(values.json ? JSON.stringify({ keyId, revoked: true }) : `Revoked key ${keyId}.`);
      return EXIT.ok;
    }
    throw usageError(action ? `unknown command "keys ${action}": list, create or revoke` : 'keys needs list, create or revoke');
  },
};
