import { readFileSync } from 'node:fs';

/**
 * CPU µs (user + system) that a `/proc/<pid>[/task/<tid>]/stat` file counts. Fields are read after
 * the command name's closing parenthesis: the name may hold spaces. Linux counts in 10 ms ticks.
 */
export function statCpuMicros(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** CPU µs so far of a process: all its threads, and its main thread (the JavaScript one). */
export function processCpuMicros(pid = process.pid): { all: number; main: number } {
  return { all: statCpuMicros(`/proc/${pid}/stat`), main: statCpuMicros(`/proc/${pid}/task/${pid}/stat`) };
}
