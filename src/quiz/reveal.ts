import type { ConfusingPair, ImageSlot, Option } from '../dataset/model.js';
import { type PairScore, scorePair } from '../scoring/pair-score.js';
import { chosenOf, completionMs, type PersonRound } from './answers.js';
import { type CrowdImage, type CrowdPair, closedRoundMember, crowdFigures } from './crowd-figures.js';
import { pmcArticleUrl } from './pairs.js';
import type { ClosedBy, ModelOutcome } from './records.js';
import type { ModelPendingCode } from './recovery-note.js';

/** One image of a revealed round, with the crowd's figures for it (src/quiz/crowd-figures.ts). */
export interface ImageReveal extends CrowdImage {
  slot: ImageSlot;
  correct: Option;
  /** The text of the correct option. */
  correctText: string;
  caption: string;
  categories: string[];
  pmcArticle: string | null;
  /** The source article on PubMed Central, when known. */
  sourceUrl: string | null;
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
  /** `reason`: the model source's own account of the failure (platform-neutral). */
  | { modelId: string; status: 'failed'; reason: string }
  /** No answer by the reveal; each front end words `code` for its platform (src/quiz/recovery-note.ts). */
  | { modelId: string; status: 'pending'; code: ModelPendingCode };

export interface RoundReveal {
  sessionId: string;
  roomId: string;
  /** The round's index in the session (counting skipped rounds). */
  round: number;
  pair: ConfusingPair;
  images: [ImageReveal, ImageReveal];
  /** The crowd's figures for the pair; the denominators are defined in src/quiz/crowd-figures.ts. */
  people: CrowdPair;

  /** Everyone's result, fastest complete answer first. */
  persons: PersonResult[];
  models: ModelReveal[];
  closedAt: number;
  closedBy: ClosedBy;
}

/**
 * One model's part of a reveal. Why a model is pending follows from who closed the round (the engine
 * stores a sentence in older records, a code in newer ones): a restart cut it off, or it was still
 * answering.
 */
export function revealModel(pair: ConfusingPair, outcome: ModelOutcome, closedBy: ClosedBy): ModelReveal {
  if (outcome.status === 'pending') {
    return {
      modelId: outcome.modelId,
      status: 'pending',
      code: closedBy === 'recovery' ? 'RESTARTED' : 'STILL_ANSWERING',
    };
  }
  if (outcome.status === 'failed') return outcome;
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

  // Every answer to a revealed round is final: each person who answered an image is in the crowd.
  const crowd = crowdFigures(
    pair,
    persons.map((p) => closedRoundMember(p.score.chosen)),
  );
  const image = (slot: ImageSlot): ImageReveal => {
    const img = pair.images[slot];
    return {
      slot,
      correct: img.correct,
      correctText: pair.options[img.correct],
      caption: img.caption,
      categories: img.categories,
      pmcArticle: img.pmcArticle,
      sourceUrl: pmcArticleUrl(img.pmcArticle),
      ...crowd.images[slot],
    };
  };

  return {
    sessionId: input.sessionId,
    roomId: input.roomId,
    round: input.round,
    pair,
    images: [image(0), image(1)],
    people: crowd.pair,
    persons,
    models: input.models.map((m) => revealModel(pair, m, input.closedBy)),
    closedAt: input.closedAt,
    closedBy: input.closedBy,
  };
}
