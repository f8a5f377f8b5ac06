import { parseArgs } from 'node:util';

export type DemoOptions = {
  seed: number;
  days: number;
  liveMs: number;
  /** End of the history; undefined: the server's clock. */
  now: Date | undefined;
  server: string | undefined;
  apiKey: string | undefined;
  json: boolean;
  help: boolean;
};

/** A mistake in the command line: printed with the usage, exit code 2. */
export class DemoUsageError extends Error {}

export const DEMO_USAGE = `Usage: npm run demo -- [options]

Fills a running Costscope with an example app's LLM calls: 30 days of history through
the import the server prices (an admin key; else as spans through POST /v1/traces), then
live calls made by @costscope/sdk around the openai and
@anthropic-ai/sdk clients (answered by a local provider stand-in), with a spend spike, an
error burst and output-token drift that each fire an alert.

Options:
  --seed N            same seed, same calls (a second run stores nothing twice)   [1]
  --days N            days of history before today (0-365)                        [30]
  --live-minutes N    minutes of live traffic; 0 = history only                   [2]
  --live DURATION     the same as a duration: 20s, 2m, 1.5m
  --now ISO-INSTANT   end the history here instead of at the server's clock
  --server URL        Costscope server     (else COSTSCOPE_SERVER_URL, else http://localhost:4318)
  --api-key KEY       project key          (else COSTSCOPE_API_KEY, else <data dir>/credentials.json)
  --json              print the summary as JSON on stdout
  -h, --help          this text

Exit codes: 0 done, 1 the server answered an error, 2 bad options, 3 no key or the server
refused it, 4 the server cannot be reached.`;

export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        seed: { type: 'string' },
        days: { type: 'string' },
        'live-minutes': { type: 'string' },
        live: { type: 'string' },
        now: { type: 'string' },
        server: { type: 'string' },
        'api-key': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new DemoUsageError((error as Error).message);
  }
  const values = parsed.values;
  if (values['live-minutes'] !== undefined && values.live !== undefined) throw new DemoUsageError('give --live-minutes or --live, not both');
  return {
    seed: integer('--seed', values.seed ?? '1', 0, 2 ** 32 - 1),
    days: integer('--days', values.days ?? '30', 0, 365),
    liveMs:
      values.live !== undefined
        ? duration('--live', values.live)
        : minutes('--live-minutes', values['live-minutes'] ?? '2'),
    now: values.now === undefined ? undefined : instant('--now', values.now),
    server: values.server,
    apiKey: values['api-key'],
    json: values.json === true,
    help: values.help === true,
  };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new DemoUsageError(`${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return value;
}

const MAX_LIVE_MS = 24 * 3_600_000;

function minutes(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value * 60_000 > MAX_LIVE_MS) throw new DemoUsageError(`${flag} must be a number of minutes from 0 to 1440, not ${JSON.stringify(text)}`);
  return Math.round(value * 60_000);
}

function duration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text);
  const ms = match ? Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'] : NaN;
  if (!match || ms > MAX_LIVE_MS) throw new DemoUsageError(`${flag} must be a duration such as 20s, 2m or 1h (at most 24h), not ${JSON.stringify(text)}`);
  return Math.round(ms);
}

function instant(flag: string, text: string): Date {
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(date.getTime())) throw new DemoUsageError(`${flag} must be an ISO 8601 instant such as 2026-11-29T17:00:00Z, not ${JSON.stringify(text)}`);
  return date;
}
