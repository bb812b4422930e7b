import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/fetch/http.js';
import { planImages } from '../../src/fetch/image-plan.js';
import { findMedia, parseMediaUrl } from '../../src/fetch/sources/pmc-cloud.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';
import { startStaticServer } from '../support/static-server.js';

describe('retry-after', () => {
  it('reads delay-seconds and HTTP dates as milliseconds', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0')).toBe(0);
    const now = Date.parse('2026-05-01T10:00:00Z');
    expect(parseRetryAfter('Fri, 01 May 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Fri, 01 May 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or unreadable header', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('PMC cloud metadata', () => {
  const media = [
    's3://pmc-oa-opendata/PMC3284869.1/1752-1947-6-45-1.jpg?md5=aaaa',
    's3://pmc-oa-opendata/PMC3284869.1/1752-1947-6-45-2.JPG?md5=bbbb',
    'https://example.org/not-a-bucket-object.jpg',
  ];

  it('reads the object key, file name and MD5 of a media URL', () => {
    expect(parseMediaUrl(media[0] as string)).toEqual({
      key: 'PMC3284869.1/1752-1947-6-45-1.jpg',
      fileName: '1752-1947-6-45-1.jpg',
      md5: 'aaaa',
    });
    expect(parseMediaUrl(media[2] as string)).toBeNull();
  });

  it('finds the figure by its file name, tolerating only a different case', () => {
    expect(findMedia(media, '1752-1947-6-45-1.jpg')?.md5).toBe('aaaa');
    expect(findMedia(media, '1752-1947-6-45-2.jpg')?.key).toBe('PMC3284869.1/1752-1947-6-45-2.JPG');
    expect(findMedia(media, '1752-1947-6-45-3.jpg')).toBeNull();
    expect(findMedia(media, 'not-a-bucket-object.jpg')).toBeNull();
  });
});

describe('image plan', () => {
  it('names each image by its local id and keeps the legacy package path of its link', () => {
    const { jobs, unusable } = planImages({
      'train/radiology/images/ROCO_28778.jpg': {
        local: 20192,
        dlink: 'ftp://ftp.ncbi.nlm.nih.gov/pub/pmc/oa_package/25/da/PMC3284869.tar.gz',
        file_name: '1752-1947-6-45-2.jpg',
      },
      'train/radiology/images/ROCO_1.jpg': {
        local: 1,
        dlink: 'ftp://example.org/elsewhere.tar.gz',
        file_name: 'a.jpg',
      },
    });
    expect(jobs).toEqual([
      {
        localId: '20192',
        rocoPath: 'train/radiology/images/ROCO_28778.jpg',
        article: 'PMC3284869',
        fileName: '1752-1947-6-45-2.jpg',
        legacyPackage: '25/da/PMC3284869.tar.gz',
        target: 'images/20192.jpg',
      },
    ]);
    expect(unusable).toEqual([
      {
        rocoPath: 'train/radiology/images/ROCO_1.jpg',
        reason: expect.stringContaining('names no PMC article'),
      },
    ]);
  });
});

describe('static test server', () => {
  it('counts requests per path or exact target and fails the first N as asked', async () => {
    const server = await startStaticServer({
      routes: { '/a': 'hello', '/h': ({ url }) => ({ body: url.search }) },
    });
    try {
      server.failFirst('/a', 1, 429, { 'retry-after': '7' });
      const first = await fetch(`${server.url}/a`);
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('7');
      await first.text();
      expect(await (await fetch(`${server.url}/a`)).text()).toBe('hello');
      expect(await (await fetch(`${server.url}/h?x=1`)).text()).toBe('?x=1');
      expect((await fetch(`${server.url}/missing`)).status).toBe(404);
      expect(server.count('/a')).toBe(2);
      expect(server.count('/h')).toBe(1);
      expect(server.count('/h?x=1')).toBe(1);
      expect(server.count('/h?x=2')).toBe(0);
      server.dropFirst('/a', 1);
      await expect(fetch(`${server.url}/a`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('serves a folder, and nothing outside it', async () => {
    const server = await startStaticServer({ dir: SHARED_DATASET_DIR });
    try {
      const response = await fetch(`${server.url}/statistics.json`);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(
        await readFile(path.join(SHARED_DATASET_DIR, 'statistics.json')),
      );
      expect((await fetch(`${server.url}/%2e%2e/mediconfusion/statistics.json`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
