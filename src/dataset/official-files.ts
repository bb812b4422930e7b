import { z } from 'zod';

/**
 * Schemas of the official MediConfusion files as published (AIF4S/MediConfusion, Hugging Face
 * shahab7899/MediConfusion). Field names follow the files; mapping to the typed model happens in the loader.
 */

export const officialOption = z.enum(['A', 'B']);

export const officialPairSchema = z.object({
  im_1: z.string().min(1),
  im_2: z.string().min(1),
  im_1_local: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
  im_2_local: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
  cap_1: z.string(),
  cap_2: z.string(),
  category_1: z.array(z.string()).min(1),
  category_2: z.array(z.string()).min(1),
  BiomedCLIP_sim: z.number().nullable().optional(),
  DINO_sim: z.number().nullable().optional(),
  question: z.string().min(1),
  option_A: z.string().min(1),
  option_B: z.string().min(1),
  im_1_correct: officialOption,
  im_2_correct: officialOption,
  AI_question: z.string().optional(),
  AI_option_A: z.string().optional(),
  AI_option_B: z.string().optional(),
});
export type OfficialPair = z.infer<typeof officialPairSchema>;

export const imageDictEntrySchema = z.object({
  local: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
  dlink: z.string().min(1),
  file_name: z.string().min(1),
});
export const imageDictSchema = z.record(z.string(), imageDictEntrySchema);
export type ImageDict = z.infer<typeof imageDictSchema>;

export const statisticsSchema = z.record(z.string(), z.number().int().nonnegative());
export type Statistics = z.infer<typeof statisticsSchema>;

/** Official file names inside the data folder. */
export const OFFICIAL_FILES = {
  dataset: 'dataset.json',
  imageDict: 'image_dict.json',
  statistics: 'statistics.json',
  prompts: 'answering-prompts.json',
  manifest: 'manifest.json',
  imagesDir: 'images',
} as const;

/** `PMC3284869` from a legacy link such as `ftp://…/oa_package/25/da/PMC3284869.tar.gz`. */
export function pmcArticleFromLink(dlink: string): string | null {
  const match = /(PMC\d+)\.tar\.gz$/.exec(dlink);
  return match?.[1] ?? null;
}
