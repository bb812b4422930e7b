import { Command, Help } from 'commander';
import type { CliContext } from './context.js';

/**
 * What building the program needs: the streams the top-level help and usage errors are printed to, and
 * the context a subcommand runs with, created only once one is loaded. Creating it loads the
 * configuration schema and the logger, which `mediconfusion --help` has no use for.
 */
export interface ProgramContext {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  subcommandContext(): Promise<CliContext>;
}

/** A program context around a context that exists already (tests, the benchmark). */
export function programContextOf(ctx: CliContext): ProgramContext {
  return { out: ctx.out, err: ctx.err, subcommandContext: async () => ctx };
}

/**
 * Builds the `mediconfusion` program. Every subcommand is listed here, explicitly, so that this file is the
 * index of what the CLI can do. A subcommand's module (and what it imports: the web server, the Discord
 * bot, the SDKs, the export code) is loaded only when that subcommand runs or its help is asked for; the
 * others appear as their name and description, so `mediconfusion --help` starts in a fraction of the time.
 */

interface Subcommand {
  name: string;
  /** As in the subcommand's own definition; a test checks they agree. */
  description: string;
  /** Arguments shown in the top-level help, as the subcommand defines them. */
  usage?: string;
  register(program: Command, ctx: CliContext): Promise<void>;
}

export const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'data',
    description: 'download and check the MediConfusion dataset',
    async register(program, ctx) {
      const [{ registerDataFetch }, { registerDataCheck }, { registerDataStatus }] = await Promise.all([
        import('./data-fetch.js'),
        import('./data-check.js'),
        import('./data-status.js'),
      ]);
      const data = program.command('data').description('download and check the MediConfusion dataset');
      registerDataFetch(data, ctx);
      registerDataCheck(data, ctx);
      registerDataStatus(data, ctx);
    },
  },
  {
    name: 'score',
    description: 'score an answers file with the official MediConfusion metrics',
    usage: '[options] <file>',
    async register(program, ctx) {
      (await import('./score.js')).registerScore(program, ctx);
    },
  },
  {
    name: 'probe',
    description: 'ask a model the benchmark questions with the official protocol, and keep the results',
    async register(program, ctx) {
      (await import('./probe.js')).registerProbe(program, ctx);
    },
  },
  {
    name: 'start',
    description: 'serve the web quiz (and the Discord bot when DISCORD_TOKEN is set) on the embedded store',
    usage: '[options]',
    async register(program, ctx) {
      (await import('./start.js')).registerStart(program, ctx);
    },
  },
  {
    name: 'export',
    description: 'export the human baseline: every answer (pseudonymous), the report and score tables',
    usage: '[options]',
    async register(program, ctx) {
      (await import('./export.js')).registerExport(program, ctx);
    },
  },
  {
    name: 'baseline',
    description: 'plan and analyse the human baseline',
    async register(program, ctx) {
      (await import('./baseline.js')).registerBaseline(program, ctx);
    },
  },
  {
    name: 'forget',
    description: 'delete everything recorded about one person (what /forget-me does, for a deletion request)',
    usage: '[options]',
    async register(program, ctx) {
      (await import('./forget.js')).registerForget(program, ctx);
    },
  },
];

/** The subcommand the command line runs or asks help for (`probe run …`, `help probe`), if any. */
export function targetSubcommand(argv: readonly string[]): string | null {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const first = words[0] ?? null;
  return first === 'help' ? (words[1] ?? null) : first;
}

/**
 * `argv` decides which subcommand is loaded; `'all'` loads every one (for tests comparing the index with
 * the definitions).
 */
export async function buildProgram(ctx: ProgramContext, argv: readonly string[] | 'all'): Promise<Command> {
  const program = new Command('mediconfusion')
    .description('MediConfusion benchmark tools: dataset, scoring, model probe, quiz bot')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.out.write(s),
      writeErr: (s) => ctx.err.write(s),
    });

  const target = argv === 'all' ? null : targetSubcommand(argv);
  const stubs = new Map<Command, Subcommand>();
  for (const sub of SUBCOMMANDS) {
    if (argv === 'all' || sub.name === target) {
      await sub.register(program, await ctx.subcommandContext());
    } else {
      stubs.set(program.command(sub.name).description(sub.description), sub);
    }
  }
  // A stub lists its arguments as the loaded subcommand would (commander derives them from its options).
  program.configureHelp({
    subcommandTerm: (cmd) => {
      const stub = stubs.get(cmd);
      if (stub === undefined) return Help.prototype.subcommandTerm.call(new Help(), cmd);
      return stub.usage ? `${stub.name} ${stub.usage}` : stub.name;
    },
  });
  return program;
}
