import type { ConfusingPair, Option, PairSet } from '../dataset/model.js';
import { OPTIONS } from '../dataset/model.js';
import type { Clock } from '../quiz/clock.js';
import type { ConsentRequired, Enrolment } from './enrolment.js';
import type { PairReveal, PairRevealer } from './pair-reveal.js';
import type { BaselineProgress, HistoryReader, PairAnswers } from './participant-history.js';
import type { ParticipantLocks } from './participant-locks.js';
import type { BaselineAnswerRecord } from './records.js';
import { type BaselineRefusal, refuse } from './refusals.js';
import { answerKey, type BaselineCollections, pairAnswerKey, progressKey } from './store-layout.js';

export interface BaselineAnswerInput {
  pairId: string;
  slot: number;
  option: string;
  /** Time from showing the pair to the click, measured by the front end; default: since the pair was served. */
  responseMs?: number;
}

export interface AnswerAccepted {
  ok: true;
  pairId: string;
  choices: [Option | null, Option | null];
  /** Both images are answered: `reveal` holds the answers, the crowd and the models. */
  complete: boolean;
  /** False when the click repeated an answer already recorded. */
  changed: boolean;
  reveal: PairReveal | null;
  progress: BaselineProgress | null;
}

export type BaselineAnswerOutcome = ConsentRequired | BaselineRefusal | AnswerAccepted;

const MAX_RESPONSE_MS = 24 * 3600_000;

export interface AnswerIntakeOptions {
  db: BaselineCollections;
  set: PairSet;
  pairs: Map<string, ConfusingPair>;
  enrolment: Enrolment;
  history: HistoryReader;
  revealer: PairRevealer;
  locks: ParticipantLocks;
  clock: Clock;
}

/**
 * Recording a participant's answers: one image at a time, to the pair they were shown, final once given.
 * Each answer is written twice (by participant and by pair, see store-layout.ts).
 */
export class AnswerIntake {
  constructor(private readonly o: AnswerIntakeOptions) {}

  /**
   * Records one image's answer to the pair the participant was shown. Answers are final (a different
   * second click is refused). Once both images are answered the reveal comes back with it.
   */
  async answer(userId: string, input: BaselineAnswerInput): Promise<BaselineAnswerOutcome> {
    const { db, enrolment, revealer } = this.o;
    const participant = enrolment.pseudonymOf(userId);
    const { slot, option, pairId } = input;
    if ((slot !== 0 && slot !== 1) || !(OPTIONS as readonly string[]).includes(option)) {
      return refuse('INVALID_ANSWER', 'Pick A or B for image 1 or image 2.');
    }
    if (
      input.responseMs !== undefined &&
      !(Number.isFinite(input.responseMs) && input.responseMs >= 0 && input.responseMs <= MAX_RESPONSE_MS)
    ) {
      return refuse('INVALID_ANSWER', 'The response time must be between 0 and 24 hours, in milliseconds.');
    }
    const pair = this.o.pairs.get(pairId);
    if (pair === undefined)
      return refuse('UNKNOWN_PAIR', `There is no pair ${pairId} in the ${this.o.set.name} set.`);

    return this.o.locks.run(participant, async (): Promise<BaselineAnswerOutcome> => {
      const gate = await enrolment.gate(participant);
      if (gate !== null) return gate;
      const setName = this.o.set.name;
      const [first, second] = await db.answers.getMany([
        answerKey(participant, setName, pairId, 0),
        answerKey(participant, setName, pairId, 1),
      ]);
      const stored: PairAnswers = [first, second];
      const choices = (): [Option | null, Option | null] => [
        stored[0]?.option ?? null,
        stored[1]?.option ?? null,
      ];
      const previous = stored[slot];
      if (previous !== undefined) {
        if (previous.option !== option) {
          return refuse(
            'ANSWER_LOCKED',
            `You already answered image ${slot + 1} with ${previous.option}; baseline answers cannot be changed.`,
          );
        }
        const complete = stored[0] !== undefined && stored[1] !== undefined;
        return {
          ok: true,
          pairId,
          choices: choices(),
          complete,
          changed: false,
          reveal: complete ? await revealer.build(pair, stored) : null,
          progress: null,
        };
      }
      const pending = await db.progress.get(progressKey(participant, setName));
      if (pending?.pairId !== pairId) {
        return stored[0] !== undefined && stored[1] !== undefined
          ? refuse('ALREADY_ANSWERED', `You have already answered pair ${pairId}.`)
          : refuse('NOT_SERVED', 'That is not the pair you were shown; ask for your next pair.');
      }

      const now = this.o.clock.now();
      const record: BaselineAnswerRecord = {
        version: 1,
        participant,
        setName,
        pairId,
        slot,
        localId: pair.images[slot].localId,
        option: option as Option,
        correct: pair.images[slot].correct === option,
        responseMs: input.responseMs ?? Math.max(0, now - pending.shownAt),
        seenBefore: pending.seenBefore[slot],
        context: 'baseline',
        shownAt: pending.shownAt,
        at: now,
      };
      // The per-pair copy first: a crash between the writes leaves it orphaned (forget-me still finds it)
      // rather than an answer the crowd figures miss.
      await db.pairAnswers.set(pairAnswerKey(participant, setName, pairId, slot), record);
      await db.answers.set(answerKey(participant, setName, pairId, slot), record);
      stored[slot] = record;
      const complete = stored[0] !== undefined && stored[1] !== undefined;
      if (!complete) {
        return {
          ok: true,
          pairId,
          choices: choices(),
          complete,
          changed: true,
          reveal: null,
          progress: null,
        };
      }
      await db.progress.delete(progressKey(participant, setName));
      const history = await this.o.history.historyOf(userId, participant);
      return {
        ok: true,
        pairId,
        choices: choices(),
        complete,
        changed: true,
        reveal: await revealer.build(pair, stored),
        progress: this.o.history.progressOf(history),
      };
    });
  }
}
