import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectCompleteDataDir, readManifestFile, runFetchCli, tempDataDir } from './helpers.js';
import { type PmcWorld, startPmcWorld, worldImages } from './pmc-world.js';

let world: PmcWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('mediconfusion data fetch', () => {
  it('downloads the four dataset files and all 228 images from the PMC cloud and records them in the manifest', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();

    const run = await runFetchCli(['--dir', dir], world.env);

    expect(run.code, run.out + run.err).toBe(0);
    await expectCompleteDataDir(dir, world);
    const manifest = await readManifestFile(dir);
    const first = world.images[0];
    if (!first) throw new Error('no images');
    expect(manifest.files[`images/${first.localId}.jpg`]?.source).toBe(
      `${world.sources.pmcCloudUrl}/${first.article}.1/${first.fileName}`,
    );
    expect(manifest.files['dataset.json']?.source).toBe(`${world.sources.datasetUrl}/dataset.json`);
    expect(run.out).toMatch(/dataset files: 4 downloaded/);
    expect(run.out).toMatch(/images: +228 downloaded \(228 from PMC cloud\), 0 already present, 0 failed/);
    // Not a terminal: progress is a few plain lines, not a bar.
    expect(run.err).toMatch(/images: 228\/228/);
    expect(run.err).not.toContain(String.fromCharCode(27));
  });

  it('with --sources naming pmc-legacy (a mirror of the old packages), falls back to it, reading each package once', async () => {
    const sample = await worldImages();
    const multiFigure = sample.filter(
      (image) => sample.filter((other) => other.article === image.article).length > 1,
    );
    const gone = new Set([
      ...sample.slice(0, 5).map((image) => image.article),
      multiFigure[0]?.article ?? '',
    ]);
    world = await startPmcWorld({ notInCloud: gone });
    const dir = await tempDataDir();

    const run = await runFetchCli(['--dir', dir, '--sources', 'pmc-cloud,pmc-legacy'], world.env);

    expect(run.code, run.out + run.err).toBe(0);
    await expectCompleteDataDir(dir, world);
    const manifest = await readManifestFile(dir);
    const fallen = world.images.filter((image) => gone.has(image.article));
    expect(fallen.length).toBeGreaterThan(gone.size);
    for (const image of fallen) {
      expect(manifest.files[`images/${image.localId}.jpg`]?.source).toBe(
        `${world.sources.pmcLegacyUrl}/${image.legacyPackage}#${image.article}/${image.fileName}`,
      );
      expect(world.server.count(world.legacyPath(image)), image.legacyPackage).toBe(1);
    }
    const untouched = world.images.find((image) => !gone.has(image.article));
    if (untouched) expect(world.server.count(world.legacyPath(untouched))).toBe(0);
    expect(run.out).toMatch(new RegExp(`${fallen.length} from legacy package`));
  });

  it('uses the newest article version that lists the figure, following a paginated listing', async () => {
    const articles = (await worldImages()).slice(10, 13).map((image) => image.article);
    world = await startPmcWorld({ figureOnlyInVersion1: articles, paginatedListing: articles.slice(0, 1) });
    const dir = await tempDataDir();

    const run = await runFetchCli(['--dir', dir, '--only', 'dataset'], world.env);
    expect(run.code).toBe(0);
    const images = await runFetchCli(['--dir', dir, '--only', 'images'], world.env);

    expect(images.code, images.out + images.err).toBe(0);
    await expectCompleteDataDir(dir, world);
    for (const article of articles) {
      expect(world.server.count(world.metadataPath(article, 2))).toBe(1);
      expect(world.server.count(world.metadataPath(article, 1))).toBe(1);
    }
    expect(world.listings(articles[0] as string)).toBe(2);
  });

  it('reports a corrupt image on disk and fetches only that one again', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();
    expect((await runFetchCli(['--dir', dir], world.env)).code).toBe(0);
    const victim = world.images[7];
    if (!victim) throw new Error('no images');
    const file = path.join(dir, 'images', `${victim.localId}.jpg`);
    await truncate(file, Math.floor(world.jpeg(victim.localId).length / 2));
    world.server.resetCounts();

    const run = await runFetchCli(['--dir', dir], world.env);

    expect(run.code, run.out + run.err).toBe(0);
    expect(run.err).toMatch(
      new RegExp(`images/${victim.localId}\\.jpg was corrupt \\(.+\\); fetching it again`),
    );
    expect(run.out).toContain(`images/${victim.localId}.jpg was corrupt`);
    expect(run.out).toMatch(/images: +1 downloaded \(1 from PMC cloud\), 227 already present, 0 failed/);
    expect(world.server.count(world.figurePath(victim))).toBe(1);
    const fetched = [...world.server.counts().keys()].filter((target) => !target.startsWith('/s3/?'));
    expect(fetched.sort()).toEqual([world.figurePath(victim), world.metadataPath(victim.article)].sort());
    await expectCompleteDataDir(dir, world);
  });

  it('downloads again a file whose bytes no longer match the manifest', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();
    expect((await runFetchCli(['--dir', dir], world.env)).code).toBe(0);
    const swapped = world.images[0];
    const other = world.images[1];
    if (!swapped || !other) throw new Error('no images');
    await writeFile(path.join(dir, 'images', `${swapped.localId}.jpg`), world.jpeg(other.localId));
    world.server.resetCounts();

    const run = await runFetchCli(['--dir', dir], world.env);

    expect(run.code).toBe(0);
    expect(run.out).toContain(`images/${swapped.localId}.jpg had changed since it was fetched`);
    expect(world.server.count(world.figurePath(swapped))).toBe(1);
    await expectCompleteDataDir(dir, world);
  });

  it('does not trust an image put in place by hand, and suggests --from for next time', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();
    const handmade = world.images[9];
    if (!handmade) throw new Error('no images');
    await mkdir(path.join(dir, 'images'), { recursive: true });
    await writeFile(path.join(dir, 'images', `${handmade.localId}.jpg`), world.jpeg(handmade.localId));

    const run = await runFetchCli(['--dir', dir], world.env);

    expect(run.code).toBe(0);
    expect(world.server.count(world.figurePath(handmade))).toBe(1);
    expect(run.out).toContain('1 file(s) already on disk were not recorded in manifest.json');
    expect(run.out).toContain('--from DIR');
    await expectCompleteDataDir(dir, world);
  });

  it('imports images from --from DIR (official images folder and ROCO checkout) without downloading them', async () => {
    world = await startPmcWorld();
    const from = path.join(path.dirname(await tempDataDir()), 'mine');
    const half = Math.floor(world.images.length / 2);
    for (const [i, image] of world.images.entries()) {
      const target =
        i < half
          ? path.join(from, 'data', 'images', `${image.localId}.jpg`)
          : path.join(from, 'data', ...image.rocoPath.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, world.jpeg(image.localId));
    }
    const dir = await tempDataDir();

    const run = await runFetchCli(['--dir', dir, '--from', from], world.env);

    expect(run.code, run.out + run.err).toBe(0);
    await expectCompleteDataDir(dir, world);
    expect(run.out).toMatch(/images: +228 downloaded \(228 from local folder\)/);
    const s3 = [...world.server.counts().keys()].filter(
      (target) => target.startsWith('/s3') || target.startsWith('/legacy'),
    );
    expect(s3).toEqual([]);
    const manifest = await readManifestFile(dir);
    const last = world.images.at(-1);
    if (!last) throw new Error('no images');
    expect(manifest.files[`images/${last.localId}.jpg`]?.source).toBe(
      `file://${path.join(from, 'data', ...last.rocoPath.split('/'))}`,
    );
  });

  it('counts an unreachable dataset source as four failed files and no image attempted, not as five files', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();

    const run = await runFetchCli(['--dir', dir], {
      ...world.env,
      MEDICONFUSION_DATASET_URL: 'http://127.0.0.1:9/nothing-listens-here',
      MEDICONFUSION_STATISTICS_URL: 'http://127.0.0.1:9/statistics.json',
      MEDICONFUSION_PROMPTS_URL: 'http://127.0.0.1:9/answering.json',
    });

    expect(run.code).toBe(1);
    expect(run.err).toMatch(/dataset files: 4\/4 \(0 downloaded, 0 present, 4 failed\)/);
    expect(run.err).toMatch(/images: 1\/1/);
    expect(run.err).not.toContain('5/4');
  });

  it('says what to do when --only images runs before the dataset files exist', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();

    const run = await runFetchCli(['--dir', dir, '--only', 'images'], world.env);

    expect(run.code).toBe(1);
    expect(run.err).toMatch(/image_dict\.json is missing.*data fetch/);
    expect(world.server.counts().size).toBe(0);
  });

  it('rejects a --from folder that does not exist', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();

    const run = await runFetchCli(['--dir', dir, '--from', path.join(dir, 'nowhere')], world.env);

    expect(run.code).toBe(1);
    expect(run.err).toMatch(/--from .*nowhere: no such folder/);
  });

  it('rejects a concurrency outside 1-64 as a usage error', async () => {
    world = await startPmcWorld();
    const run = await runFetchCli(['--concurrency', '0'], world.env);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--concurrency.*1 to 64/);
  });

  it('names the damaged manifest and how to recover instead of guessing', async () => {
    world = await startPmcWorld();
    const dir = await tempDataDir();
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ version: 1, files: { 'x.json': { bytes: -1 } } }),
    );

    const run = await runFetchCli(['--dir', dir], world.env);

    expect(run.code).toBe(1);
    expect(run.err).toContain(
      `${path.join(dir, 'manifest.json')} is not a data fetch manifest at files.x.json`,
    );
    expect(await readFile(path.join(dir, 'manifest.json'), 'utf8')).toContain('"bytes":-1');
  });
});
