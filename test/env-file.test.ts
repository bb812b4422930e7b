import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { loadDotEnv } from '../src/env-file.js';
import { UserFacingError } from '../src/errors.js';
import { ROOT } from './support/paths.js';

/** The CLI reads `.env` from the working directory, as the README's set-up says. */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'env-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}) {
  const { PATH, HOME } = process.env;
  // tsx is resolved from the checkout: the child runs in a temp folder with no node_modules.
  const tsx = import.meta.resolve('tsx');
  return spawnSync(process.execPath, ['--import', tsx, path.join(ROOT, 'src', 'cli.ts'), ...args], {
    cwd: dir,
    env: { PATH, HOME, ...env },
    encoding: 'utf8',
  });
}

describe('.env', () => {
  it('is read from the working directory, so a bad value in it is reported by name', async () => {
    await writeFile(path.join(dir, '.env'), 'FETCH_CONCURRENCY=lots\n');
    const run = cli(['data', 'check', '--no-image-check']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('FETCH_CONCURRENCY');
    expect(run.stderr).toContain('"lots"');
  });

  it('never overrides a variable already set in the environment', async () => {
    await writeFile(path.join(dir, '.env'), 'FETCH_CONCURRENCY=lots\n');
    const run = cli(['data', 'check', '--no-image-check'], { FETCH_CONCURRENCY: '4' });
    // It gets past the configuration to the (missing) dataset.
    expect(run.stderr).not.toContain('FETCH_CONCURRENCY');
    expect(run.stderr).toMatch(/Data folder .* not found/);
  });
});

/** In-process: loads .env into process.env, so every variable it set is removed afterwards. */
describe('.env mistakes', () => {
  const names = ['LOG_LEVEL', 'FETCH_CONCURRENCY', 'RUNS_DIR', 'MULTI'];
  afterEach(() => {
    for (const name of names) delete process.env[name];
  });

  it('names .env and the line when a value from it is invalid', async () => {
    for (const name of names) expect(process.env[name]).toBeUndefined();
    await writeFile(path.join(dir, '.env'), '# settings\nLOG_LEVEL=info\nFETCH_CONCURRENCY=lots\n');
    loadDotEnv(dir, () => undefined);
    const error = (() => {
      try {
        loadConfig({ ...process.env }, dir);
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(UserFacingError);
    const message = (error as UserFacingError).message;
    expect(message).toContain('Invalid configuration in .env');
    expect(message).toContain('FETCH_CONCURRENCY');
    expect(message).toContain('from .env line 3');
    expect(message).not.toContain('in the environment');
  });

  it('warns about lines that are not NAME=value, by line number, without echoing them', async () => {
    await writeFile(
      path.join(dir, '.env'),
      '# comment\nLOG_LEVEL=info\nthis is not a setting sk-secret\n\nexport RUNS_DIR=runs\nMULTI="one\ntwo"\n=oops\n',
    );
    const warnings: string[] = [];
    loadDotEnv(dir, (message) => warnings.push(message));
    expect(warnings).toHaveLength(1);
    // `export NAME=value` is read by some Node versions and skipped by others: reported only when skipped.
    const skipped = process.env.RUNS_DIR === undefined ? '3, 5, 8' : '3, 8';
    expect(warnings[0]).toMatch(new RegExp(`^warning: .*\\.env: lines ${skipped} ignored: not NAME=value`));
    expect(warnings[0]).not.toContain('sk-secret');
    // The good lines around them still count, the quoted two-line value included.
    expect(process.env.LOG_LEVEL).toBe('info');
    expect(process.env.MULTI).toBe('one\ntwo');
  });
});
