import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedTransport } from '../../src/storage/embedded-transport.js';
import type { CostscopeStorageError } from '../../src/storage/errors.js';
import { withQueryCancellation } from '../../src/storage/query-cancellation.js';
import { DEFAULT_QUERY_LIMITS } from '../../src/storage/query-limits.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';

/**
 * On the embedded engine, what bounds the work done for a read: ClickHouse's own
 * `max_execution_time` stops a read that runs too long, and a read whose API request was
 * cancelled releases its caller at once while the engine is free again within that limit.
 */
let dir: string;
let transport: ClickHouseTransport;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'costscope-read-deadline-'));
  transport = await openEmbeddedTransport({ dataDir: dir, database: 'costscope', limits: { ...DEFAULT_QUERY_LIMITS, maxExecutionTimeSeconds: 1 } });
}, 30_000);

afterAll(async () => {
  await transport?.close();
  rmSync(dir, { recursive: true, force: true });
});

// An endless read: only a limit or a kill ends it.
const ENDLESS = { sql: 'SELECT count() FROM system.numbers WHERE sipHash64(number) = 7', tag: { operation: 'test.endless' } };

async function failure(work: Promise<unknown>): Promise<CostscopeStorageError> {
  try {
    await work;
  } catch (error) {
    return error as CostscopeStorageError;
  }
  throw new Error('expected the read to fail');
}

describe('the embedded engine', () => {
  it('stops a read at max_execution_time and says it timed out', async () => {
    const error = await failure(transport.query(ENDLESS));
    expect(error.kind).toBe('timeout');
    expect(error.clickhouseCode).toBe(159);
  });

  it('releases a cancelled read at once, and the engine answers again after the limit', async () => {
    const request = new AbortController();
    const read = withQueryCancellation(request.signal, () => transport.query(ENDLESS));
    // Long enough for the engine to have started it (no clock to set inside chDB).
    await new Promise((resolve) => setTimeout(resolve, 200));
    request.abort();
    const error = await failure(read);
    expect(error.kind).toBe('cancelled');
    // The abandoned read goes on in the engine until its max_execution_time; the engine still answers.
    expect(await transport.query<{ one: number }>({ sql: 'SELECT 1 AS one', tag: { operation: 'test.after' } })).toEqual([{ one: 1 }]);
  });

  it('refuses a read whose request is already gone without running it', async () => {
    const request = new AbortController();
    request.abort();
    const error = await failure(withQueryCancellation(request.signal, () => transport.query(ENDLESS)));
    expect(error.kind).toBe('cancelled');
  });
});
