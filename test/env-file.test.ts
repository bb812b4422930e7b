import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
