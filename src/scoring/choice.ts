import type { Option } from '../dataset/model.js';
import type { OptionScores } from './mc-parser.js';

/** The official margin one option's score must lead the other's by (`tr` in utils/answering.py). */
export const DEFAULT_THRESHOLD = 3;

/**
 * The official choice rule (`check_answer`): A if it leads B by at least the threshold, else B if it leads A
 * by at least the threshold, else no valid choice (`null`, printed `-`).
 */
export function chooseOption(scores: OptionScores, threshold = DEFAULT_THRESHOLD): Option | null {
  if (scores.A >= scores.B + threshold) return 'A';
  if (scores.B >= scores.A + threshold) return 'B';
  return null;
}

/** How the official outputs show a choice: the letter, or `-` for none. */
export function choiceLabel(choice: Option | null): Option | '-' {
  return choice ?? '-';
}
