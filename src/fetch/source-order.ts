import { UserFacingError } from '../errors.js';

/**
 * The network sources `data fetch` can take images from, by the names users write in `--sources`
 * and IMAGE_SOURCES. A `--from` folder is not one of them: when given, it is always tried first.
 */
export const IMAGE_SOURCE_NAMES = ['pmc-cloud', 'roco-mirror', 'pmc-legacy'] as const;
export type ImageSourceName = (typeof IMAGE_SOURCE_NAMES)[number];

/**
 * The order used when neither `--sources` nor IMAGE_SOURCES says otherwise. The legacy FTP packages
 * are left out: NLM removed them in August 2026, so they only help with a mirror (PMC_LEGACY_URL).
 */
export const DEFAULT_IMAGE_SOURCES: readonly ImageSourceName[] = ['pmc-cloud', 'roco-mirror'];

function isSourceName(value: string): value is ImageSourceName {
  return (IMAGE_SOURCE_NAMES as readonly string[]).includes(value);
}

/** Reads `pmc-cloud,roco-mirror`: comma-separated, each name once, at least one. */
export function parseImageSources(value: string, where: string): ImageSourceName[] {
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const known = IMAGE_SOURCE_NAMES.join(', ');
  if (names.length === 0) {
    throw new UserFacingError(
      'IMAGE_SOURCES_INVALID',
      `${where} names no image source. Use some of: ${known}.`,
    );
  }
  const seen = new Set<string>();
  const order: ImageSourceName[] = [];
  for (const name of names) {
    if (!isSourceName(name)) {
      throw new UserFacingError(
        'IMAGE_SOURCES_INVALID',
        `${where}: unknown image source "${name}". Use some of: ${known}, comma-separated, in the order to try them.`,
      );
    }
    if (seen.has(name)) {
      throw new UserFacingError('IMAGE_SOURCES_INVALID', `${where} names "${name}" twice.`);
    }
    seen.add(name);
    order.push(name);
  }
  return order;
}
