import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { whyImagesAreMissing } from '../../src/fetch/status.js';
import { runCliCaptured } from '../support/cli.js';
import { expectCompleteDataDir, readManifestFile, runFetchCli, tempDataDir } from './helpers.js';
import { type PmcWorld, startPmcWorld, type WorldImage, worldImages } from './pmc-world.js';

/**
 * Where images come from after NLM's FTP retirement: the PMC cloud first, then a ROCO mirror (Hugging
 * Face's dataset viewer), the legacy packages only when asked for; what a fetch says about an image no
 * source has, and `data status` saying the same later.
 */

let world: PmcWorld | undefined;

// The placeholder figures and packages are built once per file; not inside the first test's time.
beforeAll(async () => {
  await worldImages();
});

/** Each of these fetches all 228 images through loopback servers: generous on a loaded machine. */
const FETCH_TEST = { timeout: 120_000 };

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function status(dir: string, env: Record<string, string>, ...args: string[]) {
  return runCliCaptured(['data', 'status', '--dir', dir, ...args], env, tmpdir());
}

/** Figures of articles with several figures, so an article can be in the cloud while a figure is not. */
async function someFigures(n: number, offset = 0): Promise<WorldImage[]> {
  const images = await worldImages();
  return images.slice(20 + offset, 20 + offset + n);
}

