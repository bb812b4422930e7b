import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/errors.js';
import { openStore } from '../../src/store/index.js';
import { parseStoreUrl, redactUrl } from '../../src/store/store-url.js';

describe('parseStoreUrl', () => {
  it('resolves a relative sqlite path against the given folder', () => {
    expect(parseStoreUrl('sqlite://data/store.sqlite', '/srv/bot')).toMatchObject({
      backend: 'sqlite',
      filename: path.resolve('/srv/bot', 'data/store.sqlite'),
    });
  });

  it('keeps an absolute sqlite path and the in-memory name as they are', () => {
    expect(parseStoreUrl('sqlite:///var/lib/bot/store.sqlite', '/srv/bot')).toMatchObject({
      filename: '/var/lib/bot/store.sqlite',
    });
    expect(parseStoreUrl('sqlite://:memory:', '/srv/bot')).toMatchObject({ filename: ':memory:' });
  });

  it('recognises redis, rediss, postgres and postgresql URLs', () => {
    expect(parseStoreUrl('redis://127.0.0.1:6379/2', '/').backend).toBe('redis');
    expect(parseStoreUrl('rediss://cache.example:6380', '/').backend).toBe('redis');
    expect(parseStoreUrl('postgres://u@db/app', '/').backend).toBe('postgres');
    expect(parseStoreUrl('postgresql://u@db/app', '/').backend).toBe('postgres');
  });

  it('rejects an unknown scheme naming STORE_URL and the accepted schemes, without echoing the URL', () => {
    const attempt = () => parseStoreUrl('mysql://root:s3cret@db/app', '/');
    expect(attempt).toThrow(UserFacingError);
    expect(attempt).toThrow(
      'STORE_URL uses the unsupported scheme "mysql:"; accepted schemes: sqlite://, redis://, rediss://, postgres://, postgresql://',
    );
  });

  it('rejects a value with no scheme and a sqlite URL with no path', () => {
    expect(() => parseStoreUrl('data/store.sqlite', '/')).toThrow(/STORE_URL has no scheme/);
    expect(() => parseStoreUrl('sqlite://', '/')).toThrow(/no file path/);
  });

  it('is what openStore uses, so a bad URL fails with code STORE_URL_INVALID', async () => {
    await expect(openStore('memcached://127.0.0.1:11211')).rejects.toMatchObject({
      code: 'STORE_URL_INVALID',
    });
  });
});

describe('redactUrl', () => {
  it('replaces the password and keeps the rest', () => {
    expect(redactUrl('postgres://bot:pa55@db.internal:5432/quiz')).toBe(
      'postgres://bot:***@db.internal:5432/quiz',
    );
    expect(redactUrl('redis://:pa55@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0');
  });

  it('replaces secret-looking query parameters', () => {
    const redacted = redactUrl('postgres://db/quiz?sslmode=require&password=pa55&sslkey=/k.pem');
    expect(redacted).not.toContain('pa55');
    expect(redacted).not.toContain('k.pem');
    expect(redacted).toContain('sslmode=require');
  });

  it('shows only the scheme of a URL it cannot parse', () => {
    expect(redactUrl('postgres://bot:pa55@[broken')).toBe('postgres://***');
  });
});
