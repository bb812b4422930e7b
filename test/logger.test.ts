import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { runCliCaptured } from './support/cli.js';

/** A stream that says it is a terminal, as process.stderr does in an interactive shell. */
function terminal(): { stream: PassThrough; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('log lines', () => {
  it('are readable on a terminal: time, level and message, not JSON, secrets still redacted', () => {
    const tty = terminal();
    createLogger({ destination: tty.stream }).warn({ room: 'ABCDE', token: 'sekrit' }, 'room is full');
    const line = tty.text();
    expect(line).toMatch(/^\S*\[\d\d:\d\d:\d\d\]\S* \S*WARN\S*: \S*room is full/);
    expect(line).toContain('ABCDE');
    expect(line).not.toContain('sekrit');
    expect(() => JSON.parse(line)).toThrow();
  });

  it('stay JSON, one object a line, when the output is not a terminal', () => {
    const piped = new PassThrough();
    const chunks: Buffer[] = [];
    piped.on('data', (chunk: Buffer) => chunks.push(chunk));
    createLogger({ destination: piped }).info({ room: 'ABCDE' }, 'room created');
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toMatchObject({
      level: 30,
      msg: 'room created',
    });
  });
});

describe('a CLI error', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cli-logs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is not preceded by info lines such as "store opened"', async () => {
    const run = await runCliCaptured(
      ['forget', '--user', '620000000000000999'],
      {
        LOG_LEVEL: 'info',
        STORE_URL: `sqlite://${path.join(dir, 'store.sqlite')}`,
        BASELINE_SECRET: 'cli-logs-test-secret-0123456789',
      },
      dir,
    );
    expect(run.code).toBe(3);
    expect(run.err.startsWith('Nothing is recorded about 620000000000000999')).toBe(true);
    expect(run.err).not.toContain('store opened');
  });
});
