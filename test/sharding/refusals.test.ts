import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app/compose.js';
import { createCliContext } from '../../src/cli/context.js';
import { UserFacingError } from '../../src/errors.js';
import { runCliCaptured } from '../support/cli.js';

/** What `start --shards` refuses before starting anything, and how it says so. */

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'shards-refused-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const discord = {
  DISCORD_TOKEN: 'not-a-real-token',
  DISCORD_CLIENT_ID: '123456789012345678',
  DISCORD_API_BASE: 'http://127.0.0.1:9/api',
};

async function refusal(env: Record<string, string>, shards: 2 | undefined): Promise<UserFacingError> {
  const ctx = createCliContext({
    env: { LOG_LEVEL: 'silent', STORE_URL: 'sqlite://store.sqlite', ...env },
    cwd,
    out: new PassThrough(),
    err: new PassThrough(),
  });
  const failure = await startApp(ctx, {
    port: 0,
    demo: true,
    fetch: false,
    ...(shards ? { shards } : {}),
  }).then(
    async (app) => {
      await app.close();
      return null;
    },
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(UserFacingError);
  return failure as UserFacingError;
}

describe('start --shards', () => {
  it('refuses a SQLite store, which one process uses, naming STORE_URL and what to use instead', async () => {
    const err = await refusal(discord, 2);
    expect(err.code).toBe('SHARDS_NEED_SHARED_STORE');
    expect(err.message).toContain('--shards');
    expect(err.message).toContain('STORE_URL is sqlite://store.sqlite');
    expect(err.message).toContain('redis:// or postgres://');
  });

  it('says DISCORD_SHARDS when the shard count came from the environment', async () => {
    const err = await refusal({ ...discord, DISCORD_SHARDS: 'auto' }, undefined);
    expect(err.code).toBe('SHARDS_NEED_SHARED_STORE');
    expect(err.message).toContain('(DISCORD_SHARDS)');
  });

  it('refuses shards without a bot token', async () => {
    const err = await refusal({}, 2);
    expect(err.code).toBe('CONFIG_MISSING');
    expect(err.message).toContain('DISCORD_TOKEN is not set');
  });

  it('refuses a shard count that is neither "auto" nor a number from 1', async () => {
    const run = await runCliCaptured(['start', '--shards', '0'], { LOG_LEVEL: 'silent' }, cwd);
    expect(run.code).not.toBe(0);
    expect(run.err).toContain('expected "auto" or a number of shards from 1');
  });
});
