import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { PairImage } from './model.js';
import type { Problem } from './problems.js';
import type { SourcePosition } from './source-document.js';

/** Formats every model API in the project accepts; anything else is reported so it fails here, not mid-probe. */
export const SUPPORTED_IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif'] as const;
export type SupportedImageFormat = (typeof SUPPORTED_IMAGE_FORMATS)[number];

/** True for a relative path that stays inside the folder it is joined to. */
function isContainedRelative(relative: string): boolean {
  if (path.isAbsolute(relative)) return false;
  return !relative.split(/[\\/]/).includes('..');
}

/**
 * Where an image may be, in lookup order: a custom image's own file; for official images `<local>.jpg`
 * (the naming of the official download script), then the ROCO path inside a ROCO checkout, either
 * directly under the folder or under `roco-dataset/data/` (the layout of the ROCO repository), the file
 * named by its ROCO id or, as older ROCO checkouts name it, `<PMC id>_<figure file>`.
 */
export function imageCandidates(image: PairImage, imagesDir: string): string[] {
  if (image.file) return [image.file];
  const candidates = [path.join(imagesDir, `${image.localId}.jpg`)];
  if (image.rocoPath && isContainedRelative(image.rocoPath)) {
    candidates.push(
      path.join(imagesDir, image.rocoPath),
      path.join(imagesDir, 'roco-dataset', 'data', image.rocoPath),
    );
    const older = image.pmcArticle && image.figureFile ? `${image.pmcArticle}_${image.figureFile}` : null;
    if (older && isContainedRelative(older) && !/[\\/]/.test(older)) {
      const folder = path.posix.dirname(image.rocoPath);
      candidates.push(
        path.join(imagesDir, folder, older),
        path.join(imagesDir, 'roco-dataset', 'data', folder, older),
      );
    }
  }
  return candidates;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Which files exist, answered from one listing per folder: checking a whole set (352 images) is then one
 * directory read instead of 352 `stat` calls, each a round trip through libuv's thread pool. A snapshot
 * sees the folder as it was when first read, so it serves one check of a set and is then dropped, never
 * kept by a long-running process in which images may be downloaded later.
 */
export class ImageFolderSnapshot {
  private readonly listings = new Map<string, Promise<Set<string> | null>>();

  async exists(file: string): Promise<boolean> {
    const dir = path.dirname(file);
    let listing = this.listings.get(dir);
    if (listing === undefined) {
      // An unreadable or missing folder: ask the file itself, as a lookup without a snapshot would.
      listing = readdir(dir).then(
        (names) => new Set(names),
        () => null,
      );
      this.listings.set(dir, listing);
    }
    const names = await listing;
    return names === null ? exists(file) : names.has(path.basename(file));
  }
}

/**
 * The first existing candidate file for an image, or null when there is none; with a snapshot, as that
 * snapshot saw the folders.
 */
export async function findImageFile(
  image: PairImage,
  imagesDir: string,
  snapshot?: ImageFolderSnapshot,
): Promise<string | null> {
  for (const candidate of imageCandidates(image, imagesDir)) {
    if (await (snapshot ? snapshot.exists(candidate) : exists(candidate))) return candidate;
  }
  return null;
}

export type ImageVerdict =
  | { ok: true; format: SupportedImageFormat; width: number; height: number; size: number }
  | { ok: false; code: 'IMAGE_UNREADABLE' | 'IMAGE_CORRUPT' | 'IMAGE_FORMAT_UNSUPPORTED'; message: string };

/** libvips repeats its complaint once per decode attempt; one line of it is enough. */
function firstLine(message: string): string {
  return message.split('\n').find((line) => line.trim() !== '') ?? message;
}

/**
 * Reads and fully decodes an image. Reading the header (`metadata()`) is not enough: a JPEG cut short
 * has a valid header, and only decoding every pixel finds the missing data. A raw decode does that about
 * ten times faster than `stats()`. `failOn: 'truncated'` fails on cut-short files while tolerating the
 * harmless warnings many real figures have.
 */
export async function verifyImageFile(file: string): Promise<ImageVerdict> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'EISDIR' ? 'it is a folder, not a file' : firstLine((err as Error).message);
    return { ok: false, code: 'IMAGE_UNREADABLE', message: `cannot read image: ${reason}` };
  }
  if (bytes.length === 0) return { ok: false, code: 'IMAGE_CORRUPT', message: 'image file is empty' };
  try {
    // Loaded on first use: libvips takes longer to load than the probe takes to start.
    const { default: sharp } = await import('sharp');
    const image = sharp(bytes, { failOn: 'truncated' });
    const metadata = await image.metadata();
    const format = metadata.format;
    if (!(SUPPORTED_IMAGE_FORMATS as readonly string[]).includes(format)) {
      return {
        ok: false,
        code: 'IMAGE_FORMAT_UNSUPPORTED',
        message: `image is ${format}; model APIs accept ${SUPPORTED_IMAGE_FORMATS.join(', ')} (convert it)`,
      };
    }
    await image.raw().toBuffer();
    return {
      ok: true,
      format: format as SupportedImageFormat,
      width: metadata.width,
      height: metadata.height,
      size: bytes.length,
    };
  } catch (err) {
    return {
      ok: false,
      code: 'IMAGE_CORRUPT',
      message: `image cannot be decoded: ${firstLine((err as Error).message)}`,
    };
  }
}

