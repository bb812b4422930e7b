import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIVE_PROBE_ENV_VARIABLES, loadLiveProbeConfig } from '../../src/config.js';
import { UserFacingError } from '../../src/errors.js';
import { ROOT } from '../support/paths.js';

describe('live-probe configuration', () => {
  it('defaults to a 30 s cooldown and 200 requests or 1 USD per server per day', () => {
    expect(loadLiveProbeConfig({})).toEqual({ cooldownSeconds: 30, dailyRequests: 200, dailyCostUsd: 1 });
  });

  it('reads the three variables, an empty one keeping its default', () => {
    expect(
      loadLiveProbeConfig({
        LIVE_PROBE_COOLDOWN_SECONDS: '5',
        LIVE_PROBE_DAILY_REQUESTS: '',
        LIVE_PROBE_DAILY_COST_USD: '0.25',
      }),
    ).toEqual({ cooldownSeconds: 5, dailyRequests: 200, dailyCostUsd: 0.25 });
  });

  it('names the variable and the value when one is invalid', () => {
    let error: unknown;
    try {
      loadLiveProbeConfig({ LIVE_PROBE_DAILY_REQUESTS: 'plenty' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).message).toMatch(/LIVE_PROBE_DAILY_REQUESTS: .*\(got "plenty"\)/);
  });

  it('documents every variable in .env.example', () => {
    const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    expect(LIVE_PROBE_ENV_VARIABLES).toHaveLength(3);
    for (const name of LIVE_PROBE_ENV_VARIABLES) {
      expect(example, `.env.example lacks ${name}`).toMatch(new RegExp(`^#?\\s*${name}=`, 'm'));
    }
  });
});
