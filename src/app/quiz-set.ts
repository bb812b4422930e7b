import { stat } from 'node:fs/promises';
import path from 'node:path';
import { completeSubset, describeCompleteness, pairCompleteness } from '../dataset/completeness.js';
import { loadCustomSetStrict } from '../dataset/custom.js';
import type { PairSet } from '../dataset/model.js';
import { loadOfficialSet } from '../dataset/official.js';
import { OFFICIAL_FILES } from '../dataset/official-files.js';
import { whyImagesAreMissing } from '../fetch/status.js';
import type { Logger } from '../logger.js';

/**
 * Which pairs `npm start` quizzes on: a custom set when one is given; otherwise MediConfusion, downloaded on
 * the first start if it is missing; and when that cannot be had (offline, images missing), the demo set
 * shipped in data/demo with the reason on every page.
 */

/** The demo set: six synthetic pairs drawn for this project (data/demo/generate.ts), not patient images. */
export const DEMO_SET_FILE = path.resolve(import.meta.dirname, '..', '..', 'data', 'demo', 'demo-set.yaml');

export interface QuizSetChoice {
  set: PairSet;
  /** Shown on every page when the demo set stands in for MediConfusion: what and why. */
  banner: string | null;
  /** What was loaded, for the console. */
  description: string;
  /** For the host view and the console when only some pairs can be played: how many, and why. */
  setNote: string | null;
}

export interface QuizSetOptions {
  dataDir: string;
  /** A custom set file chosen by the user. */
  setFile?: string | undefined;
  /** Use the demo set whatever is installed. */
  demo?: boolean;
  /** Downloads the dataset into dataDir (`data fetch`); null: do not try. Failures may throw or not. */
  fetch: (() => Promise<void>) | null;
  log: Logger;
  /** Progress lines for the person starting the server. */
  say(line: string): void;
}

const DEMO_WHAT = 'These are synthetic demo drawings, not real patient images';

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null)) !== null;
}

async function demo(reason: string): Promise<QuizSetChoice> {
  const set = await loadCustomSetStrict(DEMO_SET_FILE);
  return {
    set,
    banner: `${DEMO_WHAT}: ${reason}`,
    description: `the demo set (${set.pairs.length} synthetic pairs, demo content, not real patient images)`,
    setNote: null,
  };
}

export async function chooseQuizSet(options: QuizSetOptions): Promise<QuizSetChoice> {
  if (options.setFile !== undefined) {
    // The same checks as `data check --set`, images decoded and kept inside the set's folder: the web quiz
    // serves these files to everyone, so any problem stops the start, every one listed.
    const set = await loadCustomSetStrict(options.setFile, { checkImages: true });
    return {
      set,
      banner: null,
      description: `the custom set "${set.name}" (${set.pairs.length} pairs)`,
      setNote: null,
    };
  }
  if (options.demo === true) return demo('the server was started with --demo.');

  const { dataDir } = options;
  const datasetFile = path.join(dataDir, OFFICIAL_FILES.dataset);
  if (!(await exists(datasetFile)) && options.fetch !== null) {
    options.say(
      `The MediConfusion dataset is not in ${dataDir} yet; downloading it (mediconfusion data fetch)…`,
    );
    try {
      await options.fetch();
    } catch (err) {
      options.log.warn({ err }, 'dataset download failed');
    }
  }
  if (!(await exists(datasetFile))) {
    return demo(
      `the MediConfusion dataset is not in ${dataDir} and could not be downloaded (offline?). Run \`mediconfusion data fetch\` when online, then restart.`,
    );
  }

  const { set, problems } = await loadOfficialSet(dataDir);
  if (problems.length > 0) {
    options.log.warn({ problems: problems.length, dataDir }, 'dataset has problems');
    return demo(
      `the MediConfusion files in ${dataDir} have ${problems.length} problem(s). Run \`mediconfusion data check\` to see them.`,
    );
  }
  // A partial download still quizzes on every pair it can show; only with none does the demo stand in.
  const completeness = await pairCompleteness(set);
  if (completeness.complete.length === 0) {
    return demo(
      `${completeness.missingImages.length} of the ${completeness.imageCount} MediConfusion images are missing from ${set.imagesDir}, so no pair has both its images. Run \`mediconfusion data fetch\` to download them, then restart.`,
    );
  }
  if (completeness.incomplete.length > 0) {
    const reasons = await whyImagesAreMissing(
      dataDir,
      completeness.missingImages.map((image) => image.localId),
    );
    const why = `${describeCompleteness(set, completeness)}${reasons ? `; ${reasons}` : ''}`;
    options.say(
      `MediConfusion is only partly downloaded in ${set.imagesDir}: ${why}. Quizzing on the ${completeness.complete.length} complete pairs; \`mediconfusion data status\` says what is missing and why.`,
    );
    options.log.warn(
      {
        playable: completeness.complete.length,
        pairs: set.pairs.length,
        missingImages: completeness.missingImages.length,
      },
      'some MediConfusion images are missing: quizzing on the complete pairs',
    );
    return {
      set: completeSubset(set, completeness),
      banner: null,
      description: `MediConfusion, partial: ${why}`,
      setNote: `${why}. Run mediconfusion data status on the server to see each missing image, why it could not be had and what to do.`,
    };
  }
  return { set, banner: null, description: `MediConfusion (${set.pairs.length} pairs)`, setNote: null };
}