describe('image sources', () => {
  it(
    'takes the figures the PMC cloud lacks from the ROCO mirror, and every image arrives',
    FETCH_TEST,
    async () => {
      const lacking = await someFigures(6);
      world = await startPmcWorld({ figuresNotInCloud: lacking.map((image) => image.localId) });
      const dir = await tempDataDir();

      const run = await runFetchCli(['--dir', dir], world.env);

      expect(run.code, run.out + run.err).toBe(0);
      await expectCompleteDataDir(dir, world);
      expect(run.out).toMatch(
        /images: +228 downloaded \(222 from PMC cloud, 6 from ROCO mirror\), 0 already present, 0 failed/,
      );
      const manifest = await readManifestFile(dir);
      for (const image of lacking) {
        expect(manifest.files[`images/${image.localId}.jpg`]?.source).toBe(
          `${world.server.url}${world.mirrorPath(image)}`,
        );
        expect(world.server.count(world.mirrorPath(image))).toBe(1);
      }
      expect(manifest.failures).toBeUndefined();
      // The legacy packages are off by default: NLM removed them.
      expect([...world.server.counts().keys()].filter((target) => target.startsWith('/legacy'))).toEqual([]);
      expect((await status(dir, world.env)).out).toContain('Every image is in place.');
    },
  );

  it(
    'names each image no source has with its article, licence, every source tried and what to do, and data status says the same',
    FETCH_TEST,
    async () => {
      const [restricted, gone] = [await someFigures(2), (await worldImages())[3]];
      if (!gone) throw new Error('no images');
      const goneFigures = (await worldImages()).filter((image) => image.article === gone.article);
      world = await startPmcWorld({
        figuresNotInCloud: restricted.map((image) => image.localId),
        notInCloud: [gone.article],
        notInMirror: [...restricted, ...goneFigures].map((image) => image.localId),
      });
      const dir = await tempDataDir();

      const run = await runFetchCli(['--dir', dir], world.env);

      expect(run.code).toBe(1);
      const failed = restricted.length + goneFigures.length;
      expect(run.out).toContain(`Failed (${failed}):`);
      for (const image of restricted) {
        expect(run.out).toContain(
          `images/${image.localId}.jpg (${image.rocoPath}, ${image.article}/${image.fileName})`,
        );
        expect(run.out).toContain(
          `article ${image.article}, licence NO-CC CODE (as PMC's article metadata states it)`,
        );
        expect(run.out).toContain(
          `PMC cloud: ${image.fileName} is not among the media files of ${image.article}.1 [${world.sources.pmcCloudUrl}/${image.article}.1/${image.article}.1.json]`,
        );
      }
      expect(run.out).toContain(`article ${gone.article}, licence unknown (no source stated it)`);
      expect(run.out).toContain(`PMC cloud: ${gone.article} is not in the bucket`);
      const roco = /ROCO_\d+/.exec(gone.rocoPath)?.[0];
      expect(run.out).toContain(
        `ROCO mirror: ${roco} is not in ${world.sources.rocoMirrorDataset} [${world.sources.rocoMirrorUrl}/filter?`,
      );
      expect(run.out).toMatch(/what to do: its article is not under a Creative Commons licence.*--from DIR/);
      expect(run.out).toMatch(
        /what to do: no source has it: .*--from DIR.*ROCO_MIRROR_DATASET.*PMC_LEGACY_URL/,
      );

      const manifest = await readManifestFile(dir);
      expect(Object.keys(manifest.failures ?? {}).sort()).toEqual(
        [...restricted, ...goneFigures].map((image) => `images/${image.localId}.jpg`).sort(),
      );
      expect(manifest.failures?.[`images/${gone.localId}.jpg`]?.attempts.map((a) => a.source)).toEqual([
        'PMC cloud',
        'ROCO mirror',
      ]);

      const later = await status(dir, world.env);
      expect(later.code).toBe(1);
      expect(later.out).toContain(`images: ${228 - failed} of 228 present, ${failed} missing`);
      expect(later.out).toMatch(
        /pairs: +\d+ of 176 complete \(both images present\); the quiz and `probe run` use only these/,
      );
      expect(later.out).toContain(`Missing images the last fetch could not have (${failed}):`);
      for (const line of run.out
        .split('\n')
        .filter((l) => /^ {4}(article|PMC cloud|ROCO mirror|what to do)/.test(l))) {
        expect(later.out).toContain(line);
      }
      // The short reason npm start gives on the console and the host view.
      const missingIds = [...restricted, ...goneFigures].map((image) => image.localId);
      expect(await whyImagesAreMissing(dir, missingIds)).toBe(`${failed} no source could provide`);
      const json = JSON.parse((await status(dir, world.env, '--json')).out) as {
        images: { missing: { path: string; article: string; licence: string | null; attempts: unknown[] }[] };
      };
      expect(json.images.missing.find((m) => m.path === `images/${gone.localId}.jpg`)).toMatchObject({
        article: gone.article,
        licence: null,
      });
    },
  );

  it('forgets a recorded failure once the image is had, e.g. imported with --from', FETCH_TEST, async () => {
    const lost = await someFigures(1);
    const image = lost[0];
    if (!image) throw new Error('no images');
    world = await startPmcWorld({
      figuresNotInCloud: [image.localId],
      notInMirror: [image.localId],
      mirrorPartial: true,
    });
    const dir = await tempDataDir();
    const first = await runFetchCli(['--dir', dir], world.env);
    expect(first.code).toBe(1);
    // An empty answer over part of the mirror is not taken for "the mirror lacks it".
    expect(first.out).toMatch(
      /ROCO mirror: ROCO_\d+ is not in the part of .* the dataset viewer searched \(it answered partial: true\)/,
    );
    const from = path.join(path.dirname(dir), 'copies');
    await mkdir(from, { recursive: true });
    await writeFile(path.join(from, `${image.localId}.jpg`), world.jpeg(image.localId));

    const run = await runFetchCli(['--dir', dir, '--only', 'images', '--from', from], world.env);

    expect(run.code, run.out).toBe(0);
    expect((await readManifestFile(dir)).failures).toBeUndefined();
    const later = await status(dir, world.env);
    expect(later.code).toBe(0);
    expect(later.out).toContain('images: 228 of 228 present, 0 missing');
    expect(later.out).toContain('pairs:  176 of 176 complete');
  });

  it(
    'tries the sources in the order --sources gives, then IMAGE_SOURCES, then the default',
    FETCH_TEST,
    async () => {
      world = await startPmcWorld();
      const dir = await tempDataDir();
      expect((await runFetchCli(['--dir', dir, '--only', 'dataset'], world.env)).code).toBe(0);

      const byEnv = await runFetchCli(['--dir', dir, '--only', 'images'], {
        ...world.env,
        IMAGE_SOURCES: 'roco-mirror',
      });
      expect(byEnv.out).toMatch(/228 downloaded \(228 from ROCO mirror\)/);

      await rm(path.join(dir, 'images'), { recursive: true });
      const byOption = await runFetchCli(
        ['--dir', dir, '--only', 'images', '--sources', 'pmc-legacy,pmc-cloud'],
        {
          ...world.env,
          IMAGE_SOURCES: 'roco-mirror',
        },
      );
      expect(byOption.out).toMatch(/228 downloaded \(228 from legacy package\)/);
    },
  );

  it('rejects an unknown or repeated source name, naming the known ones', async () => {
    world = await startPmcWorld();
    const unknown = await runFetchCli(['--sources', 'pmc-cloud,ftp'], world.env);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(
      'unknown image source "ftp". Use some of: pmc-cloud, roco-mirror, pmc-legacy',
    );
    const twice = await runFetchCli(['--sources', 'roco-mirror,roco-mirror'], world.env);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('names "roco-mirror" twice');
    const env = await runFetchCli([], { ...world.env, IMAGE_SOURCES: 'cloud' });
    expect(env.code).toBe(1);
    expect(env.err).toContain('IMAGE_SOURCES: unknown image source "cloud"');
  });

  it('imports an older ROCO checkout whose files are named <PMC id>_<figure file>', FETCH_TEST, async () => {
    world = await startPmcWorld();
    const from = path.join(path.dirname(await tempDataDir()), 'roco-dataset');
    for (const image of world.images) {
      const folder = path.join(from, 'data', ...image.rocoPath.split('/').slice(0, -1));
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, `${image.article}_${image.fileName}`), world.jpeg(image.localId));
    }
    const dir = await tempDataDir();

    const run = await runFetchCli(['--dir', dir, '--from', from], world.env);

    expect(run.code, run.out + run.err).toBe(0);
    await expectCompleteDataDir(dir, world);
    expect(run.out).toMatch(/images: +228 downloaded \(228 from local folder\)/);
    expect(
      [...world.server.counts().keys()].filter((t) => t.startsWith('/s3') || t.startsWith('/hf-viewer/')),
    ).toEqual([]);
  });
});
