import { EnvInvalid } from '../config/env.ts';

/**
 * Exit codes of every leadloop command: 75 is sysexits' EX_TEMPFAIL — nothing is lost, try again
 * later (another run holds the lease, an API budget is spent).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, tempfail: 75 } as const;

/** A failure the user can act on: printed as a message, without a stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Prints an error the way users should see it and returns the exit code to use. */
export function reportError(error: unknown, options: { stack?: boolean } = {}): number {
  if (error instanceof EnvInvalid) {
    process.stderr.write(`leadloop: ${error.message}\nSee the Configuration section of the README for every variable.\n`);
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(`leadloop: ${error.message}\n`);
    return error.exitCode;
  }
  const err = error as Error;
  process.stderr.write(`leadloop: ${err?.message ?? String(error)}\n`);
  if (options.stack && err?.stack) process.stderr.write(`${err.stack}\n`);
  return EXIT.failure;
}
