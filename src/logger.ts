import { type Logger, type LoggerOptions, pino } from 'pino';

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
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: undefined,
  };
  return pino(options, settings.destination ?? process.stderr);
}
