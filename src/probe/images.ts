import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ImageInput } from '../adapters/types.js';
import { findImageFile, ImageFolderSnapshot, imageCandidates } from '../dataset/images.js';
import type { PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';

/** The media type from the file's first bytes, so a PNG saved as `.jpg` is still sent as what it is. */
export function sniffMediaType(bytes: Uint8Array): ImageInput['mediaType'] | null {
  const at = (i: number) => bytes[i] ?? -1;
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (at(0) === 0x89 && at(1) === 0x50 && at(2) === 0x4e && at(3) === 0x47) return 'image/png';
  if (at(0) === 0x47 && at(1) === 0x49 && at(2) === 0x46 && at(3) === 0x38) return 'image/gif';
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

export function imageSlotKey(pairId: string, slot: 0 | 1): string {
  return `${pairId}/${slot}`;
}

/**
 * Finds every image of the set before any request is sent, so a missing file fails the run at once (naming
 * each one) instead of surfacing as ERRORs halfway through. Returns the file per `<pair id>/<slot>`.
 */
export async function resolveImageFiles(set: PairSet): Promise<Map<string, string>> {
  const slots = set.pairs.flatMap((pair) => ([0, 1] as const).map((slot) => ({ pair, slot })));
  // All looked up in one listing of the images folder (a file-system round trip per image added up to
  // tens of ms), then reported in set order.
  const snapshot = new ImageFolderSnapshot();
  const found = await Promise.all(
    slots.map(({ pair, slot }) => findImageFile(pair.images[slot], set.imagesDir, snapshot)),
  );
  const files = new Map<string, string>();
  const missing: string[] = [];
  slots.forEach(({ pair, slot }, index) => {
    const file = found[index] ?? null;
    if (file === null) {
      const image = pair.images[slot];
      missing.push(
        `  pair ${pair.id}, image ${slot + 1}: ${imageCandidates(image, set.imagesDir)[0] ?? image.localId}`,
      );
    } else {
      files.set(imageSlotKey(pair.id, slot), file);
    }
  });
  if (missing.length > 0) {
    const shown = missing.slice(0, 20);
    const more = missing.length > shown.length ? `\n  … and ${missing.length - shown.length} more` : '';
    throw new UserFacingError(
      'PROBE_IMAGES_MISSING',
      `${missing.length} image(s) are missing (run \`mediconfusion data fetch\`, or pass --dataset DIR):\n${shown.join('\n')}${more}`,
    );
  }
  return files;
}

/** Reads one image for a request; the bytes live only as long as the request that needs them. */
export async function loadImage(file: string, where: string): Promise<ImageInput> {
  const bytes = await readFile(file);
  const mediaType = sniffMediaType(bytes);
  if (mediaType === null) {
    throw new UserFacingError(
      'PROBE_IMAGE_INVALID',
      `${where}: ${file} is not a JPEG, PNG, GIF or WebP image.`,
    );
  }
  return { bytes, mediaType, sha256: createHash('sha256').update(bytes).digest('hex') };
}
