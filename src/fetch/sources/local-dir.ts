import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileExists } from '../files.js';
import type { ImageJob } from '../image-plan.js';
import { type ImageSource, SourceFailure } from './source.js';

/**
 * Images the user already has (`--from DIR`): the official script's folder of `<local>.jpg`
 * (DIR itself, DIR/images or DIR/data/images), or a ROCO checkout where the figure sits at its
 * ROCO path (DIR/<roco path> or DIR/data/<roco path>), named by its ROCO id (`ROCO_28778.jpg`) or,
 * in older ROCO checkouts, by its article and figure (`PMC3284869_1752-1947-6-45-2.jpg`).
 */
export class LocalDirSource implements ImageSource {
  readonly label = 'local folder';

  constructor(private readonly dir: string) {}

  candidates(job: ImageJob): string[] {
    const local = `${job.localId}.jpg`;
    const rocoParts = job.rocoPath.split('/');
    const olderParts = [...rocoParts.slice(0, -1), olderRocoName(job)];
    return [
      path.join(this.dir, local),
      path.join(this.dir, 'images', local),
      path.join(this.dir, 'data', 'images', local),
      path.join(this.dir, ...rocoParts),
      path.join(this.dir, 'data', ...rocoParts),
      path.join(this.dir, ...olderParts),
      path.join(this.dir, 'data', ...olderParts),
    ];
  }

  async fetch(job: ImageJob, tempFile: string): Promise<{ url: string }> {
    for (const candidate of this.candidates(job)) {
      if (await fileExists(candidate)) {
        await copyFile(candidate, tempFile);
        return { url: pathToFileURL(candidate).href };
      }
    }
    throw new SourceFailure(
      `not found (looked for ${job.localId}.jpg, ${job.rocoPath} and ${olderRocoName(job)})`,
      pathToFileURL(this.dir).href,
    );
  }
}

/** How older ROCO checkouts name a figure: `<PMC id>_<figure file>`. */
export function olderRocoName(job: ImageJob): string {
  return `${job.article}_${job.fileName}`;
}
