import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { findImageFile, imageCandidates, verifyImageFile } from '../../src/dataset/images.js';
import type { PairImage } from '../../src/dataset/model.js';
import { placeholderJpeg } from '../support/placeholder-images.js';
import { removeAfterTest } from './data-dirs.js';

const ROCO = 'train/radiology/images/ROCO_28778.jpg';

function officialImage(overrides: Partial<PairImage> = {}): PairImage {
  return {
    localId: '20192',
    rocoPath: ROCO,
    pmcArticle: null,
    figureFile: null,
    file: null,
    caption: '',
    categories: ['Cerebral'],
    correct: 'A',
    ...overrides,
  };
}

async function tempDir(): Promise<string> {
  return removeAfterTest(await mkdtemp(path.join(tmpdir(), 'mediconfusion-images-')));
}

async function writeImage(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await placeholderJpeg('20192'));
}

describe('finding an image', () => {
  it('finds an official image as <local>.jpg, the download script naming', async () => {
    const dir = await tempDir();
    await writeImage(path.join(dir, '20192.jpg'));
    expect(await findImageFile(officialImage(), dir)).toBe(path.join(dir, '20192.jpg'));
  });

  it('finds an official image by its ROCO path inside a ROCO checkout', async () => {
    const dir = await tempDir();
    await writeImage(path.join(dir, ROCO));
    expect(await findImageFile(officialImage(), dir)).toBe(path.join(dir, ROCO));
  });

  it('finds an official image under roco-dataset/data/, the ROCO repository layout', async () => {
    const dir = await tempDir();
    await writeImage(path.join(dir, 'roco-dataset', 'data', ROCO));
    expect(await findImageFile(officialImage(), dir)).toBe(path.join(dir, 'roco-dataset', 'data', ROCO));
  });

  it('prefers <local>.jpg when both layouts are present', async () => {
    const dir = await tempDir();
    await writeImage(path.join(dir, ROCO));
    await writeImage(path.join(dir, '20192.jpg'));
    expect(await findImageFile(officialImage(), dir)).toBe(path.join(dir, '20192.jpg'));
  });

  it('finds an image in an older ROCO checkout, named <PMC id>_<figure file>', async () => {
    const dir = await tempDir();
    const older = path.join(
      dir,
      'roco-dataset',
      'data',
      path.dirname(ROCO),
      'PMC3284869_1752-1947-6-45-2.jpg',
    );
    await writeImage(older);
    const image = officialImage({ pmcArticle: 'PMC3284869', figureFile: '1752-1947-6-45-2.jpg' });
    expect(await findImageFile(image, dir)).toBe(older);
  });

  it('returns null when no candidate exists', async () => {
    expect(await findImageFile(officialImage(), await tempDir())).toBeNull();
  });

  it('never looks outside the images folder for a ROCO path with ..', () => {
    const candidates = imageCandidates(officialImage({ rocoPath: '../../etc/passwd' }), '/data/images');
    expect(candidates).toEqual(['/data/images/20192.jpg']);
  });

  it('uses a custom image its own file only', () => {
    const image = officialImage({ file: '/sets/a/images/x.png', rocoPath: null });
    expect(imageCandidates(image, '/sets/a')).toEqual(['/sets/a/images/x.png']);
  });
});

describe('verifying an image', () => {
  it('accepts a valid JPEG and reports its size', async () => {
    const dir = await tempDir();
    await writeImage(path.join(dir, 'a.jpg'));
    expect(await verifyImageFile(path.join(dir, 'a.jpg'))).toMatchObject({
      ok: true,
      format: 'jpeg',
      width: 64,
      height: 64,
    });
  });

  it('catches a truncated JPEG even though its header still reads', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'cut.jpg');
    const whole = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#3a6' } })
      .jpeg()
      .toBuffer();
    await writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.7)));

    // The header alone looks fine: only a full decode finds the missing data.
    await expect(sharp(file).metadata()).resolves.toMatchObject({ width: 300 });
    expect(await verifyImageFile(file)).toMatchObject({ ok: false, code: 'IMAGE_CORRUPT' });
  });

  it('catches a truncated PNG', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'cut.png');
    const png = await sharp(await placeholderJpeg('1'))
      .png()
      .toBuffer();
    await writeFile(file, png.subarray(0, png.length - 30));
    expect(await verifyImageFile(file)).toMatchObject({ ok: false, code: 'IMAGE_CORRUPT' });
  });

  it('reports an empty file as corrupt', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'empty.jpg'), '');
    expect(await verifyImageFile(path.join(dir, 'empty.jpg'))).toMatchObject({
      ok: false,
      code: 'IMAGE_CORRUPT',
      message: 'image file is empty',
    });
  });

  it('accepts PNG, WebP and GIF, the other formats model APIs take', async () => {
    const dir = await tempDir();
    const source = await placeholderJpeg('2');
    for (const format of ['png', 'webp', 'gif'] as const) {
      const file = path.join(dir, `x.${format}`);
      await writeFile(file, await sharp(source).toFormat(format).toBuffer());
      expect(await verifyImageFile(file)).toMatchObject({ ok: true, format });
    }
  });

  it('reports a missing file as unreadable', async () => {
    const dir = await tempDir();
    const verdict = await verifyImageFile(path.join(dir, 'nope.jpg'));
    expect(verdict).toMatchObject({ ok: false, code: 'IMAGE_UNREADABLE' });
  });
});
