import type { RepriceJobResponse } from '../../query/response-schemas.js';
import type { CliCommand } from '../cli-command.js';
import { CliError, EXIT, usageError } from '../cli-errors.js';
import { ProgressBar } from '../progress-bar.js';
import { calls, count } from '../text-output.js';

const POLL_MS = 1_000;

/** `costscope reprice`: starts a re-pricing job and follows it to the end. */
export const repriceCommand: CliCommand = {
  name: 'reprice',
  summary: 'price stored calls again at the prices in force now, with progress',
  usage: `Usage: costscope reprice --from DATE --to DATE [--no-wait] [--json]

  Prices the calls stored in [from, to) again at the prices in force now (the catalog and this
  project's overrides): after saving an override for past dates, say. The server runs it as a
  job (whole UTC hours, within the raw retention, at most 366 days, one job per project at a
  time); this command starts it and follows it with a progress bar until it is done.
  Needs an admin key.

Options:
  --from DATE      start, a day (2026-11-01) or an instant
  --to DATE        end, exclusive
  --no-wait        start the job, print its id and return
  --json           print the job's final JSON`,
  options: { from: { type: 'string' }, to: { type: 'string' }, 'no-wait': { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ io, values, args, api }) {
    if (args.length > 0) throw usageError(`reprice takes no arguments (got "${args.join(' ')}")`);
    if (typeof values.from !== 'string' || typeof values.to !== 'string') throw usageError('reprice needs --from DATE and --to DATE');
    const client = await api();
    let job = await client.json<RepriceJobResponse>('POST', '/api/v1/prices/reprice', { from: values.from, to: values.to });
    if (values['no-wait']) {
      io.out(values.json ? JSON.stringify(job, null, 2) : `Re-pricing job ${job.jobId} ${job.state}: ${job.from} to ${job.to}.`);
      return EXIT.ok;
    }
    const bar = new ProgressBar(io.progress, 'hours');
    while (job.state === 'queued' || job.state === 'running') {
      bar.update(job.hoursDone, job.hoursTotal);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = await client.json<RepriceJobResponse>('GET', `/api/v1/prices/reprice/${job.jobId}`);
    }
    bar.finish(job.hoursDone, job.hoursTotal);
    if (values.json) io.out(JSON.stringify(job, null, 2));
    if (job.state === 'failed') throw new CliError(`re-pricing job ${job.jobId} failed after ${job.hoursDone} of ${job.hoursTotal} hours: ${job.error ?? 'no reason given'}`, EXIT.serverError);
    if (!values.json) {
      io.out(`Re-priced ${job.from} to ${job.to}: ${calls(job.examined)} examined, ${count(job.changed)} costs changed.`);
      if (job.unpricedModels.length > 0) io.out(`Still without a price (add overrides, then re-price again): ${job.unpricedModels.join(', ')}`);
    }
    return EXIT.ok;
  },
};
