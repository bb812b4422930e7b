import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileExists } from '../files.js';
import type { ImageJob } from '../image-plan.js';
import { type ImageSource, SourceFailure } from './source.js';

/**
 * Images the user already has (`--from DIR`): the official script's folder of `<local>.jpg`
 * (DIR itself, DIR/images or DIR/data/images), or a ROCO checkout where the figure sits at its
 * ROCO path (DIR/<roco path> or DIR/data/<roco path>).
 */
export class LocalDirSource implements ImageSource {
  readonly label = 'local folder';

  constructor(private readonly dir: string) {}

  candidates(job: ImageJob): string[] {
    const local = `${job.localId}.jpg`;
    return [
      path.join(this.dir, local),
      path.join(this.dir, 'images', local),
      path.join(this.dir, 'data', 'images', local),
      path.join(this.dir, ...job.rocoPath.split('/')),
      path.join(this.dir, 'data', ...job.rocoPath.split('/')),
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
      `not found (looked for ${job.localId}.jpg and ${job.rocoPath})`,
      pathToFileURL(this.dir).href,
    );
  }
}
