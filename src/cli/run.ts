import { CommanderError } from 'commander';
import { isUserFacingError } from '../errors.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';

/**
 * Runs the CLI and returns the exit code; never calls process.exit so tests can drive it in-process.
 * See exit-codes.ts: 0 success, 1 a problem the user can fix (printed without a stack), 2 usage error,
 * 3 a probe run with ERROR images, 70 a bug, 130 Ctrl-C.
 */
export async function runCli(argv: string[], given?: CliContext): Promise<number> {
  let ctx = given;
  const err = given?.err ?? process.stderr;
  try {
    const program = await buildProgram(
      {
        out: given?.out ?? process.stdout,
        err,
        // Without a subcommand (`--help`, a usage error) the context, its config and logger never load.
        subcommandContext: async () => {
          ctx ??= (await import('./context.js')).createCliContext();
          return ctx;
        },
      },
      argv,
    );
    await program.parseAsync(argv, { from: 'user' });
    return ctx?.exitCode ?? EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the help text or the usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isUserFacingError(error)) {
      err.write(`error: ${error.message}\n`);
      return EXIT.config;
    }
    err.write(
      `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.internal;
  }
}
