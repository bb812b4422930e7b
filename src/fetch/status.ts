import path from 'node:path';
import { pairCompleteness } from '../dataset/completeness.js';
import { loadOfficialSet } from '../dataset/official.js';
import { OFFICIAL_FILES } from '../dataset/official-files.js';
import { UserFacingError } from '../errors.js';
import { adviceFor, formatImageFailure } from './failure-report.js';
import type { Attempt } from './fetch-data.js';
import { readImageDict } from './fetch-data.js';
import { fileExists } from './files.js';
import { planImages } from './image-plan.js';
import { readManifest } from './manifest.js';

/** One image that is not in the data folder, with what the last fetch learnt about it (if it tried). */
export interface MissingImage {
  path: string;
  rocoPath: string;
  article: string;
  figure: string;
  /** As a source stated it; null when none did or no fetch tried. */
  licence: string | null;
  /** Every source the last fetch tried, with its answer; empty when no fetch tried this image. */
  attempts: Attempt[];
  /** When the last fetch gave up on it; null when none tried. */
  lastTried: string | null;
  advice: string;
}

export interface DataStatus {
  dataDir: string;
  images: { total: number; present: number; unrecorded: number; missing: MissingImage[] };
  /** Null when dataset.json cannot be read (the pairs are unknown). */
  pairs: { total: number; complete: number } | null;
}

const NOT_TRIED_ADVICE = 'no fetch has tried it yet: run `mediconfusion data fetch --only images`.';

/**
 * What is in the data folder, from image_dict.json, the files on disk and manifest.json: which images
 * are missing and, for each, every source's answer the last `data fetch` recorded.
 */
export async function dataStatus(dataDir: string): Promise<DataStatus> {
  const loaded = await readImageDict(path.join(dataDir, OFFICIAL_FILES.imageDict));
  if (!loaded.ok) {
    throw new UserFacingError(
      loaded.missing ? 'DATASET_MISSING' : 'DATASET_INVALID',
      loaded.missing
        ? `${path.join(dataDir, OFFICIAL_FILES.imageDict)} is missing: nothing has been fetched into ${dataDir} yet. Run \`mediconfusion data fetch\`.`
        : `${path.join(dataDir, OFFICIAL_FILES.imageDict)} ${loaded.reason}. Fetch it again with \`mediconfusion data fetch --only dataset --force\`.`,
    );
  }
  const manifest = await readManifest(dataDir);
  const { jobs } = planImages(loaded.dict);
  let present = 0;
  let unrecorded = 0;
  const missing: MissingImage[] = [];
  for (const job of jobs) {
    if (await fileExists(path.join(dataDir, job.target))) {
      present++;
      if (!manifest.files[job.target]) unrecorded++;
      continue;
    }
    const failure = manifest.failures?.[job.target];
    const licence = failure?.licence ?? null;
    const attempts = failure?.attempts ?? [];
    missing.push({
      path: job.target,
      rocoPath: job.rocoPath,
      article: job.article,
      figure: job.fileName,
      licence,
      attempts,
      lastTried: failure?.at ?? null,
      advice: failure
        ? adviceFor({ licence, attempts })
        : manifest.files[job.target]
          ? 'it was fetched but is no longer on disk: run `mediconfusion data fetch --only images`.'
          : NOT_TRIED_ADVICE,
    });
  }

  let pairs: DataStatus['pairs'] = null;
  const { set } = await loadOfficialSet(dataDir);
  if (set.pairs.length > 0) {
    const completeness = await pairCompleteness(set);
    pairs = { total: set.pairs.length, complete: completeness.complete.length };
  }
  return { dataDir, images: { total: jobs.length, present, unrecorded, missing }, pairs };
}

export function formatDataStatus(status: DataStatus): string {
  const { images, pairs } = status;
  const lines = [`MediConfusion data in ${status.dataDir}`];
  lines.push(`  images: ${images.present} of ${images.total} present, ${images.missing.length} missing`);
  if (pairs) {
    const partial =
      pairs.complete < pairs.total
        ? pairs.complete === 0
          ? '; the quiz falls back to the demo set and `probe run` cannot run'
          : '; the quiz and `probe run` use only these (a probe run over them is marked partial, not comparable to the leaderboard)'
        : '';
    lines.push(`  pairs:  ${pairs.complete} of ${pairs.total} complete (both images present)${partial}`);
  } else {
    lines.push(
      '  pairs:  unknown (dataset.json is missing or unreadable; `mediconfusion data check` says why)',
    );
  }
  if (images.unrecorded > 0) {
    lines.push(
      '',
      `${images.unrecorded} image(s) are on disk but not in manifest.json (put there by hand); \`data fetch --from DIR\` imports and records such images.`,
    );
  }
  if (images.missing.length === 0) {
    lines.push('', 'Every image is in place.');
    return `${lines.join('\n')}\n`;
  }
  const tried = images.missing.filter((image) => image.lastTried !== null);
  const untried = images.missing.filter((image) => image.lastTried === null);
  if (untried.length > 0) {
    // Nothing to say about each beyond its name: one paragraph, not a screenful per image.
    const names = untried.map((image) => image.path);
    const shown =
      names.length > 12 ? `${names.slice(0, 12).join(', ')} and ${names.length - 12} more` : names.join(', ');
    const deleted = untried.filter((image) => image.advice.startsWith('it was fetched')).length;
    lines.push(
      '',
      `Not tried by any fetch yet${deleted > 0 ? ` or deleted since fetched (${deleted})` : ''} (${untried.length}): ${shown}.`,
      'Run `mediconfusion data fetch --only images` to fetch them.',
    );
  }
  if (tried.length > 0) lines.push('', `Missing images the last fetch could not have (${tried.length}):`);
  for (const image of tried) {
    const describes = `${image.rocoPath}, ${image.article}/${image.figure}`;
    lines.push(
      ...formatImageFailure({
        path: image.path,
        describes,
        article: image.article,
        licence: image.licence,
        attempts: image.attempts,
      }),
      `    last tried ${image.lastTried ?? ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Why images are missing, in a few words for the console and the host view, from what the last fetch
 * recorded: `12 no source could provide, 8 not fetched yet`. Empty when the manifest cannot be read.
 */
export async function whyImagesAreMissing(dataDir: string, localIds: readonly string[]): Promise<string> {
  let manifest: Awaited<ReturnType<typeof readManifest>>;
  try {
    manifest = await readManifest(dataDir);
  } catch {
    return '';
  }
  const counts = new Map<string, number>();
  for (const id of localIds) {
    const key = `${OFFICIAL_FILES.imagesDir}/${id}.jpg`;
    const failure = manifest.failures?.[key];
    const reason = failure
      ? adviceFor(failure).startsWith('a source did not answer')
        ? 'a source did not answer for'
        : 'no source could provide'
      : manifest.files[key]
        ? 'deleted since fetched'
        : 'not fetched yet';
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
}
