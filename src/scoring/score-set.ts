import type { ConfusingPair, PairSet } from '../dataset/model.js';
import type { ImageAnswers } from './answer-files.js';
import { chooseOption, DEFAULT_THRESHOLD } from './choice.js';
import { buildCountTable, type OfficialScoreTable } from './count-table.js';
import type { OptionScores } from './mc-parser.js';
import { type PairScore, scorePair } from './pair-score.js';
import { buildSummaryTable, type SummaryTable } from './summary-table.js';

export interface ScoredPair {
  pair: ConfusingPair;
  /** The option scores the choices were made from. */
  scores: ImageAnswers;
  score: PairScore;
}

export interface SetScore {
  threshold: number;
  pairs: ScoredPair[];
  counts: OfficialScoreTable;
  summary: SummaryTable;
}

/**
 * Scores option scores per pair id against a set: choice with the official threshold, pair outcome, count
 * table, printed table. Pairs without an entry in `answers` add nothing to the counts (the `All` row still
 * divides by the set's size, as the official script does).
 */
export function scoreSet(
  set: PairSet,
  answers: ReadonlyMap<string, ImageAnswers>,
  threshold = DEFAULT_THRESHOLD,
): SetScore {
  const pairs: ScoredPair[] = [];
  for (const pair of set.pairs) {
    const scores = answers.get(pair.id);
    if (scores === undefined) continue;
    const chosen = [chooseOption(scores[0], threshold), chooseOption(scores[1], threshold)] as const;
    pairs.push({ pair, scores, score: scorePair(pair, [chosen[0], chosen[1]]) });
  }
  const counts = buildCountTable(set, pairs);
  return { threshold, pairs, counts, summary: buildSummaryTable(set, counts) };
}

/** One pair in the layout of the official per-pair records (flags as 0/1, `-` for no choice). */
export interface OfficialPairRecord {
  im1_parsed: OptionScores;
  im2_parsed: OptionScores;
  im1_answer_key: string;
  im2_answer_key: string;
  im1_chosen: string;
  im2_chosen: string;
  im1_correct: number;
  im2_correct: number;
  im1_invalid: number;
  im2_invalid: number;
  confused: number;
  set_correct: number;
}

export function officialPairRecord({ pair, scores, score }: ScoredPair): OfficialPairRecord {
  const flag = (value: boolean) => (value ? 1 : 0);
  return {
    im1_parsed: { A: scores[0].A, B: scores[0].B },
    im2_parsed: { A: scores[1].A, B: scores[1].B },
    im1_answer_key: pair.images[0].correct,
    im2_answer_key: pair.images[1].correct,
    im1_chosen: score.chosen[0] ?? '-',
    im2_chosen: score.chosen[1] ?? '-',
    im1_correct: flag(score.correct[0]),
    im2_correct: flag(score.correct[1]),
    im1_invalid: flag(score.invalid[0]),
    im2_invalid: flag(score.invalid[1]),
    confused: flag(score.confused),
    set_correct: flag(score.setCorrect),
  };
}
