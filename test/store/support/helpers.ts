import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '../../../src/logger.js';

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A debug-level logger whose lines can be read back, to check what reaches the logs. */
export function capturingLogger(): { log: Logger; text(): string } {
  const destination = new PassThrough();
  const chunks: Buffer[] = [];
  destination.on('data', (chunk: Buffer) => chunks.push(chunk));
  return {
    log: createLogger({ level: 'debug', destination }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

export const silentLogger = createLogger({ level: 'silent' });
