import { CostscopeStorageError } from './errors.js';
import { toClickHouseTime } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

const LEASE_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Claims evaluation term `term` of the lease `name` for `holder` and answers who holds it. Of
 * several processes claiming one term, exactly one claim is stored: each insert carries the
 * deduplication token `name:term`, and ClickHouse drops a later block with a token it already
 * has (migrations 0005, 0010), so every claimant reads back the same first writer. On a cluster
 * the table is whole on every node in one replication group: the token is checked in Keeper
 * whichever node takes the claim, the claim is acknowledged once a quorum holds it, and the
 * read-back sees every claim so acknowledged (`quorum`).
 */
export async function claimAlertLease(
  transport: ClickHouseTransport,
  input: { name: string; term: number; holder: string; claimedAt: Date },
): Promise<{ holder: string; won: boolean }> {
  const operation = 'alerts.claimLease';
  if (!LEASE_NAME.test(input.name)) throw new CostscopeStorageError(operation, 'invalid', `invalid lease name ${JSON.stringify(input.name)}`);
  if (!Number.isSafeInteger(input.term) || input.term < 0) {
    throw new CostscopeStorageError(operation, 'invalid', `term must be a non-negative integer, got ${input.term}`);
  }
  if (!input.holder) throw new CostscopeStorageError(operation, 'invalid', 'holder is required');
  // SETTINGS take no query parameters; the token is built only from the checked name and an integer.
  const token = `${input.name}:${input.term}`;
  await transport.command({
    sql: `INSERT INTO alert_lease_claims (name, term, holder, claimed_at)
          SETTINGS insert_deduplicate = 1, insert_deduplication_token = '${token}'
          SELECT {name:String}, {term:UInt64}, {holder:String}, {claimedAt:DateTime64(3, 'UTC')}`,
    params: { name: input.name, term: input.term, holder: input.holder, claimedAt: toClickHouseTime(input.claimedAt) },
    tag: { operation },
    quorum: true,
  });
  const rows = await transport.query<{ holder: string }>({
    sql: `SELECT holder FROM alert_lease_claims WHERE name = {name:String} AND term = {term:UInt64} ORDER BY claimed_at, holder LIMIT 1`,
    params: { name: input.name, term: input.term },
    tag: { operation },
    quorum: true,
  });
  const holder = rows[0]?.holder;
  if (holder === undefined) throw new CostscopeStorageError(operation, 'query', `the claim of ${token} was not stored`);
  return { holder, won: holder === input.holder };
}
