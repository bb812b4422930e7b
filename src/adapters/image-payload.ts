import type { ImageInput } from './types.js';

export interface ImagePayload {
  mediaType: ImageInput['mediaType'];
  base64: string;
}

/**
 * The image as a provider receives it: by default the original bytes untouched, as the official
 * harness sends them. With `maxSide` (models file `maxImageSide`), images larger than that on their
 * longer side are shrunk to fit, keeping the aspect ratio, and re-encoded in the same format (GIF as PNG).
 */
export async function imagePayload(image: ImageInput, maxSide: number | null): Promise<ImagePayload> {
  if (maxSide === null)
    return { mediaType: image.mediaType, base64: Buffer.from(image.bytes).toString('base64') };
  // Loaded only when resizing: libvips takes longer to load than the probe takes to start.
  const { default: sharp } = await import('sharp');
  const input = sharp(image.bytes, { animated: false });
  const { width, height } = await input.metadata();
  if (width <= maxSide && height <= maxSide) {
    return { mediaType: image.mediaType, base64: Buffer.from(image.bytes).toString('base64') };
  }
  const resized = input.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  const [encoded, mediaType] =
    image.mediaType === 'image/jpeg'
      ? [resized.jpeg({ quality: 90 }), image.mediaType]
      : image.mediaType === 'image/webp'
        ? [resized.webp({ quality: 90 }), image.mediaType]
        : [resized.png(), 'image/png' as const];
  return { mediaType, base64: (await encoded.toBuffer()).toString('base64') };
}
