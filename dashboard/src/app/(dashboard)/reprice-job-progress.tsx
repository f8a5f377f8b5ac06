'use client';

import { AlertTriangle } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type * as React from 'react';
import type { RepriceJobAnswer } from '@/lib/api/types';
import { repriceJobFinished, repriceProgress, repriceSummary } from '@/lib/shape/reprice';
import { followRepriceJob } from './reprice-job-actions';

/** About once a second: a month of calls takes tens of seconds, and each ask is one small read. */
const FOLLOW_EVERY_MS = 1_000;
/** After the dashboard's own server did not answer (a restart, a dropped connection). */
const RETRY_AFTER_MS = 5_000;

/**
 * A re-pricing job the form just started (or found running), followed until it ends: a bar of the
 * hours done, the calls examined and the costs changed so far. When it is done the page's figures
 * are read again (`router.refresh()`) and `done` renders the summary; a failed job shows why.
 * Following stops when the form goes away. Mount it with `key={job.jobId}` per start.
 */
export function RepriceJobProgress({ initial, note, done }: { initial: RepriceJobAnswer; note?: string; done: (job: RepriceJobAnswer) => React.ReactNode }) {
  const [job, setJob] = useState(initial);
  const [problem, setProblem] = useState<string>();
  const router = useRouter();

  useEffect(() => {
    if (repriceJobFinished(initial)) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const follow = async () => {
      let wait = FOLLOW_EVERY_MS;
      try {
        const answer = await followRepriceJob(initial.jobId);
        if (stopped) return;
        if (answer.status === 'ok') {
          setProblem(undefined);
          setJob(answer.job);
          if (repriceJobFinished(answer.job)) {
            if (answer.job.state === 'done') router.refresh();
            return;
          }
        } else {
          setProblem(answer.message);
          if (!answer.retry) return;
        }
      } catch {
        if (stopped) return;
        setProblem('The dashboard’s server did not answer; still asking…');
        wait = RETRY_AFTER_MS;
      }
      timer = setTimeout(() => void follow(), wait);
    };
    timer = setTimeout(() => void follow(), FOLLOW_EVERY_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [initial, router]);

  const progress = repriceProgress(job);
  const finished = repriceJobFinished(job);
  return (
    <div className="grid gap-2 text-sm" data-testid="reprice-job" data-state={job.state}>
      {note ? <p className="rounded-md border border-warning/50 bg-warning/10 px-3 py-2">{note}</p> : null}
      {finished ? null : (
        <div className="grid gap-1">
          <div className="flex flex-wrap justify-between gap-2">
            <span className="font-medium">{progress.stateLabel}…</span>
            <span className="tabular text-muted-foreground" data-testid="reprice-hours">
              {progress.hours} done
            </span>
          </div>
          <div
            role="progressbar"
            aria-label="Re-pricing progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress.percent}
            aria-valuetext={`${progress.hours} done`}
            className="h-2 overflow-hidden rounded-full bg-muted"
          >
            <div className="h-full rounded-full bg-primary transition-[width] duration-500" style={{ width: `${progress.percent}%` }} />
          </div>
        </div>
      )}
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 sm:flex sm:flex-wrap" data-testid="reprice-result">
        <div className="flex gap-2">
          <dt className="text-muted-foreground">Calls examined</dt>
          <dd className="tabular font-medium" data-testid="reprice-examined">
            {progress.examined}
          </dd>
        </div>
        <div className="flex gap-2">
          <dt className="text-muted-foreground">Costs changed</dt>
          <dd className="tabular font-medium" data-testid="reprice-changed">
            {progress.changed}
          </dd>
        </div>
        <div className="flex gap-2">
          <dt className="text-muted-foreground">Range</dt>
          <dd className="tabular">
            {job.from.slice(0, 16).replace('T', ' ')} – {job.to.slice(0, 16).replace('T', ' ')} UTC
          </dd>
        </div>
      </dl>
      <div role="status" aria-live="polite">
        {job.state === 'done' ? done(job) : null}
      </div>
      {job.state === 'failed' ? (
        <p role="alert" className="flex items-start gap-1.5 text-destructive" data-testid="reprice-failed">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>{repriceSummary(job)}</span>
        </p>
      ) : null}
      {problem ? (
        <p role="alert" className="text-xs text-destructive" data-testid="reprice-follow-problem">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
