import type { ConfusingPair, Option } from '../dataset/model.js';
import type { PairScore } from '../scoring/pair-score.js';
import type { TrainingLevel } from './profile.js';

/** One person's answer to one pair in one context (a baseline pair, or a quiz round). */
export interface AnsweredPair {
  participant: string;
  group: TrainingLevel | 'unspecified';
  pair: ConfusingPair;
  chosen: [Option | null, Option | null];
  score: PairScore;
  seenBefore: [boolean, boolean];
}
