import { parseArgs } from 'node:util';
import { ApiClient } from './api-client.js';
import type { CliCommand, CliIo, CommandContext } from './cli-command.js';
import { CliError, EXIT, EXIT_CODES_HELP } from './cli-errors.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { keysCommand } from './commands/keys.js';
import { pricesCommand } from './commands/prices.js';
import { repriceCommand } from './commands/reprice.js';
import { reportCommand } from './commands/report.js';
import { whatIfCommand } from './commands/whatif.js';
import { ConnectionError, resolveServerConnection } from './server-connection.js';

export type { CliIo } from './cli-command.js';

/**
 * `costscope <command>`: the server's API from a terminal or a script. It never opens storage
 * itself — the embedded engine belongs to the server process — so it works the same against a
 * local server and a remote one.
 */
const COMMANDS: readonly CliCommand[] = [keysCommand, reportCommand, pricesCommand, whatIfCommand, repriceCommand, exportCommand, importCommand];

const COMMON_OPTIONS = `Common options:
  --server URL     the Costscope server (COSTSCOPE_SERVER_URL, default http://localhost:4318)
  --api-key KEY    a key of the project (COSTSCOPE_API_KEY, else <data dir>/credentials.json,
                   the data dir being COSTSCOPE_DATA_DIR or ./.costscope)
  -h, --help       this help`;

const USAGE = `Usage: costscope <command> [options]

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(9)}${command.summary}`).join('\n')}

Run costscope <command> --help for a command's options.

${COMMON_OPTIONS}

${EXIT_CODES_HELP}`;

const helpOf = (command: CliCommand) => `${command.usage}\n\n${COMMON_OPTIONS}\n\n${EXIT_CODES_HELP}`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((command) => command.name === rest[0]) : undefined;
    if (name === undefined) {
      io.err(USAGE);
      return EXIT.usage;
    }
    io.out(topic ? helpOf(topic) : USAGE);
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`costscope: unknown command "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }

  let values: CommandContext['values'];
  let args: string[];
  try {
    const parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        ...command.options,
        server: { type: 'string' },
        'api-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values as CommandContext['values'];
    args = parsed.positionals;
  } catch (error) {
    io.err(`costscope ${name}: ${(error as Error).message}\n\n${helpOf(command)}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.out(helpOf(command));
    return EXIT.ok;
  }

  let client: ApiClient | undefined;
  const api = async () => {
    if (!client) {
      const server = typeof values.server === 'string' ? values.server : undefined;
      const apiKey = typeof values['api-key'] === 'string' ? values['api-key'] : undefined;
      try {
        client = new ApiClient(await resolveServerConnection({ server, apiKey }, io.env));
      } catch (error) {
        if (error instanceof ConnectionError) throw new CliError(error.message, EXIT.auth);
        throw error;
      }
    }
    return client;
  };
  try {
    return await command.run({ io, values, args, api });
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`costscope ${name}: ${error.message}${error.exitCode === EXIT.usage ? `\n\nRun costscope ${name} --help for its options.` : ''}`);
      return error.exitCode;
    }
    throw error;
  }
}

