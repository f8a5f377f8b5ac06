import type { RepriceJobAnswer } from '../api/types';
import { count } from '../format';

/**
 * A re-pricing job as the dashboard shows it while it runs and once it ends: the server answers
 * 202 with the job at once, and the forms follow it (`GET` about once a second) until it is done.
 */

const plural = (value: number, word: string) => `${count(value)} ${word}${value === 1 ? '' : 's'}`;

/** Done or failed: nothing more will change, so following it stops. */
export function repriceJobFinished(job: Pick<RepriceJobAnswer, 'state'>): boolean {
  return job.state === 'done' || job.state === 'failed';
}

export type RepriceProgress = {
  /** Hours finished over the range's hours, 0–100, floored so 100 means every hour is done. */
  percent: number;
  /** "Queued", "Re-pricing", "Done" or "Stopped". */
  stateLabel: string;
  /** "240 of 648 hours". */
  hours: string;
  /** "51,234 of 140,000" while it runs: the calls priced again of those in the range when the job began. */
  examined: string;
  /** "51,234". */
  changed: string;
};

const STATE_LABELS: Record<RepriceJobAnswer['state'], string> = { queued: 'Queued', running: 'Re-pricing', done: 'Done', failed: 'Stopped' };

export function repriceProgress(job: RepriceJobAnswer): RepriceProgress {
  const percent = job.state === 'done' ? 100 : job.hoursTotal > 0 ? Math.min(100, Math.floor((job.hoursDone / job.hoursTotal) * 100)) : 0;
  return {
    percent,
    stateLabel: STATE_LABELS[job.state],
    hours: `${count(job.hoursDone)} of ${plural(job.hoursTotal, 'hour')}`,
    // Calls that arrive in the range while the job runs are examined too: past the total, or once
    // the job is done, the total no longer says anything.
    examined: job.state === 'done' || job.examined > job.callsTotal ? count(job.examined) : `${count(job.examined)} of ${count(job.callsTotal)}`,
    changed: count(job.changed),
  };
}

/**
 * The one line a finished job leaves: what it examined and changed (and the models still without
 * a price), or why it stopped.
 */
export function repriceSummary(job: RepriceJobAnswer): string {
  if (job.state === 'failed') {
    const done = job.hoursDone > 0 ? ` after ${plural(job.hoursDone, 'hour')} of ${count(job.hoursTotal)}` : '';
    return `Re-pricing stopped${done}: ${job.error ?? 'the server gave no reason'}. Running it again finishes the range.`;
  }
  if (job.state !== 'done') return `Re-pricing: ${repriceProgress(job).hours} done.`;
  const still = job.unpricedModels.length > 0 ? ` Still without a price: ${job.unpricedModels.join(', ')}.` : '';
  return `Re-priced ${plural(job.examined, 'call')}: ${plural(job.changed, 'cost')} changed.${still}`;
}

/** The forms' words for a second re-price while the project's job still runs (the API's 409). */
export const REPRICE_ALREADY_RUNNING = 'A re-price of this project is already running: its progress is below. Start another once it is done.';
