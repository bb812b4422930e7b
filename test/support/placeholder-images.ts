import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { SHARED_DATASET_DIR } from './paths.js';

/**
 * The real images cannot be downloaded here, so tests use placeholders: small, valid, distinct JPEGs
 * (a grey level and a stripe derived from the id), one per local id of the official image_dict.json.
 */

export async function officialLocalIds(): Promise<string[]> {
  const dict = JSON.parse(await readFile(path.join(SHARED_DATASET_DIR, 'image_dict.json'), 'utf8')) as Record<
    string,
    { local: number | string }
  >;
  return [...new Set(Object.values(dict).map((entry) => String(entry.local)))].sort();
}

/** A deterministic placeholder JPEG for one id: the same id always gives the same bytes. */
export async function placeholderJpeg(id: string, size = 64): Promise<Buffer> {
  const digest = createHash('sha256').update(id).digest();
  const grey = 40 + ((digest[0] ?? 0) % 170);
  const stripe = (digest[1] ?? 0) % size;
  const pixels = Buffer.alloc(size * size * 3, grey);
  for (let y = 0; y < size; y++) {
    for (let x = stripe; x < Math.min(size, stripe + 6); x++) {
      const i = (y * size + x) * 3;
      pixels[i] = 255;
      pixels[i + 1] = digest[2] ?? 0;
      pixels[i + 2] = 0;
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

let cacheDir: Promise<string> | undefined;

/** Generates all 228 placeholders once per test process and returns the folder (`<local>.jpg`). */
function cachedPlaceholders(): Promise<string> {
  cacheDir ??= (async () => {
    const dir = path.join(tmpdir(), `mediconfusion-placeholders-${process.pid}`);
    await mkdir(dir, { recursive: true });
    const { writeFile } = await import('node:fs/promises');
    for (const id of await officialLocalIds()) {
      await writeFile(path.join(dir, `${id}.jpg`), await placeholderJpeg(id));
    }
    return dir;
  })();
  return cacheDir;
}

/** Writes `<local>.jpg` for every official local id into `dir` (created if needed). */
export async function writePlaceholderImages(dir: string): Promise<string[]> {
  const source = await cachedPlaceholders();
  await mkdir(dir, { recursive: true });
  const ids = await officialLocalIds();
  await Promise.all(ids.map((id) => copyFile(path.join(source, `${id}.jpg`), path.join(dir, `${id}.jpg`))));
  return ids;
}

/**
 * A complete data folder in a temp dir: the official JSON files copied from ../shared (tests only; the
 * repository never holds them) plus placeholder images. Returns the folder.
 */
export async function makeOfficialDataDir(parent?: string): Promise<string> {
  const { mkdtemp } = await import('node:fs/promises');
  const dir = await mkdtemp(path.join(parent ?? tmpdir(), 'mediconfusion-data-'));
  for (const name of ['dataset.json', 'image_dict.json', 'statistics.json', 'answering-prompts.json']) {
    await copyFile(path.join(SHARED_DATASET_DIR, name), path.join(dir, name));
  }
  await writePlaceholderImages(path.join(dir, 'images'));
  return dir;
}
