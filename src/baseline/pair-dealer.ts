import path from 'node:path';
import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import type { Clock } from '../quiz/clock.js';
import type { RandomSource } from '../random.js';
import type { ConsentRequired, Enrolment } from './enrolment.js';
import type { BaselineProgress, HistoryReader, PairAnswers } from './participant-history.js';
import type { ParticipantLocks } from './participant-locks.js';
import type { ProgressRecord } from './records.js';
import { type BaselineCollections, progressKey } from './store-layout.js';

export interface BaselineImage {
  slot: ImageSlot;
  localId: string;
  /** Where the front end finds the picture (custom sets: the file; official: `<images>/<local>.jpg`). */
  file: string;
}

/** A pair to answer: nothing in it gives an answer away (no key, captions or categories). */
export interface BaselineQuestion {
  setName: string;
  pairId: string;
  question: string;
  options: Record<Option, string>;
  images: [BaselineImage, BaselineImage];
  shownAt: number;
  /** What the participant has answered so far: put the pair's own choices back on screen after a restart. */
  choices: [Option | null, Option | null];
}

export type NextPairResult =
  | ConsentRequired
  /** `question` null: every pair is answered. */
  | { ok: true; question: BaselineQuestion | null; progress: BaselineProgress };

export interface PairDealerOptions {
  db: BaselineCollections;
  set: PairSet;
  pairs: Map<string, ConfusingPair>;
  enrolment: Enrolment;
  history: HistoryReader;
  locks: ParticipantLocks;
  clock: Clock;
  random: RandomSource;
}

/**
 * Which pair a participant is asked next, and what of it they see. The pair shown stays theirs (the
 * progress record) until both images are answered, so asking again never skips a pair.
 */
export class PairDealer {
  constructor(private readonly o: PairDealerOptions) {}

  /**
   * The pair to answer now: the one shown before if it is not finished, otherwise a random pair the
   * participant has answered neither here nor in a quiz, preferring pairs whose images they have not seen
   * (images recur across pairs). Null when none is left.
   */
  async nextPair(userId: string): Promise<NextPairResult> {
    const { db, set, pairs, enrolment, history: histories } = this.o;
    const participant = enrolment.pseudonymOf(userId);
    // Checked under the participant's lock, so a forget-me running meanwhile cannot be followed by a write.
    return this.o.locks.run(participant, async (): Promise<NextPairResult> => {
      const gate = await enrolment.gate(participant);
      if (gate !== null) return gate;
      const history = await histories.historyOf(userId, participant);
      const pending = await db.progress.get(progressKey(participant, set.name));
      if (pending !== undefined) {
        const pair = pairs.get(pending.pairId);
        if (pair !== undefined && !history.completed.has(pair.id)) {
          return {
            ok: true,
            question: this.question(pair, pending, history.answers.get(pair.id)),
            progress: histories.progressOf(history),
          };
        }
        // Finished (the clean-up after the last answer did not happen) or no longer in the set.
        await db.progress.delete(progressKey(participant, set.name));
      }

      const candidates = set.pairs.filter((p) => !history.touched.has(p.id));
      if (candidates.length === 0)
        return { ok: true, question: null, progress: histories.progressOf(history) };
      const seen = new Set<string>();
      for (const e of history.exposures) {
        const shown = pairs.get(e.pairId);
        if (shown !== undefined) for (const image of shown.images) seen.add(image.localId);
      }
      const seenCount = (p: ConfusingPair) =>
        Number(seen.has(p.images[0].localId)) + Number(seen.has(p.images[1].localId));
      const fewest = Math.min(...candidates.map(seenCount));
      const freshest = candidates.filter((p) => seenCount(p) === fewest);
      const pair = freshest[Math.floor(this.o.random() * freshest.length)] as ConfusingPair;
      const progress: ProgressRecord = {
        version: 1,
        participant,
        setName: set.name,
        pairId: pair.id,
        shownAt: this.o.clock.now(),
        seenBefore: [seen.has(pair.images[0].localId), seen.has(pair.images[1].localId)],
      };
      await db.progress.set(progressKey(participant, set.name), progress);
      return {
        ok: true,
        question: this.question(pair, progress, undefined),
        progress: histories.progressOf(history),
      };
    });
  }

  private question(
    pair: ConfusingPair,
    progress: ProgressRecord,
    answered: PairAnswers | undefined,
  ): BaselineQuestion {
    const image = (slot: ImageSlot): BaselineImage => {
      const img = pair.images[slot];
      return {
        slot,
        localId: img.localId,
        file: img.file ?? path.join(this.o.set.imagesDir, `${img.localId}.jpg`),
      };
    };
    return {
      setName: this.o.set.name,
      pairId: pair.id,
      question: pair.question,
      options: { ...pair.options },
      images: [image(0), image(1)],
      shownAt: progress.shownAt,
      choices: [answered?.[0]?.option ?? null, answered?.[1]?.option ?? null],
    };
  }
}
