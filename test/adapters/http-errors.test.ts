import { describe, expect, it } from 'vitest';
import {
  failedResult,
  isRetryableStatus,
  parseRetryAfterMs,
  scrubSecrets,
} from '../../src/adapters/http-errors.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const wait = (headers: Record<string, string>, status = 429) =>
  parseRetryAfterMs(new Headers(headers), status, NOW);

describe('retry-after parsing', () => {
  it('reads retry-after-ms as milliseconds', () => {
    expect(wait({ 'retry-after-ms': '1500' })).toBe(1500);
  });

  it('reads retry-after as seconds, fractions included', () => {
    expect(wait({ 'retry-after': '20' })).toBe(20_000);
    expect(wait({ 'retry-after': '0.5' })).toBe(500);
  });

  it('reads retry-after as an HTTP date', () => {
    expect(wait({ 'retry-after': 'Sat, 01 Mar 2025 12:00:30 GMT' })).toBe(30_000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(wait({ 'retry-after': 'Sat, 01 Mar 2025 11:59:00 GMT' })).toBe(0);
  });

  it('prefers retry-after-ms, then retry-after, then reset headers', () => {
    expect(wait({ 'retry-after-ms': '100', 'retry-after': '9', 'x-ratelimit-reset-requests': '1m' })).toBe(
      100,
    );
    expect(wait({ 'retry-after': '9', 'x-ratelimit-reset-requests': '1m' })).toBe(9000);
  });

  it('reads OpenAI reset durations such as 20ms, 6m0s and 1h2m3.5s', () => {
    expect(wait({ 'x-ratelimit-reset-requests': '20ms' })).toBe(20);
    expect(wait({ 'x-ratelimit-reset-requests': '6m0s' })).toBe(360_000);
    expect(wait({ 'x-ratelimit-reset-tokens': '1h2m3.5s' })).toBe(3_723_500);
  });

  it('takes the longest of several reset headers, not knowing which limit was hit', () => {
    expect(wait({ 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-reset-tokens': '45s' })).toBe(45_000);
  });

  it('reads Anthropic reset timestamps (RFC 3339)', () => {
    expect(wait({ 'anthropic-ratelimit-requests-reset': '2025-03-01T12:00:10Z' })).toBe(10_000);
  });

  it('reads x-ratelimit-reset as epoch milliseconds, epoch seconds or seconds from now', () => {
    expect(wait({ 'x-ratelimit-reset': String(NOW + 4000) })).toBe(4000);
    expect(wait({ 'x-ratelimit-reset': String(NOW / 1000 + 4) })).toBe(4000);
    expect(wait({ 'x-ratelimit-reset': '4' })).toBe(4000);
  });

  it('ignores reset headers outside a 429, where they describe quota rather than a wait', () => {
    expect(wait({ 'x-ratelimit-reset-requests': '6m0s' }, 500)).toBeUndefined();
    expect(wait({ 'retry-after': '3' }, 503)).toBe(3000);
  });

  it('returns undefined when the server says nothing usable', () => {
    expect(wait({})).toBeUndefined();
    expect(wait({ 'retry-after': 'soon' })).toBeUndefined();
  });
});

describe('failure classification', () => {
  it.each([408, 409, 429, 500, 502, 503, 504, 529])('retries status %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([400, 401, 402, 403, 404, 413, 422])('does not retry status %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });

  it('lets x-should-retry override the status', () => {
    const headers = new Headers({ 'x-should-retry': 'false' });
    expect(failedResult({ kind: 'http', status: 503, headers, message: 'maintenance' }, 1, [])).toMatchObject(
      {
        retryable: false,
      },
    );
    const retry = new Headers({ 'x-should-retry': 'true' });
    expect(failedResult({ kind: 'http', status: 400, headers: retry, message: 'x' }, 1, [])).toMatchObject({
      retryable: true,
    });
  });

  it('scrubs every secret from the error text', () => {
    const result = failedResult(
      { kind: 'http', status: 401, headers: undefined, message: 'bad key sk-abcdef for org secret-org-id' },
      1,
      ['sk-abcdef', 'secret-org-id'],
    );
    expect(result.error).toBe('bad key [redacted] for org [redacted]');
  });

  it('leaves very short "secrets" alone rather than mangling the message', () => {
    expect(scrubSecrets('a bad request', ['a', ''])).toBe('a bad request');
  });
});
