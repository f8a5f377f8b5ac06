import { describe, expect, it } from 'vitest';
import type { RepriceJobAnswer } from '@/lib/api/types';
import { repriceJobFinished, repriceProgress, repriceSummary } from '@/lib/shape/reprice';

const job = (patch: Partial<RepriceJobAnswer> = {}): RepriceJobAnswer => ({
  jobId: '6f1c2a4e-0d0b-4f7e-9a57-3c1f5f0b9d11',
  state: 'running',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-11-28T00:00:00.000Z',
  hoursDone: 240,
  hoursTotal: 648,
  examined: 51_234,
  callsTotal: 140_000,
  changed: 51_234,
  unpricedModels: [],
  error: null,
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:00:12.000Z',
  ...patch,
});

describe(repriceProgress.name, () => {
  it('shows the hours done of the total as the bar’s share, and the calls examined of those in the range', () => {
    expect(repriceProgress(job())).toEqual({ percent: 37, stateLabel: 'Re-pricing', hours: '240 of 648 hours', examined: '51,234 of 140,000', changed: '51,234' });
  });

  it('shows a queued job as an empty bar, and never reads 100% before the job is done', () => {
    expect(repriceProgress(job({ state: 'queued', hoursDone: 0, examined: 0, changed: 0 }))).toMatchObject({ percent: 0, stateLabel: 'Queued', hours: '0 of 648 hours' });
    expect(repriceProgress(job({ hoursDone: 647 })).percent).toBe(99);
    expect(repriceProgress(job({ state: 'done', hoursDone: 648 })).percent).toBe(100);
    expect(repriceProgress(job({ state: 'queued', hoursDone: 0, hoursTotal: 0 })).percent).toBe(0);
  });

  it('drops the total once the job is done, or once calls that arrived in the range meanwhile pass it', () => {
    expect(repriceProgress(job({ examined: 140_012 })).examined).toBe('140,012');
    expect(repriceProgress(job({ state: 'done', hoursDone: 648, examined: 140_000 })).examined).toBe('140,000');
    expect(repriceProgress(job({ hoursTotal: 1, hoursDone: 1 })).hours).toBe('1 of 1 hour');
  });
});

describe(repriceSummary.name, () => {
  it('sums up a finished job with the models still without a price', () => {
    expect(repriceSummary(job({ state: 'done', hoursDone: 648, examined: 140_000, changed: 1, unpricedModels: ['acme-llm-1', 'ft:gpt-x'] }))).toBe(
      'Re-priced 140,000 calls: 1 cost changed. Still without a price: acme-llm-1, ft:gpt-x.',
    );
    expect(repriceSummary(job({ state: 'done', examined: 1, changed: 0 }))).toBe('Re-priced 1 call: 0 costs changed.');
  });

  it('says why a failed job stopped, and how far it got', () => {
    expect(repriceSummary(job({ state: 'failed', hoursDone: 24, error: 'the server stopped' }))).toBe(
      'Re-pricing stopped after 24 hours of 648: the server stopped. Running it again finishes the range.',
    );
    expect(repriceSummary(job({ state: 'failed', hoursDone: 0, error: null }))).toBe('Re-pricing stopped: the server gave no reason. Running it again finishes the range.');
  });
});

describe(repriceJobFinished.name, () => {
  it('stops following a job once it is done or failed', () => {
    expect(['queued', 'running', 'done', 'failed'].map((state) => repriceJobFinished({ state: state as RepriceJobAnswer['state'] }))).toEqual([false, false, true, true]);
  });
});
