import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConfusingPair, PairSet } from './model.js';
import {
  type ImageDict,
  OFFICIAL_FILES,
  type OfficialPair,
  officialPairSchema,
  pmcArticleFromLink,
  statisticsSchema,
} from './official-files.js';

/** Maps one validated official record to the typed model. */
export function officialPairToModel(
  id: string,
  raw: OfficialPair,
  imageDict: ImageDict | null,
): ConfusingPair {
  const image = (slot: 1 | 2) => {
    const rocoPath = slot === 1 ? raw.im_1 : raw.im_2;
    const entry = imageDict?.[rocoPath];
    return {
      localId: String(slot === 1 ? raw.im_1_local : raw.im_2_local),
      rocoPath,
      pmcArticle: entry ? pmcArticleFromLink(entry.dlink) : null,
      figureFile: entry?.file_name ?? null,
      file: null,
      caption: (slot === 1 ? raw.cap_1 : raw.cap_2).trim(),
      categories: slot === 1 ? raw.category_1 : raw.category_2,
      correct: slot === 1 ? raw.im_1_correct : raw.im_2_correct,
    };
  };
  return {
    id,
    question: raw.question,
    options: { A: raw.option_A, B: raw.option_B },
    images: [image(1), image(2)],
    similarity: { biomedClip: raw.BiomedCLIP_sim ?? null, dino: raw.DINO_sim ?? null },
  };
}

/**
 * Minimal loader of the official set (dataset.json + statistics.json, image_dict.json when present).
 * Throws on the first problem; the validating loader in this folder reports every problem at once.
 */
export async function loadOfficialSetStrict(dataDir: string): Promise<PairSet> {
  const readJson = async (name: string): Promise<unknown> =>
    JSON.parse(await readFile(path.join(dataDir, name), 'utf8'));
  const dataset = (await readJson(OFFICIAL_FILES.dataset)) as Record<string, unknown>;
  const statistics = statisticsSchema.parse(await readJson(OFFICIAL_FILES.statistics));
  const pairs = Object.entries(dataset).map(([id, raw]) =>
    officialPairToModel(id, officialPairSchema.parse(raw), null),
  );
  return {
    name: 'official',
    pairs,
    categories: Object.keys(statistics),
    categoryCounts: statistics,
    imagesDir: path.join(dataDir, OFFICIAL_FILES.imagesDir),
  };
}
