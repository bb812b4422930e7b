import type { ConfusingPair, PairSet } from '../dataset/model.js';
import type { QuizArchive } from '../quiz/quiz-archive.js';
import { baselineInstance, type Exposure, quizInstance, quizShownAt } from './history.js';
import type { BaselineAnswerRecord } from './records.js';
import { type BaselineCollections, participantSetPrefix } from './store-layout.js';

export interface BaselineProgress {
  /** Pairs finished in the baseline. */
  answered: number;
  /** Pairs still to come, the current one included. */
  remaining: number;
  /** Pairs left out because the participant already answered them in a quiz (where answers are revealed). */
  answeredInQuiz: number;
  total: number;
}

/** A participant's answers to one pair in the baseline, by image slot. */
export type PairAnswers = [BaselineAnswerRecord | undefined, BaselineAnswerRecord | undefined];

export interface ParticipantHistory {
  /** Baseline answers by pair. */
  answers: Map<string, PairAnswers>;
  /** Pairs with both images answered in the baseline. */
  completed: Set<string>;
  /** Pairs answered (even partly) in the baseline or in a quiz: never served again. */
  touched: Set<string>;
  exposures: Exposure[];
  answeredInQuiz: number;
}

/**
 * What a participant has already done with the service's set, in the baseline and in quizzes (read through
 * the quiz layer's QuizArchive): the pairs they answered or saw, and the progress figures shown to them.
 */
export class HistoryReader {
  constructor(
    private readonly db: BaselineCollections,
    private readonly set: PairSet,
    private readonly pairs: Map<string, ConfusingPair>,
    private readonly quizArchive: QuizArchive,
  ) {}

  /** The participant's baseline answers and quiz answers to this set, as what they touched and saw. */
  async historyOf(userId: string, participant: string): Promise<ParticipantHistory> {
    const answers = new Map<string, PairAnswers>();
    const exposures: Exposure[] = [];
    for await (const [, r] of this.db.answers.entries(participantSetPrefix(participant, this.set.name))) {
      const both = answers.get(r.pairId) ?? [undefined, undefined];
      both[r.slot] = r;
      answers.set(r.pairId, both);
    }
    const completed = new Set<string>();
    for (const [pairId, both] of answers) {
      if (both[0] !== undefined && both[1] !== undefined) completed.add(pairId);
      const shownAt = both[0]?.shownAt ?? both[1]?.shownAt ?? 0;
      exposures.push({ instance: baselineInstance(pairId), pairId, at: shownAt });
    }
    const quizPairs = new Set<string>();
    for (const record of await this.quizArchive.answersOfPersonInSet(userId, this.set.name)) {
      if (!this.pairs.has(record.pairId)) continue;
      quizPairs.add(record.pairId);
      exposures.push({
        instance: quizInstance(record.sessionId, record.round),
        pairId: record.pairId,
        at: quizShownAt(record),
      });
    }
    const touched = new Set([...answers.keys(), ...quizPairs]);
    const answeredInQuiz = [...quizPairs].filter((id) => !answers.has(id)).length;
    return { answers, completed, touched, exposures, answeredInQuiz };
  }

  progressOf(history: ParticipantHistory): BaselineProgress {
    const answered = history.completed.size;
    const total = this.set.pairs.length;
    // An unfinished pair is still to come; so is every pair not touched at all.
    const unfinished = [...history.answers.keys()].filter((id) => !history.completed.has(id)).length;
    const untouched = this.set.pairs.filter((p) => !history.touched.has(p.id)).length;
    return { answered, remaining: untouched + unfinished, answeredInQuiz: history.answeredInQuiz, total };
  }
}
