import { loadCustomSet } from './custom.js';
import type { PairSet } from './model.js';
import { loadOfficialSet } from './official.js';
import type { LoadOptions, LoadResult } from './pair-set.js';
import { datasetInvalidError } from './problems.js';

/** Which pairs to use: a custom set file, or else the official data folder. */
export interface PairSetSource {
  dataDir: string;
  /** Official images folder; defaults to `<dataDir>/images`. */
  imagesDir?: string;
  /** A custom set file (YAML or JSON); when given, the official folder is not read. */
  setFile?: string;
}

export async function loadPairSet(
  source: PairSetSource,
  options: Omit<LoadOptions, 'imagesDir'> = {},
): Promise<LoadResult> {
  if (source.setFile !== undefined) return loadCustomSet(source.setFile, options);
  return loadOfficialSet(source.dataDir, {
    ...options,
    ...(source.imagesDir === undefined ? {} : { imagesDir: source.imagesDir }),
  });
}

/** Like {@link loadPairSet} but throws a UserFacingError (`DATASET_INVALID`) listing every problem. */
export async function loadPairSetStrict(
  source: PairSetSource,
  options: Omit<LoadOptions, 'imagesDir'> = {},
): Promise<PairSet> {
  const { set, problems } = await loadPairSet(source, options);
  if (problems.length > 0) {
    throw datasetInvalidError(
      source.setFile ? `The pair set ${source.setFile}` : `The dataset in ${source.dataDir}`,
      problems,
    );
  }
  return set;
}