/** One place a data file refers to an image. */
export interface ImageReference {
  /** The data file holding the reference (dataset.json, the custom set file). */
  file: string;
  pairId: string;
  field: string;
  position?: SourcePosition;
}

/** A distinct image with every reference to it. */
export interface ImageToCheck {
  image: PairImage;
  references: ImageReference[];
}

function usedBy(references: readonly ImageReference[]): string {
  const others = [...new Set(references.slice(1).map((r) => r.pairId))];
  if (others.length === 0) return '';
  const shown = others.slice(0, 5).join(', ');
  return `; also used by pair${others.length === 1 ? '' : 's'} ${shown}${others.length > 5 ? `, … (${others.length} in all)` : ''}`;
}

function located(reference: ImageReference): Pick<Problem, 'pairId' | 'field' | 'line' | 'column'> {
  return {
    pairId: reference.pairId,
    field: reference.field,
    ...(reference.position ? { line: reference.position.line, column: reference.position.column } : {}),
  };
}

/**
 * Finds and decodes every image, `concurrency` at a time (decoding runs on libvips' threads, reading on
 * libuv's, so a few in flight keep both busy). A missing image is reported where it is referenced; a
 * broken one at the image file itself, naming the pair that uses it.
 */
export async function checkImageFiles(
  images: readonly ImageToCheck[],
  imagesDir: string,
  options: {
    concurrency?: number;
    /** Every image must resolve (links followed) inside this folder: a custom set's own folder. */
    containedIn?: string;
  } = {},
): Promise<Problem[]> {
  const limit = pLimit(options.concurrency ?? 8);
  const root =
    options.containedIn === undefined
      ? undefined
      : await realpath(options.containedIn).catch(() => undefined);
  const results = await Promise.all(
    images.map(({ image, references }) =>
      limit(async (): Promise<Problem | null> => {
        const first = references[0];
        if (!first) return null;
        const file = await findImageFile(image, imagesDir);
        if (!file) {
          const looked = imageCandidates(image, imagesDir)
            .map((candidate) => path.relative(path.dirname(first.file), candidate) || candidate)
            .join(', ');
          return {
            file: first.file,
            ...located(first),
            message: `image not found (looked for ${looked})${usedBy(references)}`,
            code: 'IMAGE_MISSING',
          };
        }
        if (options.containedIn !== undefined) {
          const real = await realpath(file).catch(() => file);
          const relative = root === undefined ? '..' : path.relative(root, real);
          if (relative === '' || path.isAbsolute(relative) || relative.split(path.sep)[0] === '..') {
            return {
              file: first.file,
              ...located(first),
              message: `image ${file} leads outside the set's folder (to ${real}); every image must be in that folder or below it${usedBy(references)}`,
              code: 'IMAGE_OUTSIDE_SET',
            };
          }
        }
        const verdict = await verifyImageFile(file);
        if (verdict.ok) return null;
        const { line: _line, column: _column, ...where } = located(first);
        return { file, ...where, message: `${verdict.message}${usedBy(references)}`, code: verdict.code };
      }),
    ),
  );
  return results.filter((problem): problem is Problem => problem !== null);
}
