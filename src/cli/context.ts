import { type Config, loadConfig } from '../config.js';
import { createLogger, type Logger } from '../logger.js';

/**
 * What every CLI subcommand receives. Config and logger are created on first use so that `--help`
 * and commands that need no configuration work even when the environment is incomplete.
 */
export interface CliContext {
  config(): Config;
  log(): Logger;
  /** Command output (tables, JSON) goes here; logs and errors go to `err`. */
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Set by a command that finished but must report failure (for example `data check` with problems). */
  exitCode: number;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function createCliContext(
  options: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    out?: NodeJS.WritableStream;
    err?: NodeJS.WritableStream;
    logDestination?: NodeJS.WritableStream;
  } = {},
): CliContext {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  let config: Config | undefined;
  let log: Logger | undefined;
  return {
    env,
    cwd,
    out: options.out ?? process.stdout,
    err: options.err ?? process.stderr,
    exitCode: 0,
    config() {
      config ??= loadConfig(env, cwd);
      return config;
    },
    log() {
      log ??= createLogger({
        level: this.config().logLevel,
        destination: options.logDestination ?? options.err,
      });
      return log;
    },
  };
}
