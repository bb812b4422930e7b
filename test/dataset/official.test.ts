import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOfficialSet, loadOfficialSetStrict } from '../../src/dataset/official.js';
import { summarizeSet } from '../../src/dataset/pair-set.js';
import { UserFacingError } from '../../src/errors.js';
import { editPairs, freshOfficialDir } from './data-dirs.js';

describe('loading the official dataset', () => {
  it('loads 176 pairs, 228 distinct images and 9 categories with no problems, images included', async () => {
    const dir = await freshOfficialDir();

    const { set, problems } = await loadOfficialSet(dir, { checkImages: true });

    expect(problems).toEqual([]);
    expect(summarizeSet(set)).toEqual({ name: 'official', pairs: 176, images: 228, categories: 9 });
    expect(set.categoryCounts.Cerebral).toBe(79);
    expect(set.imagesDir).toBe(path.join(dir, 'images'));
  });

  it('maps a record to the typed model, with PMC article and figure file from image_dict.json', async () => {
    const { set } = await loadOfficialSet(await freshOfficialDir());
    const pair = set.pairs.find((p) => p.id === '10001');

    expect(pair?.options.A).toBe('Terminating into the ophthalmic artery with no cerebral contribution');
    expect(pair?.images[0]).toMatchObject({
      localId: '20192',
      rocoPath: 'train/radiology/images/ROCO_28778.jpg',
      pmcArticle: 'PMC3284869',
      figureFile: '1752-1947-6-45-2.jpg',
      file: null,
      categories: ['Cerebral', 'Vascular'],
      correct: 'A',
    });
    // The official captions start with a space; the model trims it.
    expect(pair?.images[0].caption.startsWith('Selective injection')).toBe(true);
    expect(pair?.images[1].correct).toBe('B');
    expect(pair?.similarity).toEqual({ biomedClip: 0.9245057, dino: 0.6720365 });
  });

  it('does without image_dict.json, leaving PMC article and figure file unknown', async () => {
    const dir = await freshOfficialDir();
    await rm(path.join(dir, 'image_dict.json'));

    const { set, problems } = await loadOfficialSet(dir);

    expect(problems).toEqual([]);
    expect(set.pairs[0]?.images[0].pmcArticle).toBeNull();
    expect(set.pairs[0]?.images[0].figureFile).toBeNull();
  });

  it('finds images in another folder given by imagesDir', async () => {
    const dir = await freshOfficialDir();
    const elsewhere = await freshOfficialDir();
    await rm(path.join(dir, 'images'), { recursive: true });

    const { problems } = await loadOfficialSet(dir, {
      checkImages: true,
      imagesDir: path.join(elsewhere, 'images'),
    });

    expect(problems).toEqual([]);
  });

  it('strict loading throws DATASET_INVALID naming every problem with its file and pair', async () => {
    const dir = await freshOfficialDir();
    await editPairs(dir, (pairs) => {
      Object.assign(pairs['10005'] ?? {}, { im_1_correct: 'C' });
      Object.assign(pairs['10006'] ?? {}, { im_2_correct: 'B' });
    });

    const error = await loadOfficialSetStrict(dir).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).code).toBe('DATASET_INVALID');
    const message = (error as UserFacingError).message;
    expect(message).toContain('2 problems');
    expect(message).toMatch(
      /dataset\.json: pair 10005, im_1_correct \(line \d+, column 25\): must be "A" or "B", got "C"/,
    );
    expect(message).toMatch(/dataset\.json: pair 10006, im_2_correct .*\[ANSWERS_SAME\]/);
  });

  it('strict loading returns the set when there is nothing wrong', async () => {
    const set = await loadOfficialSetStrict(await freshOfficialDir());
    expect(set.pairs).toHaveLength(176);
  });
});
