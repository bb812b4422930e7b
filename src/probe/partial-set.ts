import { completeSubset, pairCompleteness } from '../dataset/completeness.js';
import type { PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import type { RunCoverage } from './records.js';

/**
 * The pairs a probe run can ask: every pair whose two images are on disk. A partial download gives a
 * partial run rather than ERROR answers: the run asks the complete pairs only, scores them with their
 * own denominators and records its coverage, since its numbers are not comparable to the leaderboard.
 */
export async function askablePairs(set: PairSet): Promise<{ set: PairSet; coverage: RunCoverage | null }> {
  const completeness = await pairCompleteness(set);
  if (completeness.incomplete.length === 0) return { set, coverage: null };
  if (completeness.complete.length === 0) {
    throw new UserFacingError(
      'PROBE_IMAGES_MISSING',
      `None of the ${set.pairs.length} pairs has both images in ${set.imagesDir} (${completeness.missingImages.length} of ${completeness.imageCount} images missing). Run \`mediconfusion data fetch\`, and \`mediconfusion data status\` to see what could not be had.`,
    );
  }
  return {
    set: completeSubset(set, completeness),
    coverage: {
      completePairs: completeness.complete.length,
      totalPairs: set.pairs.length,
      missingImages: completeness.missingImages
        .map((image) => image.localId)
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
    },
  };
}

/** The lines a report prints for a run over a partial set. */
export function coverageNotice(coverage: RunCoverage, pairsAsked: number): string {
  const subset = pairsAsked < coverage.completePairs ? ` (this run asked ${pairsAsked} of them)` : '';
  return (
    `PARTIAL SET: ${coverage.missingImages.length} image(s) are missing from the data folder, so only the ` +
    `${coverage.completePairs} of ${coverage.totalPairs} pairs with both images could be asked${subset}. ` +
    `These numbers cover those pairs only and are not comparable to the leaderboard; every denominator ` +
    `(the categories' and All's) counts the pairs asked. \`mediconfusion data status\` shows what is missing.`
  );
}
