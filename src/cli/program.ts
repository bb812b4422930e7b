import { Command } from 'commander';
import { registerBaseline } from './baseline.js';
import type { CliContext } from './context.js';
import { registerDataCheck } from './data-check.js';
import { registerDataFetch } from './data-fetch.js';
import { registerDataStatus } from './data-status.js';
import { registerExport } from './export.js';
import { registerForget } from './forget.js';
import { registerProbe } from './probe.js';
import { registerScore } from './score.js';
import { registerStart } from './start.js';

/**
 * Builds the `mediconfusion` program. Every subcommand is registered here, explicitly, so that this
 * file is the index of what the CLI can do.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('mediconfusion')
    .description('MediConfusion benchmark tools: dataset, scoring, model probe, quiz bot')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.out.write(s),
      writeErr: (s) => ctx.err.write(s),
    });

  const data = program.command('data').description('download and check the MediConfusion dataset');
  registerDataFetch(data, ctx);
  registerDataCheck(data, ctx);
  registerDataStatus(data, ctx);
  registerScore(program, ctx);
  registerProbe(program, ctx);
  registerStart(program, ctx);
  registerExport(program, ctx);
  registerBaseline(program, ctx);
  registerForget(program, ctx);
  return program;
}
