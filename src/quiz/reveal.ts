import type { ConfusingPair, ImageSlot, Option } from '../dataset/model.js';
import { type PairScore, scorePair } from '../scoring/pair-score.js';
import { chosenOf, completionMs, type PersonRound } from './answers.js';
import { pmcArticleUrl } from './pairs.js';
import type { ClosedBy, ModelOutcome } from './records.js';

export interface ImageReveal {
  slot: ImageSlot;
  correct: Option;
  /** The text of the correct option. */
  correctText: string;
  caption: string;
  categories: string[];
  pmcArticle: string | null;
  /** The source article on PubMed Central, when known. */
  sourceUrl: string | null;
  /** People who answered this image, and how many picked each option. */
  answered: number;
  picks: Record<Option, number>;
  right: number;
  /** Percent of those who answered this image who got it right; null when nobody answered it. */
  rightShare: number | null;
}

export interface PersonResult {
  userId: string;
  displayName: string;
  /** Scored exactly like a model's answer: an image left unanswered counts as an invalid answer. */
  score: PairScore;
  /** Time to finish the pair (the later click), null if an image was left unanswered. */
  responseMs: number | null;
}

export type ModelReveal =
  | {
      modelId: string;
      status: 'answered';
      raw: [string | null, string | null];
      score: PairScore;
      /** The model's probability of each chosen option, when known. */
      confidence?: [number | null, number | null];
    }
  | { modelId: string; status: 'failed' | 'pending'; reason: string };

export interface RoundReveal {
  sessionId: string;
  roomId: string;
  /** The round's index in the session (counting skipped rounds). */
  round: number;
  pair: ConfusingPair;
  images: [ImageReveal, ImageReveal];
  people: {
    /** Answered at least one image. */
    participants: number;
    /** Answered both images. */
    completed: number;
    setCorrect: number;
    /** Percent of participants with both images right; null when nobody answered. */
    setAccuracy: number | null;
    confused: number;
    /** Percent of those who answered both images who picked the same option twice; null if none did. */
    confusion: number | null;
  };
  /** Everyone's result, fastest complete answer first. */
  persons: PersonResult[];
  models: ModelReveal[];
  closedAt: number;
  closedBy: ClosedBy;
}

const percent = (k: number, n: number): number | null => (n === 0 ? null : (k / n) * 100);

export function revealModel(pair: ConfusingPair, outcome: ModelOutcome): ModelReveal {
  if (outcome.status !== 'answered') return outcome;
  return {
    modelId: outcome.modelId,
    status: 'answered',
    raw: outcome.raw,
    score: scorePair(pair, outcome.chosen),
    ...(outcome.confidence ? { confidence: outcome.confidence } : {}),
  };
}

/** Everything the reveal shows, computed from the round's answers and the models' outcomes. */
export function computeReveal(input: {
  sessionId: string;
  roomId: string;
  round: number;
  pair: ConfusingPair;
  people: Iterable<PersonRound>;
  models: readonly ModelOutcome[];
  closedAt: number;
  closedBy: ClosedBy;
}): RoundReveal {
  const { pair } = input;
  const persons: PersonResult[] = [];
  for (const person of input.people) {
    persons.push({
      userId: person.userId,
      displayName: person.displayName,
      score: scorePair(pair, chosenOf(person)),
      responseMs: completionMs(person),
    });
  }
  persons.sort(
    (a, b) =>
      (a.responseMs ?? Number.POSITIVE_INFINITY) - (b.responseMs ?? Number.POSITIVE_INFINITY) ||
      a.userId.localeCompare(b.userId),
  );

  const image = (slot: ImageSlot): ImageReveal => {
    const img = pair.images[slot];
    const picks: Record<Option, number> = { A: 0, B: 0 };
    for (const p of persons) {
      const chosen = p.score.chosen[slot];
      if (chosen !== null) picks[chosen]++;
    }
    const answered = picks.A + picks.B;
    const right = picks[img.correct];
    return {
      slot,
      correct: img.correct,
      correctText: pair.options[img.correct],
      caption: img.caption,
      categories: img.categories,
      pmcArticle: img.pmcArticle,
      sourceUrl: pmcArticleUrl(img.pmcArticle),
      answered,
      picks,
      right,
      rightShare: percent(right, answered),
    };
  };

  const completed = persons.filter((p) => !p.score.invalid[0] && !p.score.invalid[1]).length;
  const setCorrect = persons.filter((p) => p.score.setCorrect).length;
  const confused = persons.filter((p) => p.score.confused).length;
  return {
    sessionId: input.sessionId,
    roomId: input.roomId,
    round: input.round,
    pair,
    images: [image(0), image(1)],
    people: {
      participants: persons.length,
      completed,
      setCorrect,
      setAccuracy: percent(setCorrect, persons.length),
      confused,
      confusion: percent(confused, completed),
    },
    persons,
    models: input.models.map((m) => revealModel(pair, m)),
    closedAt: input.closedAt,
    closedBy: input.closedBy,
  };
}
