/** The typed model of a confusing pair, shared by the official dataset and educators' custom sets. */

export const OPTIONS = ['A', 'B'] as const;
export type Option = (typeof OPTIONS)[number];

/** The nine categories of the official benchmark, in statistics.json's order (the official table's row order). */
export const OFFICIAL_CATEGORIES = [
  'Cerebral',
  'Vascular',
  'Head and Neck',
  'Spinal',
  'Musculoskeletal',
  'Cardiac',
  'Gastrointestinal',
  'Pulmonary',
  'Nuclear Medicine',
] as const;

export interface PairImage {
  /** The official local id (`20192`), the name of `<local>.jpg` in the images folder; for custom sets, a stable id. */
  localId: string;
  /** ROCO path such as `train/radiology/images/ROCO_28778.jpg`, when the image comes from ROCO. */
  rocoPath: string | null;
  /** PMC article the figure comes from (`PMC3284869`), when known. */
  pmcArticle: string | null;
  /** File name of the figure inside the article's package (`1752-1947-6-45-2.jpg`), when known. */
  figureFile: string | null;
  /** For custom sets: the image file, resolved to an absolute path. Official images are found by local id. */
  file: string | null;
  caption: string;
  categories: string[];
  correct: Option;
}

export interface ConfusingPair {
  id: string;
  question: string;
  options: Record<Option, string>;
  images: [PairImage, PairImage];
  similarity: { biomedClip: number | null; dino: number | null };
  /**
   * The dataset's own rephrasing of the question and options (`AI_question`, `AI_option_A`, `AI_option_B`),
   * asked by the `rephrased` robustness variant; absent when the set has none.
   */
  rephrased?: { question: string; options: Record<Option, string> } | null;
}

export interface PairSet {
  /** `official` for MediConfusion, otherwise the custom set's name. */
  name: string;
  pairs: ConfusingPair[];
  /** Category names in display order. */
  categories: string[];
  /**
   * Per-category denominators of the official scoring: each pair adds one for every category of each
   * of its two images (statistics.json for the official set; computed the same way for custom sets).
   */
  categoryCounts: Record<string, number>;
  /** Folder where images are looked up by local id (`<local>.jpg`) or by ROCO path. */
  imagesDir: string;
}

export const IMAGE_SLOTS = [0, 1] as const;
export type ImageSlot = (typeof IMAGE_SLOTS)[number];
