import { categorySlotCounts } from '../scoring/count-table.js';
import { findImageFile, ImageFolderSnapshot } from './images.js';
import type { ConfusingPair, PairImage, PairSet } from './model.js';

/**
 * Which pairs of a set can be shown: a pair is complete when both its images are on disk. The quiz
 * and the probe use the complete pairs of a partial download rather than nothing at all.
 */
export interface Completeness {
  /** Pairs whose two images are present, in set order. */
  complete: ConfusingPair[];
  /** Pairs lacking one or both images, with the images they lack. */
  incomplete: { pair: ConfusingPair; missing: PairImage[] }[];
  /** Distinct missing images (several pairs can share one), by local id. */
  missingImages: PairImage[];
  /** Distinct images the set uses. */
  imageCount: number;
}

export async function pairCompleteness(set: PairSet): Promise<Completeness> {
  const present = new Map<string, boolean>();
  const all = new Map<string, PairImage>();
  for (const pair of set.pairs) for (const image of pair.images) all.set(image.localId, image);
  // One listing of the images folder answers for every image (one file-system round trip per image
  // added up to tens of ms).
  const snapshot = new ImageFolderSnapshot();
  await Promise.all(
    [...all.values()].map(async (image) => {
      present.set(image.localId, (await findImageFile(image, set.imagesDir, snapshot)) !== null);
    }),
  );
  const complete: ConfusingPair[] = [];
  const incomplete: Completeness['incomplete'] = [];
  for (const pair of set.pairs) {
    const missing = pair.images.filter((image) => present.get(image.localId) !== true);
    if (missing.length === 0) complete.push(pair);
    else incomplete.push({ pair, missing });
  }
  const missingImages = [...all.values()].filter((image) => present.get(image.localId) !== true);
  return { complete, incomplete, missingImages, imageCount: all.size };
}

/**
 * The set restricted to its complete pairs, with denominators counted from those pairs the official
 * way (as any subset's are), so its scores read as "accuracy over the pairs asked".
 */
export function completeSubset(set: PairSet, completeness: Completeness): PairSet {
  if (completeness.incomplete.length === 0) return set;
  return {
    ...set,
    pairs: completeness.complete,
    categoryCounts: categorySlotCounts(completeness.complete, set.categories),
  };
}

/** `160 of 176 pairs are playable: 16 lack an image (20 of 228 images missing)`; no path, as it may be projected. */
export function describeCompleteness(set: PairSet, completeness: Completeness): string {
  const { complete, incomplete, missingImages, imageCount } = completeness;
  return (
    `${complete.length} of ${set.pairs.length} pairs are playable: ${incomplete.length} ` +
    `${incomplete.length === 1 ? 'lacks' : 'lack'} an image ` +
    `(${missingImages.length} of ${imageCount} images missing)`
  );
}
