import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISCORD_ENV_VARIABLES, ENV_VARIABLES, LIVE_PROBE_ENV_VARIABLES, loadConfig } from '../src/config.js';
import { UserFacingError } from '../src/errors.js';

const root = path.resolve(import.meta.dirname, '..');

describe('configuration', () => {
  it('uses embedded defaults when the environment is empty', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.storeUrl).toBe('sqlite://data/store.sqlite');
    expect(config.dataDir).toBe('/srv/app/data/mediconfusion');
    expect(config.fetchConcurrency).toBe(8);
  });

  it('treats an empty variable as unset so a blank line from .env.example keeps the default', () => {
    expect(loadConfig({ FETCH_CONCURRENCY: '' }).fetchConcurrency).toBe(8);
  });

  it('names the variable, the problem and the value it got when a variable is invalid', () => {
    let error: unknown;
    try {
      loadConfig({ FETCH_CONCURRENCY: 'lots', PMC_CLOUD_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserFacingError);
    const message = (error as UserFacingError).message;
    expect(message).toMatch(/FETCH_CONCURRENCY: .*\(got "lots"\)/);
    expect(message).toMatch(/PMC_CLOUD_URL: .*\(got "not a url"\)/);
  });

  it('documents every variable it reads in .env.example and the README', () => {
    const example = readFileSync(path.join(root, '.env.example'), 'utf8');
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const name of [...ENV_VARIABLES, ...DISCORD_ENV_VARIABLES, ...LIVE_PROBE_ENV_VARIABLES]) {
      expect(example, `.env.example lacks ${name}`).toMatch(new RegExp(`^#?\\s*${name}=`, 'm'));
      expect(readme, `README lacks ${name}`).toContain(`\`${name}\``);
    }
  });
});
