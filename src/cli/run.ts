import { CommanderError } from 'commander';
import { isUserFacingError } from '../errors.js';
import { type CliContext, createCliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';

/**
 * Runs the CLI and returns the exit code; never calls process.exit so tests can drive it in-process.
 * See exit-codes.ts: 0 success, 1 a problem the user can fix (printed without a stack), 2 usage error,
 * 3 a probe run with ERROR images, 70 a bug, 130 Ctrl-C.
 */
export async function runCli(argv: string[], ctx: CliContext = createCliContext()): Promise<number> {
  try {
    const program = await buildProgram(ctx, argv);
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed the help text or the usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isUserFacingError(err)) {
      ctx.err.write(`error: ${err.message}\n`);
      return EXIT.config;
    }
    ctx.err.write(`Unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.internal;
  }
}
