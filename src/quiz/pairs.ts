import type { ConfusingPair, PairSet } from '../dataset/model.js';
import { type RandomSource, shuffled } from '../random.js';
import { quizError } from './quiz-errors.js';

/** The set's own spelling of a category typed in any case, or an UNKNOWN_CATEGORY error listing the choices. */
export function resolveCategory(set: PairSet, category: string): string {
  const wanted = category.trim().toLowerCase();
  const found = set.categories.find((c) => c.toLowerCase() === wanted);
  if (found === undefined) {
    throw quizError(
      'UNKNOWN_CATEGORY',
      `There is no category "${category}". Choose one of: ${set.categories.join(', ')}.`,
    );
  }
  return found;
}

/** A pair belongs to a category when either of its images lists it. */
export function pairHasCategory(pair: ConfusingPair, category: string): boolean {
  return pair.images[0].categories.includes(category) || pair.images[1].categories.includes(category);
}

/**
 * The order in which a session shows pairs: every eligible pair once, shuffled. A session takes rounds from
 * the front of this list, and a skipped round simply moves on to the next one, so no pair can come twice.
 */
export function drawPairOrder(set: PairSet, category: string | null, random: RandomSource): string[] {
  const eligible = category === null ? set.pairs : set.pairs.filter((p) => pairHasCategory(p, category));
  if (eligible.length === 0) {
    throw quizError(
      'NO_PAIRS',
      category === null
        ? 'The question set is empty.'
        : `No question in the set has the category ${category}.`,
    );
  }
  return shuffled(
    eligible.map((p) => p.id),
    random,
  );
}

/** A lookup from pair id to pair, built once per set. */
export function indexPairs(set: PairSet): Map<string, ConfusingPair> {
  return new Map(set.pairs.map((p) => [p.id, p]));
}

/** The article page of a PMC id (`PMC3284869`), for the reveal's "source" link. */
export function pmcArticleUrl(pmcArticle: string | null): string | null {
  return pmcArticle === null ? null : `https://pmc.ncbi.nlm.nih.gov/articles/${pmcArticle}/`;
}

/** The pair a session refers to, from the loaded set's index (`indexPairs`). */
export function pairOf(
  set: PairSet,
  pairs: ReadonlyMap<string, ConfusingPair>,
  pairId: string,
): ConfusingPair {
  const pair = pairs.get(pairId);
  // A session refers to pairs of the set it was started with; a different set loaded after a restart is
  // an operator error that must not be papered over.
  if (pair === undefined) throw new Error(`quiz: pair ${pairId} is not in the loaded set "${set.name}"`);
  return pair;
}
