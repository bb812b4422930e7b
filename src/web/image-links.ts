import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { findImageFile } from '../dataset/images.js';
import type { ConfusingPair, ImageSlot, PairSet } from '../dataset/model.js';

/**
 * Image URLs that tell nothing: a random token per (session, round, image), mapped to the file on the server.
 * A file name (`head-left-lesion.png`), a local id or a pair id in the URL could give the answer away or let
 * someone look it up, so none of them ever reaches the browser.
 */

export interface ImageFile {
  file: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

export class ImageLinks {
  private readonly byToken = new Map<string, ImageFile & { session: string }>();
  private readonly byKey = new Map<string, string>();

  constructor(private readonly set: PairSet) {}

  /** The two image URLs of a round, made on first use and stable for the round's life. */
  async urlsFor(sessionId: string, round: number, pair: ConfusingPair): Promise<[string, string]> {
    const url = async (slot: ImageSlot) => {
      const key = `${sessionId}\u0000${round}\u0000${slot}`;
      let token = this.byKey.get(key);
      if (token === undefined) {
        const image = pair.images[slot];
        const file = (await findImageFile(image, this.set.imagesDir)) ?? image.file ?? '';
        token = randomBytes(16).toString('base64url');
        const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
        this.byToken.set(token, { file, contentType, session: sessionId });
        this.byKey.set(key, token);
      }
      return `/img/${token}`;
    };
    return [await url(0), await url(1)];
  }

  resolve(token: string): ImageFile | undefined {
    return this.byToken.get(token);
  }

  /** Forgets a finished session's links (a new session gets new ones). */
  forgetSession(sessionId: string): void {
    for (const [token, entry] of this.byToken) if (entry.session === sessionId) this.byToken.delete(token);
    for (const key of this.byKey.keys()) if (key.startsWith(`${sessionId}\u0000`)) this.byKey.delete(key);
  }
}
