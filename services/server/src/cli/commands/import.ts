import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { ImportCallsResponse } from '../../query/response-schemas.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT, usageError } from '../cli-errors.js';
import { ProgressBar } from '../progress-bar.js';
import { calls, count } from '../text-output.js';

/** `costscope import`: NDJSON calls (an export) streamed to `POST /api/v1/calls/import`. */
export const importCommand: CliCommand = {
  name: 'import',
  summary: 'store NDJSON calls (an export) in the project, exactly once',
  usage: `Usage: costscope import FILE|- [--price] [--json]

  Stores the calls of an export (NDJSON, one call per line; - reads stdin) in the key's
  project, streamed as the file is read, with a progress bar on stderr when it is a terminal.
  Costs are kept exactly as exported, with their price versions; with --price the server
  prices each call instead, as it prices a span it receives (the catalog and the project's
  price overrides), and the lines may leave the cost fields out. Each call is stored once:
  importing the same file twice, or a file overlapping what is stored, adds nothing twice.
  A bad line stops the import with the line's number and what is wrong with it; the calls
  before it stay stored, so fix the line and import the file again. Calls older than the
  server's retention are skipped. Needs an admin key.

Options:
  --price          the server prices the calls (a backfill from another tool; re-pricing
                   an export under this server's prices); a "reported" cost is kept
  --json           print the API's JSON answer`,
  options: { price: { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ io, values, args, api }) {
    const [file, extra] = args;
    if (!file || extra !== undefined) throw usageError('import needs one FILE (or - for stdin)');
    let source: Readable;
    let size = 0;
    if (file === '-') {
      if (!io.stdin) throw usageError('no stdin to read from: name a FILE');
      source = io.stdin;
    } else {
      try {
        const info = await stat(file);
        if (!info.isFile()) throw new Error('not a file');
        size = info.size;
      } catch (error) {
        throw usageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      source = createReadStream(file);
    }
    const client = await api();
    const bar = new ProgressBar(io.progress, 'bytes');
    let sent = 0;
    source.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      bar.update(sent, size);
    });
    let answer: ImportCallsResponse;
    try {
      const route = values.price ? '/api/v1/calls/import?pricing=catalog' : '/api/v1/calls/import';
      answer = await client.upload<ImportCallsResponse>(route, source, 'application/x-ndjson');
    } finally {
      bar.finish(sent, size);
    }
    if (values.json) io.out(JSON.stringify(answer, null, 2));
    else {
      const skipped = answer.olderThanRetention > 0 ? `; ${count(answer.olderThanRetention)} older than the server's retention skipped` : '';
      const priced = values.price ? ', priced by the server' : '';
      io.out(`Imported ${calls(answer.calls)} from ${file === '-' ? 'stdin' : file} (${count(answer.lines)} lines${skipped})${priced}. Calls already stored were not stored again.`);
    }
    return EXIT.ok;
  },
};
