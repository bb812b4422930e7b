import type { ConfusingPair, Option } from '../dataset/model.js';

/** The outcome of one confusing pair, whoever answered it (a model or a person). */
export interface PairScore {
  /** The option chosen for each image; null when the answer was invalid (no clear choice). */
  chosen: [Option | null, Option | null];
  correct: [boolean, boolean];
  invalid: [boolean, boolean];
  /** The same valid option was chosen for both images, although they need different answers. */
  confused: boolean;
  /** Both images answered correctly: the benchmark's set accuracy counts these. */
  setCorrect: boolean;
}

/** Scores the choices for a pair's two images with the official definitions (`get_score`). */
export function scorePair(pair: ConfusingPair, chosen: [Option | null, Option | null]): PairScore {
  const correct: [boolean, boolean] = [
    chosen[0] === pair.images[0].correct,
    chosen[1] === pair.images[1].correct,
  ];
  return {
    chosen: [chosen[0], chosen[1]],
    correct,
    invalid: [chosen[0] === null, chosen[1] === null],
    confused: chosen[0] !== null && chosen[0] === chosen[1],
    setCorrect: correct[0] && correct[1],
  };
}
