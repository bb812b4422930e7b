import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Files are written to a temporary name inside the data folder (same file system) and renamed
 * into place only once complete and verified, so an interrupted fetch never leaves half a file
 * under its final name.
 */

export interface WrittenFile {
  bytes: number;
  sha256: string;
  md5: string;
}

/** Streams `source` into `file`, hashing on the way; `onChunk` is told of every chunk (idle timers). */
export async function streamToFile(
  source: Readable,
  file: string,
  onChunk?: () => void,
): Promise<WrittenFile> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sha256.update(chunk);
      md5.update(chunk);
      bytes += chunk.length;
      onChunk?.();
      callback(null, chunk);
    },
  });
  await pipeline(source, tap, createWriteStream(file));
  return { bytes, sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}

export async function hashFile(file: string): Promise<WrittenFile> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    const buffer = chunk as Buffer;
    sha256.update(buffer);
    md5.update(buffer);
    bytes += buffer.length;
  }
  return { bytes, sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Moves a finished temporary file to its final name (atomic on one file system). */
export async function commitFile(tempFile: string, finalFile: string): Promise<void> {
  await mkdir(path.dirname(finalFile), { recursive: true });
  await rename(tempFile, finalFile);
}

const TEMP_PREFIX = '.fetch-tmp-';

/** A per-run scratch folder inside the data folder; leftovers of killed runs are removed at start. */
export class ScratchDir {
  private constructor(readonly dir: string) {}

  static async create(dataDir: string): Promise<ScratchDir> {
    await mkdir(dataDir, { recursive: true });
    for (const name of await readdir(dataDir)) {
      if (name.startsWith(TEMP_PREFIX)) await rm(path.join(dataDir, name), { recursive: true, force: true });
    }
    return new ScratchDir(await mkdtemp(path.join(dataDir, TEMP_PREFIX)));
  }

  /** A fresh path for a file that will hold `label` (never reused within the run). */
  file(label: string): string {
    return path.join(this.dir, `${randomBytes(6).toString('hex')}-${label.replace(/[^\w.-]/g, '_')}`);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
