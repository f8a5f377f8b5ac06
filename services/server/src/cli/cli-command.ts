import type { Readable, Writable } from 'node:stream';
import type { ApiClient } from './api-client.js';
import type { ProgressSink } from './progress-bar.js';

/** What a command reads from and writes to: the process's own in `costscope.ts`, captured in tests. */
export type CliIo = {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Raw stdout, for NDJSON an export writes without `--out`. */
  stdout?: Writable;
  /** Raw stdin, for `import -`. */
  stdin?: Readable;
  /** Where progress bars draw (only when it is a terminal). */
  progress?: ProgressSink;
};

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export type CommandContext = {
  io: CliIo;
  values: Record<string, string | boolean | undefined>;
  /** Positionals after the command's name. */
  args: string[];
  /** The API client; connecting (finding the key) happens on first use. */
  api: () => Promise<ApiClient>;
};

/** One `costscope <name>` command. */
export type CliCommand = {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The command's `--help`, options included (common options and exit codes are appended). */
  usage: string;
  options: OptionSpec;
  run(context: CommandContext): Promise<number>;
};
