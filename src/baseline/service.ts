import type { PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import { type Clock, systemClock } from '../quiz/clock.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { indexPairs } from '../quiz/pairs.js';
import { QuizArchive, type QuizMemory } from '../quiz/quiz-archive.js';
import type { RandomSource } from '../random.js';
import type { Store } from '../store/types.js';
import { AnswerIntake, type BaselineAnswerInput, type BaselineAnswerOutcome } from './answer-intake.js';
import { type ConsentStatus, Enrolment } from './enrolment.js';
import { ForgetMe, type ForgetReport } from './forget-me.js';
import { type NextPairResult, PairDealer } from './pair-dealer.js';
import { PairRevealer, type RevealResult } from './pair-reveal.js';
import { HistoryReader } from './participant-history.js';
import { ParticipantLocks } from './participant-locks.js';
import type { ProfileUpdate } from './profile.js';
import { ProfileEditor, type ProfileResult } from './profile-editor.js';
import { baselineCollections } from './store-layout.js';

// The service's parts each own one concept; callers import the types from here, as before the split.
export type {
  AnswerAccepted,
  BaselineAnswerInput,
  BaselineAnswerOutcome,
} from './answer-intake.js';
export type { ConsentRequired, ConsentStatus } from './enrolment.js';
export { FORGOTTEN_HOST, type ForgetReport } from './forget-me.js';
export type { BaselineImage, BaselineQuestion, NextPairResult } from './pair-dealer.js';
export type { ImageRevealView, ModelRevealView, PairReveal, RevealResult } from './pair-reveal.js';
export type { BaselineProgress } from './participant-history.js';
export type { ProfileResult } from './profile-editor.js';
export type { BaselineRefusal, BaselineRefusalCode } from './refusals.js';

export interface BaselineServiceOptions {
  store: Store;
  set: PairSet;
  /** The deployment secret (see resolveBaselineSecret). */
  secret: string;
  log: Logger;
  /** Models whose answers a participant sees once they have finished a pair. */
  models?: { source: ModelAnswerSource; ids: readonly string[] };
  /**
   * The quiz engine of this process, so forget-me also reaches what it holds in memory: clicks in open
   * rounds and the host id of running sessions. Without it those wait for the session to end.
   */
  quiz?: QuizMemory;
  /** How long a reveal waits for a model's answer before showing it as unavailable (default 20 s). */
  modelTimeoutMs?: number;
  clock?: Clock;
  random?: RandomSource;
}

/**
 * The private human baseline: participants answer pairs alone, at their own pace, under a pseudonym, after
 * accepting a consent notice. Platform-neutral: Discord and the web pass the platform's user id (the same id
 * the quiz engine gets) and show what comes back. Nothing is written for a user before they accept.
 *
 * Calls of one participant run one after another (in this process); different participants run in parallel
 * and write different keys (participant-locks.ts).
 *
 * This class only wires its parts together: enrolment (pseudonym, secret, consent), the profile, the pair
 * dealt next, answer intake, the reveal, and forget-me.
 */
export class BaselineService {
  private readonly enrolment: Enrolment;
  private readonly profiles: ProfileEditor;
  private readonly dealer: PairDealer;
  private readonly intake: AnswerIntake;
  private readonly revealer: PairRevealer;
  private readonly forgetting: ForgetMe;

  constructor(options: BaselineServiceOptions) {
    const db = baselineCollections(options.store);
    const set = options.set;
    const pairs = indexPairs(set);
    const log = options.log;
    const clock = options.clock ?? systemClock;
    const locks = new ParticipantLocks();
    const quizArchive = new QuizArchive(options.store, { clock });
    this.enrolment = new Enrolment({ store: options.store, db, secret: options.secret, locks, log, clock });
    const enrolment = this.enrolment;
    const history = new HistoryReader(db, set, pairs, quizArchive);
    this.profiles = new ProfileEditor(db, enrolment, locks, clock);
    this.revealer = new PairRevealer({
      db,
      set,
      pairs,
      enrolment,
      log,
      models: options.models ?? null,
      modelTimeoutMs: options.modelTimeoutMs ?? 20_000,
    });
    this.dealer = new PairDealer({
      db,
      set,
      pairs,
      enrolment,
      history,
      locks,
      clock,
      random: options.random ?? Math.random,
    });
    this.intake = new AnswerIntake({
      db,
      set,
      pairs,
      enrolment,
      history,
      revealer: this.revealer,
      locks,
      clock,
    });
    this.forgetting = new ForgetMe({ db, enrolment, locks, quizArchive, quiz: options.quiz, log });
  }

  /** The participant's pseudonym: what exports show instead of the platform id. */
  pseudonymOf(userId: string): string {
    return this.enrolment.pseudonymOf(userId);
  }

  /**
   * Fails (BASELINE_SECRET_MISMATCH) when the store's baseline was recorded under another secret, and marks a
   * new store with this one. Call it at start-up to fail early; the first consent calls it anyway.
   */
  verifySecret(): Promise<void> {
    return this.enrolment.verifySecret();
  }

  consentStatus(userId: string): Promise<ConsentStatus> {
    return this.enrolment.consentStatus(userId);
  }

  /** Records acceptance of the current notice; accepting again keeps the first acceptance time. */
  acceptConsent(
    userId: string,
    at?: number,
  ): Promise<{ ok: true; acceptedAt: number; alreadyAccepted: boolean }> {
    return this.enrolment.acceptConsent(userId, at);
  }

  profile(userId: string): Promise<ProfileResult> {
    return this.profiles.profile(userId);
  }

  /** Changes the given fields (null clears one); `update` comes from the front end and is validated here. */
  setProfile(userId: string, update: ProfileUpdate): Promise<ProfileResult> {
    return this.profiles.setProfile(userId, update);
  }

  /** The pair to answer now (see PairDealer.nextPair); `question` null when none is left. */
  nextPair(userId: string): Promise<NextPairResult> {
    return this.dealer.nextPair(userId);
  }

  /** Records one image's answer (see AnswerIntake.answer); the reveal comes back once both are answered. */
  answer(userId: string, input: BaselineAnswerInput): Promise<BaselineAnswerOutcome> {
    return this.intake.answer(userId, input);
  }

  /** The answers, the crowd's split and the models' answers of a pair, once the participant has finished it. */
  reveal(userId: string, pairId: string): Promise<RevealResult> {
    return this.revealer.reveal(userId, pairId);
  }

  /** Deletes everything recorded about a person, baseline and quiz (see ForgetMe.forget). */
  forget(userId: string): Promise<ForgetReport> {
    return this.forgetting.forget(userId);
  }
}
