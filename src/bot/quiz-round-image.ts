import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { findImageFile } from '../dataset/images.js';
import type { ConfusingPair, ImageSlot, PairImage } from '../dataset/model.js';
import type { Logger } from '../logger.js';

/**
 * The picture of a quiz round: both images of a pair side by side, each under a large "1" or "2", as one
 * JPEG that stays far below Discord's upload limit (at most 2048 px wide). The digits are drawn as vector
 * strokes rather than text, so the picture looks the same on a server without any fonts installed.
 *
 * Composites are cached by pair id and the hashes of both image files, so a pair shown again (another
 * session, a restart that re-posts a round) costs two file reads and two hashes, and a replaced image
 * file is never served from an old composite.
 */

export const COMPOSITE_MAX_WIDTH = 2048;
/** Panels are scaled to this height at most, and small images are enlarged up to the minimum. */
const PANEL_MAX_HEIGHT = 1024;
const PANEL_MIN_HEIGHT = 360;
const MARGIN = 16;
const GAP = 24;
const BACKGROUND = '#1e1f22';
/** Discord refuses uploads over 10 MiB on unboosted servers; keep well under it. */
export const UPLOAD_BUDGET_BYTES = 7 * 1024 * 1024;
const QUALITIES = [85, 70, 55, 40] as const;

export interface CompositeImage {
  bytes: Buffer;
  width: number;
  height: number;
  /** Images that could not be read and were drawn as a "missing" panel instead. */
  missing: ImageSlot[];
}

export interface OriginalImage {
  bytes: Buffer;
  /** `.jpg`, `.png`, … chosen from the content, for a neutral file name like `image-1.jpg`. */
  extension: string;
}

/** Stroke paths of the digits in a 100 × 140 box. */
const DIGIT_PATHS: Record<1 | 2, string> = {
  1: 'M30 38 L58 14 L58 126 M30 126 L86 126',
  2: 'M20 44 C20 4, 84 4, 82 44 C80 74, 40 94, 20 126 L86 126',
};

function headerHeight(panelHeight: number): number {
  return Math.max(56, Math.round(panelHeight * 0.12));
}

/** The band above the panels, with each panel's digit centred over it. */
function headerSvg(width: number, height: number, centres: [number, number]): Buffer {
  const glyphHeight = height * 0.78;
  const scale = glyphHeight / 140;
  const stroke = 16;
  const glyph = (digit: 1 | 2, centre: number) => {
    const x = centre - 50 * scale;
    const y = (height - glyphHeight) / 2;
    return `<g transform="translate(${x.toFixed(1)} ${y.toFixed(1)}) scale(${scale.toFixed(4)})"><path d="${DIGIT_PATHS[digit]}" fill="none" stroke="#ffffff" stroke-width="${stroke}" stroke-linecap="round" stroke-linejoin="round"/></g>`;
  };
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${glyph(1, centres[0])}${glyph(2, centres[1])}</svg>`,
  );
}

/** A grey panel crossed out, for an image file that is missing or unreadable. */
function missingPanelSvg(width: number, height: number): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="#4e5058"/><path d="M${width * 0.3} ${height * 0.3} L${width * 0.7} ${height * 0.7} M${width * 0.7} ${height * 0.3} L${width * 0.3} ${height * 0.7}" stroke="#b5bac1" stroke-width="${Math.max(6, width * 0.03)}" stroke-linecap="round"/></svg>`,
  );
}

interface Source {
  bytes: Buffer | null;
  width: number;
  height: number;
}

async function describe(bytes: Buffer | null): Promise<Source> {
  if (bytes === null) return { bytes: null, width: 1, height: 1 };
  try {
    // `autoOrient` reports the size as displayed, after any EXIF rotation.
    const meta = await sharp(bytes).metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    if (!width || !height) return { bytes: null, width: 1, height: 1 };
    return { bytes, width, height };
  } catch {
    return { bytes: null, width: 1, height: 1 };
  }
}

async function panel(source: Source, width: number, height: number): Promise<Buffer> {
  if (source.bytes !== null) {
    try {
      return await sharp(source.bytes)
        .rotate()
        .resize({ width, height, fit: 'fill' })
        .flatten({ background: BACKGROUND })
        .toBuffer();
    } catch {
      // Corrupt beyond its header: fall through to the missing panel.
    }
  }
  return sharp(missingPanelSvg(width, height)).png().toBuffer();
}

/**
 * Lays out two images (null or undecodable: a crossed-out panel) side by side at a common height, with
 * the digits 1 and 2 above them, and encodes the result as a JPEG within the upload budget.
 */
