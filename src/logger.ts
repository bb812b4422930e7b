import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log object. Keys, tokens and auth headers must never
 * reach a log line, even when a whole config or request object is logged by mistake.
 */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'config.discordToken',
  'discordToken',
  '*.discordToken',
  'password',
  '*.password',
];

export interface LoggerSettings {
  level?: string;
  /** Where lines go; defaults to stderr so that stdout stays free for command output (tables, JSON). */
  destination?: NodeJS.WritableStream;
  /**
   * Readable lines (time, level, message, fields) instead of JSON; default: when the destination is a
   * terminal. Piped or redirected output stays JSON, one object a line, for log collectors.
   */
  pretty?: boolean;
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return 'isTTY' in stream && stream.isTTY === true;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: undefined,
  };
  const destination = settings.destination ?? process.stderr;
  if (!(settings.pretty ?? isTerminal(destination))) return pino(options, destination);
  // Loaded only for a terminal: piped and redirected runs never pay for it. It is CommonJS, so a
  // synchronous require keeps createLogger synchronous.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  // In-process and synchronous (no worker thread), so a line is on the screen before the next output.
  const readable: DestinationStream = pretty({
    destination,
    sync: true,
    colorize: isTerminal(destination),
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    singleLine: true,
  });
  return pino(options, readable);
}
