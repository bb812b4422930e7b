import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MIN_SECRET_LENGTH,
  Pseudonymizer,
  resolveBaselineSecret,
  storedBaselineSecret,
} from '../../src/baseline/pseudonym.js';
import { loadConfig } from '../../src/config.js';
import { type BaselineHarness, openBaseline } from './harness.js';

let h: BaselineHarness;
beforeEach(async () => {
  h = await openBaseline();
});
afterEach(async () => {
  await h.close();
});

describe('pseudonyms', () => {
  it('are HMAC-SHA256 hex of the user id: stable for a secret, different for another', () => {
    const a = new Pseudonymizer('secret-number-one-0123456789');
    const b = new Pseudonymizer('secret-number-two-0123456789');
    const id = a.pseudonymOf('123456789012345678');
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(a.pseudonymOf('123456789012345678')).toBe(id);
    expect(new Pseudonymizer('secret-number-one-0123456789').pseudonymOf('123456789012345678')).toBe(id);
    expect(b.pseudonymOf('123456789012345678')).not.toBe(id);
    expect(a.pseudonymOf('123456789012345679')).not.toBe(id);
  });
});

describe('the deployment secret', () => {
  it('comes from BASELINE_SECRET when set', async () => {
    const config = loadConfig({ BASELINE_SECRET: 'configured-secret-0123456789' });
    expect(config.baselineSecret).toBe('configured-secret-0123456789');
    expect(loadConfig({}).baselineSecret).toBeNull();
    expect(
      await resolveBaselineSecret({ configured: config.baselineSecret, whenMissing: 'fail', store: h.store }),
    ).toBe('configured-secret-0123456789');
  });

  it('refuses a short secret without showing it', async () => {
    const short = 'tiny-secret';
    const attempt = resolveBaselineSecret({ configured: short, whenMissing: 'fail', store: h.store });
    await expect(attempt).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(`at least ${MIN_SECRET_LENGTH}`),
    });
    await attempt.catch((err: Error) => expect(err.message).not.toContain(short));
  });

  it('fails naming BASELINE_SECRET when it is missing and must not be generated', async () => {
    await expect(
      resolveBaselineSecret({ configured: null, whenMissing: 'fail', store: h.store }),
    ).rejects.toMatchObject({
      code: 'CONFIG_MISSING',
      message: expect.stringMatching(/^BASELINE_SECRET is not set/),
    });
    await expect(storedBaselineSecret(h.store)).rejects.toMatchObject({ code: 'CONFIG_MISSING' });
  });

  it('for local development, is generated once and kept in the store', async () => {
    const first = await resolveBaselineSecret({ configured: null, whenMissing: 'store', store: h.store });
    const second = await resolveBaselineSecret({ configured: null, whenMissing: 'store', store: h.store });
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(await storedBaselineSecret(h.store)).toBe(first);
    // Exports still insist on an explicit choice, and say how to use the stored one.
    await expect(
      resolveBaselineSecret({ configured: null, whenMissing: 'fail', store: h.store }),
    ).rejects.toThrow(/--store-secret/);
  });
});
