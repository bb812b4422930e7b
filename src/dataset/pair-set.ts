import type { PairSet } from './model.js';
import type { Problem } from './problems.js';

export interface LoadOptions {
  /** Folder of official images; defaults to `<dataDir>/images`. Custom sets ignore it (paths are in the file). */
  imagesDir?: string;
  /** Find and fully decode every image (slower). Default false: data files only. */
  checkImages?: boolean;
  /** Images decoded at once. Default 8. */
  concurrency?: number;
}

/** A loaded set and everything wrong with it. `set.pairs` holds every pair that passed the schema. */
export interface LoadResult {
  set: PairSet;
  problems: Problem[];
}

/** A distinct picture: custom images by file, official ones by local id. */
function imageKey(image: PairSet['pairs'][number]['images'][number]): string {
  return image.file ?? `local:${image.localId}`;
}

export interface PairSetSummary {
  name: string;
  pairs: number;
  /** Distinct images (several pairs may share one). */
  images: number;
  categories: number;
}

export function summarizeSet(set: PairSet): PairSetSummary {
  const images = new Set(set.pairs.flatMap((pair) => pair.images.map(imageKey)));
  return { name: set.name, pairs: set.pairs.length, images: images.size, categories: set.categories.length };
}

/** `176 pairs, 228 images, 9 categories`. */
export function describeSummary(summary: PairSetSummary): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const categories = summary.categories === 1 ? '1 category' : `${summary.categories} categories`;
  return `${n(summary.pairs, 'pair')}, ${n(summary.images, 'image')}, ${categories}`;
}
