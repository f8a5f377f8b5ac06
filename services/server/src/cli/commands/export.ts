import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { CliCommand } from '../cli-command.js';
import { CliError, EXIT, usageError } from '../cli-errors.js';
import { ProgressBar } from '../progress-bar.js';
import { calls } from '../text-output.js';

/** `costscope export`: the stored calls as NDJSON, streamed from `GET /api/v1/calls/export`. */
export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'the stored calls as NDJSON (to a file or stdout), streamed',
  usage: `Usage: costscope export [--from DATE] [--to DATE] [--out FILE]

  Writes the project's stored calls, oldest first, one JSON object per line (NDJSON): every
  stored field, costs as exact decimal strings with the price version that gave them. The calls
  stream from the server as they are written, so any range fits in memory; a progress bar shows
  on stderr when it is a terminal. \`costscope import\` reads the file back, into this server or
  another. Needs a read key.

Options:
  --from DATE      start, a day (2026-11-01) or an instant (default: the oldest call kept)
  --to DATE        end, exclusive (default: now)
  --out FILE       write to FILE (replaced; removed again if the export breaks off) instead of stdout`,
  options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string', short: 'o' } },
  async run({ io, values, args, api }) {
    if (args.length > 0) throw usageError(`export takes no arguments (got "${args.join(' ')}"); name the file with --out`);
    const query = new URLSearchParams();
    if (typeof values.from === 'string') query.set('from', values.from);
    if (typeof values.to === 'string') query.set('to', values.to);
    const response = await (await api()).send('GET', `/api/v1/calls/export${query.size > 0 ? `?${query}` : ''}`);
    const total = Number(response.headers.get('x-costscope-calls-total') ?? 0);
    const out = typeof values.out === 'string' ? values.out : undefined;
    const target: Writable | undefined = out ? createWriteStream(out) : io.stdout;
    if (!target) throw usageError('no stdout to write to: pass --out FILE');

    const bar = new ProgressBar(io.progress, 'calls');
    let written = 0;
    try {
      for await (const chunk of response.body ?? []) {
        const bytes = chunk as Uint8Array;
        for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) written += 1;
        if (!target.write(bytes)) await new Promise((resolve) => target.once('drain', resolve));
        bar.update(written, Math.max(total, written));
      }
      if (out) await new Promise<void>((resolve, reject) => target.end((error?: Error | null) => (error ? reject(error) : resolve())));
    } catch (error) {
      bar.finish(written, Math.max(total, written));
      if (out) {
        target.destroy();
        await rm(out, { force: true });
      }
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new CliError(
        `the export broke off after ${calls(written)} (${reason}); ${out ? `${out} is removed` : 'what was written is incomplete'}: run it again`,
        EXIT.serverError,
      );
    }
    bar.finish(written, Math.max(total, written));
    io.err(`Exported ${calls(written)}${out ? ` to ${out}` : ''}.`);
    return EXIT.ok;
  },
};
