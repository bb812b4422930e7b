import { type ImageDict, OFFICIAL_FILES } from '../dataset/official-files.js';

/** One figure to put at `images/<local>.jpg` (the official download script's naming). */
export interface ImageJob {
  localId: string;
  /** ROCO path, the image_dict.json key (`train/radiology/images/ROCO_28778.jpg`). */
  rocoPath: string;
  /** PMC article id (`PMC3284869`). */
  article: string;
  /** The figure's file name inside the article (`1752-1947-6-45-2.jpg`). */
  fileName: string;
  /** The package path under oa_package (`25/da/PMC3284869.tar.gz`), for the legacy fallback. */
  legacyPackage: string | null;
  /** Manifest key and path relative to the data folder. */
  target: string;
}

const LEGACY_LINK = /\/oa_package\/((?:[^/]+\/)*(PMC\d+)\.tar\.gz)$/;

/** Turns image_dict.json into jobs; entries whose link names no PMC article are reported, not guessed. */
export function planImages(dict: ImageDict): {
  jobs: ImageJob[];
  unusable: { rocoPath: string; reason: string }[];
} {
  const jobs: ImageJob[] = [];
  const unusable: { rocoPath: string; reason: string }[] = [];
  for (const [rocoPath, entry] of Object.entries(dict)) {
    const match = LEGACY_LINK.exec(entry.dlink);
    const article = match?.[2] ?? /(PMC\d+)/.exec(entry.dlink)?.[1];
    if (!article) {
      unusable.push({ rocoPath, reason: `its dlink ${JSON.stringify(entry.dlink)} names no PMC article` });
      continue;
    }
    const localId = String(entry.local);
    jobs.push({
      localId,
      rocoPath,
      article,
      fileName: entry.file_name,
      legacyPackage: match?.[1] ?? null,
      target: `${OFFICIAL_FILES.imagesDir}/${localId}.jpg`,
    });
  }
  jobs.sort((a, b) => a.localId.localeCompare(b.localId, 'en', { numeric: true }));
  return { jobs, unusable };
}
