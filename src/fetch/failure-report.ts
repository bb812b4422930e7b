import type { Attempt } from './fetch-data.js';

/** One image that could not be had, as the fetch summary and `data status` show it. */
export interface ImageFailure {
  /** `images/20192.jpg` */
  path: string;
  /** `train/radiology/images/ROCO_28778.jpg, PMC3284869/1752-1947-6-45-2.jpg` */
  describes: string | undefined;
  article: string | undefined;
  /** The article's licence as a source stated it; undefined or null when none did. */
  licence: string | null | undefined;
  attempts: readonly Attempt[];
}

/** Answers that another try may change: the source was down or slow, not without the figure. */
const PASSING_TROUBLE = /HTTP (5\d\d|429|408)|timed out|fetch failed|ECONN|ETIMEDOUT|EAI_AGAIN|socket/i;

function licenceText(licence: string | null | undefined): string {
  if (!licence) return 'licence unknown (no source stated it)';
  return `licence ${licence} (as PMC's article metadata states it)`;
}

/** True for a licence that is not Creative Commons: PMC's cloud may then leave its figures out. */
export function isRestrictedLicence(licence: string | null | undefined): boolean {
  return typeof licence === 'string' && !/^CC(0| |-|$)/i.test(licence.trim());
}

/** What the user can do about one image, from what the sources answered. */
export function adviceFor(failure: Pick<ImageFailure, 'licence' | 'attempts'>): string {
  if (failure.attempts.length > 0 && failure.attempts.some((a) => PASSING_TROUBLE.test(a.reason))) {
    return 'a source did not answer properly: run `mediconfusion data fetch --only images` again later.';
  }
  const importIt =
    "import the image with `mediconfusion data fetch --only images --from DIR` (the official download script's data/images, or a ROCO checkout)";
  const mirror =
    'or point ROCO_MIRROR_DATASET at another ROCO copy, or PMC_LEGACY_URL at a mirror of the old packages and add pmc-legacy to --sources';
  if (isRestrictedLicence(failure.licence)) {
    return `its article is not under a Creative Commons licence, so PMC may not redistribute it: ${importIt}, ${mirror}.`;
  }
  return `no source has it: ${importIt}, ${mirror}.`;
}

/** The lines for one failed image: what it is, its article and licence, each source's answer, what to do. */
export function formatImageFailure(failure: ImageFailure): string[] {
  const lines = [`  ${failure.path}${failure.describes ? ` (${failure.describes})` : ''}`];
  if (failure.article) lines.push(`    article ${failure.article}, ${licenceText(failure.licence)}`);
  if (failure.attempts.length === 0) lines.push('    no source was tried');
  for (const attempt of failure.attempts)
    lines.push(`    ${attempt.source}: ${attempt.reason} [${attempt.url}]`);
  if (failure.article) lines.push(`    what to do: ${adviceFor(failure)}`);
  return lines;
}
