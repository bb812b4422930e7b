import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import { baselineMember, type CrowdImage, crowdFigures } from '../quiz/crowd-figures.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { pmcArticleUrl } from '../quiz/pairs.js';
import { type PairScore, scorePair } from '../scoring/pair-score.js';
import type { ConsentRequired, Enrolment } from './enrolment.js';
import type { PairAnswers } from './participant-history.js';
import { type BaselineRefusal, refuse } from './refusals.js';
import { majorityOption } from './statistics.js';
import { answerKey, type BaselineCollections, pairPrefix } from './store-layout.js';

export interface ImageRevealView {
  slot: ImageSlot;
  localId: string;
  correct: Option;
  correctText: string;
  caption: string;
  categories: string[];
  sourceUrl: string | null;
  yours: Option | null;
  right: boolean;
  seenBefore: boolean;
  /** Everyone who finished the pair in the baseline (you included). */
  crowd: CrowdImage;
}

export type ModelRevealView =
  | { modelId: string; status: 'answered'; chosen: [Option | null, Option | null]; score: PairScore }
  | { modelId: string; status: 'failed'; reason: string };

export interface PairReveal {
  setName: string;
  pairId: string;
  question: string;
  options: Record<Option, string>;
  images: [ImageRevealView, ImageRevealView];
  you: { score: PairScore; responseMs: number };
  crowd: {
    /** People who finished this pair in the baseline (you included). */
    participants: number;
    setCorrect: number;
    /** Percent; null when nobody finished the pair. */
    setAccuracy: number | null;
    /** The majority's answer per image (null on a tie), scored like a model's. */
    majority: [Option | null, Option | null];
  };
  models: ModelRevealView[];
}

export type RevealResult = ConsentRequired | BaselineRefusal | { ok: true; reveal: PairReveal };

export interface PairRevealerOptions {
  db: BaselineCollections;
  set: PairSet;
  pairs: Map<string, ConfusingPair>;
  enrolment: Enrolment;
  log: Logger;
  /** Models whose answers a participant sees once they have finished a pair. */
  models: { source: ModelAnswerSource; ids: readonly string[] } | null;
  /** How long a reveal waits for a model's answer before showing it as unavailable. */
  modelTimeoutMs: number;
}

/**
 * What a participant sees once they have finished a pair: the right answers, their own score, the crowd's
 * split (src/quiz/crowd-figures.ts, the one definition) and the models' answers.
 */
export class PairRevealer {
  constructor(private readonly o: PairRevealerOptions) {}

  /** The answers, the crowd's split and the models' answers of a pair, once the participant has finished it. */
  async reveal(userId: string, pairId: string): Promise<RevealResult> {
    const { db, set, enrolment } = this.o;
    const participant = enrolment.pseudonymOf(userId);
    const gate = await enrolment.gate(participant);
    if (gate !== null) return gate;
    const pair = this.o.pairs.get(pairId);
    if (pair === undefined)
      return refuse('UNKNOWN_PAIR', `There is no pair ${pairId} in the ${set.name} set.`);
    const [first, second] = await db.answers.getMany([
      answerKey(participant, set.name, pairId, 0),
      answerKey(participant, set.name, pairId, 1),
    ]);
    if (first === undefined || second === undefined) {
      return refuse('NOT_ANSWERED', 'Answer both images of this pair first; then you will see how it went.');
    }
    return { ok: true, reveal: await this.build(pair, [first, second]) };
  }

  /** The reveal of `pair` for a participant whose answers to it are `mine`. */
  async build(pair: ConfusingPair, mine: PairAnswers): Promise<PairReveal> {
    const people = new Map<string, [Option | null, Option | null]>();
    for await (const [, r] of this.o.db.pairAnswers.entries(pairPrefix(this.o.set.name, pair.id))) {
      const chosen = people.get(r.participant) ?? [null, null];
      chosen[r.slot] = r.option;
      people.set(r.participant, chosen);
    }
    // A participant is in the crowd once they have finished the pair (src/quiz/crowd-figures.ts).
    const crowd = crowdFigures(pair, [...people.values()].map(baselineMember));
    const yours: [Option | null, Option | null] = [mine[0]?.option ?? null, mine[1]?.option ?? null];
    const image = (slot: ImageSlot): ImageRevealView => {
      const img = pair.images[slot];
      return {
        slot,
        localId: img.localId,
        correct: img.correct,
        correctText: pair.options[img.correct],
        caption: img.caption,
        categories: [...img.categories],
        sourceUrl: pmcArticleUrl(img.pmcArticle),
        yours: yours[slot],
        right: yours[slot] === img.correct,
        seenBefore: mine[slot]?.seenBefore ?? false,
        crowd: { ...crowd.images[slot], picks: { ...crowd.images[slot].picks } },
      };
    };
    return {
      setName: this.o.set.name,
      pairId: pair.id,
      question: pair.question,
      options: { ...pair.options },
      images: [image(0), image(1)],
      you: {
        score: scorePair(pair, yours),
        responseMs: Math.max(mine[0]?.responseMs ?? 0, mine[1]?.responseMs ?? 0),
      },
      crowd: {
        participants: crowd.pair.participants,
        setCorrect: crowd.pair.setCorrect,
        setAccuracy: crowd.pair.setAccuracy,
        majority: [majorityOption(crowd.images[0].picks), majorityOption(crowd.images[1].picks)],
      },
      models: await this.modelReveals(pair),
    };
  }

  private async modelReveals(pair: ConfusingPair): Promise<ModelRevealView[]> {
    if (this.o.models === null) return [];
    const { source, ids } = this.o.models;
    return Promise.all(
      ids.map(async (modelId): Promise<ModelRevealView> => {
        try {
          const answer = await source.answersFor(modelId, pair, {
            signal: AbortSignal.timeout(this.o.modelTimeoutMs),
          });
          return answer.ok
            ? { modelId, status: 'answered', chosen: answer.chosen, score: scorePair(pair, answer.chosen) }
            : { modelId, status: 'failed', reason: answer.reason };
        } catch (err) {
          this.o.log.error({ err, modelId, pairId: pair.id }, 'model answer source failed');
          return { modelId, status: 'failed', reason: 'the model could not be reached' };
        }
      }),
    );
  }
}
