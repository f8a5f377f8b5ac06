/**
 * What `costscope` exits with, so a script can tell "try again later" from "fix the command"
 * from "fix the key" without reading the message.
 */
export const EXIT = {
  ok: 0,
  /** The server answered an error (its message is printed), or what was asked for is not there. */
  serverError: 1,
  /** The command line is wrong: unknown command or option, a missing or bad value. */
  usage: 2,
  /** No key, or the server refused it (401) or its scope (403). */
  auth: 3,
  /** The server could not be reached. */
  unreachable: 4,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  the server answered an error (its message is printed), or nothing matched
  2  usage error: unknown command or option, a missing or bad value
  3  no key, a wrong or revoked key (401), or a key whose scope is too low (403)
  4  the server could not be reached`;

/** A problem the user fixes; `costscope` prints its message and exits with its code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
