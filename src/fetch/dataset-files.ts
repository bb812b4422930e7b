import { z } from 'zod';
import {
  imageDictSchema,
  OFFICIAL_FILES,
  officialPairSchema,
  statisticsSchema,
} from '../dataset/official-files.js';

/** The JSON files of the official release, where each comes from and what it must look like. */
export interface RemoteJsonFile {
  /** Name in the data folder, which is also its manifest key. */
  name: string;
  url: string;
  schema: z.ZodType;
}

export interface DatasetSources {
  /** Base of the Hugging Face dataset repository (`…/resolve/main`). */
  datasetUrl: string;
  promptsUrl: string;
  statisticsUrl: string;
}

/**
 * Paths inside the Hugging Face dataset `shahab7899/MediConfusion`: both files sit at the repository
 * root (its file listing shows README.md, dataset.json, dataset.csv, image_dict.json and pictures).
 */
export const HF_DATASET_PATHS = { dataset: 'dataset.json', imageDict: 'image_dict.json' } as const;

const datasetSchema = z
  .record(z.string(), officialPairSchema)
  .refine((pairs) => Object.keys(pairs).length > 0, 'no pairs');

const imageDictFileSchema = imageDictSchema.refine((dict) => Object.keys(dict).length > 0, 'no images');

const promptsSchema = z.looseObject({ prompts: z.record(z.string(), z.unknown()) });

function joinUrl(base: string, file: string): string {
  return `${base.replace(/\/+$/, '')}/${file}`;
}

export function datasetFiles(sources: DatasetSources): RemoteJsonFile[] {
  return [
    {
      name: OFFICIAL_FILES.dataset,
      url: joinUrl(sources.datasetUrl, HF_DATASET_PATHS.dataset),
      schema: datasetSchema,
    },
    {
      name: OFFICIAL_FILES.imageDict,
      url: joinUrl(sources.datasetUrl, HF_DATASET_PATHS.imageDict),
      schema: imageDictFileSchema,
    },
    { name: OFFICIAL_FILES.statistics, url: sources.statisticsUrl, schema: statisticsSchema },
    { name: OFFICIAL_FILES.prompts, url: sources.promptsUrl, schema: promptsSchema },
  ];
}
