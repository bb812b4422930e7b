import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { type FetchDataOptions, fetchData, type ItemResult } from '../../src/fetch/fetch-data.js';
import { countItems } from '../../src/fetch/summary.js';
import { expectCompleteDataDir, readManifestFile, tempDataDir } from './helpers.js';
import { type PmcWorld, startPmcWorld } from './pmc-world.js';

let world: PmcWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Retries without the real backoff delays, so the tests stay quick. */
const FAST_RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 5, factor: 2, maxRetryAfterMs: 50 };

function options(
  dataDir: string,
  current: PmcWorld,
  extra: Partial<FetchDataOptions> = {},
): FetchDataOptions {
  return { dataDir, sources: current.sources, concurrency: 4, http: { retry: FAST_RETRY }, ...extra };
}

describe('fetchData', () => {
  it('resumes an interrupted fetch without downloading anything it had finished', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();
    const controller = new AbortController();
    let downloadedImages = 0;

    const first = await fetchData(
      options(dir, world, {
        concurrency: 2,
        signal: controller.signal,
        observer: {
          item: (result: ItemResult) => {
            if (result.phase === 'images' && result.status === 'downloaded' && ++downloadedImages === 40) {
              controller.abort(new Error('test stops here'));
            }
          },
        },
      }),
    );

    expect(first.interrupted).toBe(true);
    const counts = countItems(first.items, 'images');
    expect(counts.downloaded).toBeGreaterThanOrEqual(40);
    expect(counts.downloaded).toBeLessThan(100);
    expect(counts.interrupted).toBe(228 - counts.downloaded);
    expect(counts.failed).toBe(0);
    // Only finished files are on disk, each recorded and whole; no scratch files are left.
    const manifest = await readManifestFile(dir);
    const finished = Object.keys(manifest.files).filter((key) => key.startsWith('images/'));
    expect(finished).toHaveLength(counts.downloaded);
    const onDisk = (await readdir(path.join(dir, 'images'))).map((name) => `images/${name}`);
    expect(onDisk.sort()).toEqual([...finished].sort());
    for (const file of onDisk) await sharp(path.join(dir, file), { failOn: 'truncated' }).raw().toBuffer();
    expect((await readdir(dir)).filter((name) => name.startsWith('.fetch-tmp-'))).toEqual([]);

    world.server.resetCounts();
    const second = await fetchData(options(dir, world));

    expect(second.interrupted).toBe(false);
    expect(countItems(second.items, 'images')).toMatchObject({ skipped: counts.downloaded, failed: 0 });
    expect(countItems(second.items, 'dataset')).toMatchObject({ skipped: 4 });
    await expectCompleteDataDir(dir, world);
    for (const image of world.images) {
      const expected = finished.includes(`images/${image.localId}.jpg`) ? 0 : 1;
      expect(world.server.count(world.figurePath(image)), image.localId).toBe(expected);
    }
    for (const name of [
      '/hf/dataset.json',
      '/hf/image_dict.json',
      '/gh/statistics.json',
      '/gh/answering.json',
    ]) {
      expect(world.server.count(name), name).toBe(0);
    }
  });

  it('retries 500s, 429s with retry-after, dropped connections and bodies cut short', async () => {
    world = await startPmcWorld();
    const [a, b, c, d] = world.images;
    if (!a || !b || !c || !d) throw new Error('no images');
    world.server.failFirst(world.figurePath(a), 2, 500);
    world.server.failFirst(world.metadataPath(b.article), 1, 429, { 'retry-after': '0' });
    world.server.dropFirst(world.figurePath(c), 1);
    world.server.truncateFirst(world.figurePath(d), 1);
    world.server.failFirst('/hf/dataset.json', 1, 503);
    const dir = await tempDataDir();

    const summary = await fetchData(options(dir, world));

    expect(countItems(summary.items)).toMatchObject({ downloaded: 232, failed: 0 });
    await expectCompleteDataDir(dir, world);
    expect(world.server.count(world.figurePath(a))).toBe(3);
    expect(world.server.count(world.metadataPath(b.article))).toBe(2);
    expect(world.server.count(world.figurePath(c))).toBe(2);
    expect(world.server.count(world.figurePath(d))).toBe(2);
    expect(world.server.count('/hf/dataset.json')).toBe(2);
  });

  it('abandons a request that stalls and tries it again', async () => {
    world = await startPmcWorld();
    const slow = world.images[2];
    if (!slow) throw new Error('no images');
    world.server.stallFirst(world.figurePath(slow), 1);
    const dir = await tempDataDir();

    const summary = await fetchData(
      options(dir, world, { http: { retry: FAST_RETRY, idleTimeoutMs: 1000 } }),
    );

    expect(countItems(summary.items)).toMatchObject({ downloaded: 232, failed: 0 });
    expect(world.server.count(world.figurePath(slow))).toBe(2);
    await expectCompleteDataDir(dir, world);
  });

  it('gives up on a figure that keeps failing after the retries, tries the next source, and says so', async () => {
    world = await startPmcWorld();
    const stubborn = world.images[5];
    if (!stubborn) throw new Error('no images');
    world.server.failFirst(world.figurePath(stubborn), 100, 503);
    world.server.failFirst(world.mirrorPath(stubborn), 100, 502);
    const dir = await tempDataDir();

    const summary = await fetchData(options(dir, world));

    const result = summary.items.find((item) => item.path === `images/${stubborn.localId}.jpg`);
    expect(result?.status).toBe('failed');
    expect(result?.attempts).toEqual([
      {
        source: 'PMC cloud',
        url: `${world.sources.pmcCloudUrl}/${stubborn.article}.1/${stubborn.fileName}`,
        reason: 'HTTP 503 Service Unavailable (after 4 attempts)',
      },
      {
        source: 'ROCO mirror',
        url: `${world.server.url}${world.mirrorPath(stubborn)}`,
        reason: 'downloading the image failed: HTTP 502 Bad Gateway (after 4 attempts)',
      },
    ]);
    expect(world.server.count(world.figurePath(stubborn))).toBe(4);
    const others = world.images.filter((image) => image.article !== stubborn.article);
    expect(countItems(summary.items, 'images').downloaded).toBe(others.length);
  });

  it('does not retry a 404', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();
    world.server.removeRoute('/gh/statistics.json');

    const summary = await fetchData(options(dir, world, { only: 'dataset' }));

    const statistics = summary.items.find((item) => item.path === 'statistics.json');
    expect(statistics?.status).toBe('failed');
    expect(statistics?.attempts[0]?.reason).toBe('HTTP 404 Not Found');
    expect(world.server.count('/gh/statistics.json')).toBe(1);
  });

  it('refuses a dataset file that is not in the official format and keeps no copy of it', async () => {
    world = await startPmcWorld();
    world.server.route('/hf/image_dict.json', JSON.stringify({ 'train/x.jpg': { local: 1, dlink: 'x' } }));
    const dir = await tempDataDir();

    const summary = await fetchData(options(dir, world));

    const dict = summary.items.find((item) => item.path === 'image_dict.json');
    expect(dict?.status).toBe('failed');
    expect(dict?.attempts[0]?.reason).toMatch(/not in the expected format at train\/x\.jpg\.file_name/);
    expect((await readdir(dir)).sort()).toEqual([
      'answering-prompts.json',
      'dataset.json',
      'manifest.json',
      'statistics.json',
    ]);
    const images = summary.items.filter((item) => item.phase === 'images');
    expect(images).toHaveLength(1);
    expect(images[0]?.attempts[0]?.reason).toMatch(/image_dict\.json could not be fetched/);
  });

  it('downloads everything again with force, even verified files', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();
    await fetchData(options(dir, world));
    world.server.resetCounts();

    const summary = await fetchData(options(dir, world, { force: true }));

    expect(countItems(summary.items)).toMatchObject({ downloaded: 232, skipped: 0 });
    const first = world.images[0];
    if (!first) throw new Error('no images');
    expect(world.server.count(world.figurePath(first))).toBe(1);
    await expectCompleteDataDir(dir, world);
  });
});