export async function composeSideBySide(left: Buffer | null, right: Buffer | null): Promise<CompositeImage> {
  const sources = await Promise.all([describe(left), describe(right)]);
  const missing = ([0, 1] as const).filter((slot) => sources[slot]?.bytes === null);
  const aspects = sources.map((s) => (s.bytes === null ? 1 : s.width / s.height)) as [number, number];
  const tallest = Math.max(...sources.map((s) => (s.bytes === null ? 0 : s.height)));
  let panelHeight = Math.min(PANEL_MAX_HEIGHT, Math.max(PANEL_MIN_HEIGHT, tallest));
  // Very wide images: shrink the common height until both fit in the maximum width.
  const fitHeight = (COMPOSITE_MAX_WIDTH - 2 * MARGIN - GAP) / (aspects[0] + aspects[1]);
  panelHeight = Math.max(64, Math.floor(Math.min(panelHeight, fitHeight)));
  const widths = aspects.map((a) => Math.max(16, Math.round(a * panelHeight))) as [number, number];
  const header = headerHeight(panelHeight);
  const width = MARGIN + widths[0] + GAP + widths[1] + MARGIN;
  const height = header + panelHeight + MARGIN;
  const [p1, p2] = await Promise.all([
    panel(sources[0] as Source, widths[0], panelHeight),
    panel(sources[1] as Source, widths[1], panelHeight),
  ]);
  const left2 = MARGIN + widths[0] + GAP;
  const canvas = sharp({ create: { width, height, channels: 3, background: BACKGROUND } }).composite([
    { input: headerSvg(width, header, [MARGIN + widths[0] / 2, left2 + widths[1] / 2]), top: 0, left: 0 },
    { input: p1, top: header, left: MARGIN },
    { input: p2, top: header, left: left2 },
  ]);
  const flat = await canvas.png({ compressionLevel: 0 }).toBuffer();
  let bytes = Buffer.alloc(0);
  for (const quality of QUALITIES) {
    bytes = await sharp(flat).jpeg({ quality, mozjpeg: true }).toBuffer();
    if (bytes.length <= UPLOAD_BUDGET_BYTES) break;
  }
  return { bytes, width, height, missing };
}

const EXTENSIONS: Record<string, string> = { jpeg: '.jpg', png: '.png', webp: '.webp', gif: '.gif' };

export interface RoundImagesOptions {
  imagesDir: string;
  log: Logger;
  /** How many composites to keep in memory (default 48, ~10 MB with typical figures). */
  maxEntries?: number;
}

/** Reads a pair's image files and builds (or reuses) its composite. */
export class RoundImages {
  private readonly cache = new Map<string, Promise<CompositeImage>>();
  private readonly maxEntries: number;

  constructor(private readonly options: RoundImagesOptions) {
    this.maxEntries = options.maxEntries ?? 48;
  }

  private async read(pair: ConfusingPair, slot: ImageSlot): Promise<Buffer | null> {
    const image: PairImage = pair.images[slot];
    const file = await findImageFile(image, this.options.imagesDir);
    if (file === null) {
      this.options.log.warn(
        { pairId: pair.id, image: slot + 1, localId: image.localId },
        'quiz image missing; showing a placeholder panel (run `mediconfusion data fetch`)',
      );
      return null;
    }
    try {
      return await readFile(file);
    } catch (err) {
      this.options.log.warn({ err, pairId: pair.id, file: path.basename(file) }, 'quiz image unreadable');
      return null;
    }
  }

  /**
   * Builds one throw-away composite of two placeholder panels, so that loading sharp's codecs and starting
   * its worker threads happens at start-up rather than while the first round is being posted.
   */
  async warmUp(): Promise<void> {
    await composeSideBySide(null, null);
  }

  /** The composite for a pair, from the cache when both files are unchanged. */
  async composite(pair: ConfusingPair): Promise<CompositeImage> {
    const files = await Promise.all([this.read(pair, 0), this.read(pair, 1)]);
    const hash = (bytes: Buffer | null) =>
      bytes === null ? 'missing' : createHash('sha256').update(bytes).digest('hex').slice(0, 32);
    const key = `${pair.id}:${hash(files[0])}:${hash(files[1])}`;
    let entry = this.cache.get(key);
    if (entry === undefined) {
      entry = composeSideBySide(files[0], files[1]);
      // A failed build must not be served again.
      entry.catch(() => this.cache.delete(key));
      this.cache.set(key, entry);
      while (this.cache.size > this.maxEntries) {
        const oldest = this.cache.keys().next().value;
        if (oldest === undefined) break;
        this.cache.delete(oldest);
      }
    } else {
      // Refresh its place so the least recently used entry is the one dropped.
      this.cache.delete(key);
      this.cache.set(key, entry);
    }
    return entry;
  }

  /**
   * Both images as they are on disk, for "Full size"; one over the upload budget is re-encoded as a JPEG
   * at most 4096 px on its longer side. Null for an image that is missing.
   */
  async originals(pair: ConfusingPair): Promise<[OriginalImage | null, OriginalImage | null]> {
    const files = await Promise.all([this.read(pair, 0), this.read(pair, 1)]);
    const prepare = async (bytes: Buffer | null): Promise<OriginalImage | null> => {
      if (bytes === null) return null;
      let format: string | undefined;
      try {
        format = (await sharp(bytes).metadata()).format;
      } catch {
        return null;
      }
      if (bytes.length <= UPLOAD_BUDGET_BYTES && format !== undefined && format in EXTENSIONS) {
        return { bytes, extension: EXTENSIONS[format] ?? '.jpg' };
      }
      const smaller = await sharp(bytes)
        .rotate()
        .resize({ width: 4096, height: 4096, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 85, mozjpeg: true })
        .toBuffer();
      return { bytes: smaller, extension: '.jpg' };
    };
    return [await prepare(files[0] ?? null), await prepare(files[1] ?? null)];
  }
}
