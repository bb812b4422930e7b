import type { Logger } from '../logger.js';
import type { QuizArchive, QuizMemory } from '../quiz/quiz-archive.js';
import type { Enrolment } from './enrolment.js';
import type { ParticipantLocks } from './participant-locks.js';
import { type BaselineCollections, participantPrefix } from './store-layout.js';

export interface ForgetReport {
  /** The pseudonym whose records were deleted (for the operator's log; not the account id). */
  participant: string;
  consent: number;
  profile: number;
  /** Pending pairs (one per set at most). */
  progress: number;
  baselineAnswers: number;
  quizAnswers: number;
  /** Ended quiz sessions they hosted, whose host id was replaced by FORGOTTEN_HOST. */
  hostedSessionsScrubbed: number;
  /** Running sessions they host that no quiz engine could rewrite (another process runs them). */
  hostedSessionsRunning: number;
  /** Open quiz rounds their clicks were taken out of, in this process's quiz engine. */
  openRounds: number;
}

/** What replaces a forgotten person's id as the host of ended quiz sessions. */
export const FORGOTTEN_HOST = 'forgotten';

export interface ForgetMeOptions {
  db: BaselineCollections;
  enrolment: Enrolment;
  locks: ParticipantLocks;
  quizArchive: QuizArchive;
  /** The quiz engine of this process (see BaselineServiceOptions.quiz). */
  quiz: QuizMemory | undefined;
  log: Logger;
}

/**
 * Forget-me: deleting everything recorded about a person, in the baseline and (through the quiz layer's
 * QuizArchive) in the quiz, with a count of what went.
 */
export class ForgetMe {
  constructor(private readonly o: ForgetMeOptions) {}

  /**
   * Deletes everything recorded about a person: consent, profile, pending pairs, baseline answers, their
   * quiz answers, and their id as the host of ended quiz sessions. Works without consent (quiz players
   * never gave one). Also the handler for "this account was deleted" notices from a platform.
   */
  forget(userId: string): Promise<ForgetReport> {
    const { db, log } = this.o;
    const participant = this.o.enrolment.pseudonymOf(userId);
    return this.o.locks.run(participant, async () => {
      const report: ForgetReport = {
        participant,
        consent: Number(await db.consent.delete(participant)),
        profile: Number(await db.profiles.delete(participant)),
        progress: 0,
        baselineAnswers: 0,
        quizAnswers: 0,
        hostedSessionsScrubbed: 0,
        hostedSessionsRunning: 0,
        openRounds: 0,
      };
      // The quiz's part first, memory before the store (QuizArchive.forget): a click being written when
      // forget-me arrives is dropped from its round, then deleted with the others.
      const quiz = await this.o.quizArchive.forget(userId, FORGOTTEN_HOST, this.o.quiz);
      report.quizAnswers = quiz.answers;
      report.openRounds = quiz.openRounds;
      report.hostedSessionsScrubbed = quiz.hostedSessionsScrubbed;
      report.hostedSessionsRunning = quiz.hostedSessionsRunning;
      for (const key of await keysOf(db.progress.entries(participantPrefix(participant)))) {
        if (await db.progress.delete(key)) report.progress++;
      }
      for (const key of await keysOf(db.answers.entries(participantPrefix(participant)))) {
        if (await db.answers.delete(key)) report.baselineAnswers++;
      }
      // The per-pair copies are keyed by pair first; a full pass also finds copies whose twin was never written.
      const copies: string[] = [];
      for await (const [key, record] of db.pairAnswers.entries()) {
        if (record.participant === participant) copies.push(key);
      }
      for (const key of copies) await db.pairAnswers.delete(key);
      const { participant: _p, ...counts } = report;
      // A request that found nothing (a mistyped id) deleted nothing: not worth an info line.
      const found = Object.values(counts).some((n) => n > 0);
      log[found ? 'info' : 'debug']({ participant, ...counts }, 'participant forgotten');
      return report;
    });
  }
}

async function keysOf(entries: AsyncIterable<[string, unknown]>): Promise<string[]> {
  const keys: string[] = [];
  for await (const [key] of entries) keys.push(key);
  return keys;
}
