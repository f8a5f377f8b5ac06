/**
 * The RSS floor for the ingest benchmark: a process that only opens the embedded chDB the way the
 * server does (`openStorage`: same connection arguments) and migrates the schema, then reports its
 * RSS. Nothing of the server's own (HTTP, ingest, spool) is loaded, so the server's RSS above this
 * is what the server holds. Run as its own process (chDB binds one data directory per process):
 * `node --import tsx bench/ingest-rss-floor.ts`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../src/storage/open-storage.js';
import { DEFAULT_QUERY_LIMITS } from '../src/storage/query-limits.js';

const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
const dir = mkdtempSync(join(tmpdir(), 'costscope-rss-floor-'));
const transport = await openStorage({ kind: 'embedded', dataDir: dir, database: 'costscope', queryLimits: DEFAULT_QUERY_LIMITS, retentionDays: 90 });
// Settle like the server's idle figure is taken: after start, before any load.
await new Promise((resolve) => setTimeout(resolve, 1000));
const rss = rssMiB();
await transport.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ rssMiB: rss })}\n`);
