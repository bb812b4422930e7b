import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import { OPTIONS } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import { type Clock, systemClock } from '../quiz/clock.js';
import { baselineMember, type CrowdImage, crowdFigures } from '../quiz/crowd-figures.js';
import type { ModelAnswerSource } from '../quiz/model-answers.js';
import { indexPairs, pmcArticleUrl } from '../quiz/pairs.js';
import { QuizArchive, type QuizMemory } from '../quiz/quiz-archive.js';
import type { RandomSource } from '../random.js';
import { type PairScore, scorePair } from '../scoring/pair-score.js';
import type { Store } from '../store/types.js';
import { CONSENT_NOTICE, CONSENT_VERSION, type ConsentNotice } from './consent.js';
import { baselineInstance, type Exposure, quizInstance, quizShownAt } from './history.js';
import { type Profile, type ProfileUpdate, profileUpdateSchema } from './profile.js';
import { checkSecretMatchesStore, Pseudonymizer } from './pseudonym.js';
import type { BaselineAnswerRecord, ProgressRecord } from './records.js';
import { majorityOption } from './statistics.js';
import {
  answerKey,
  type BaselineCollections,
  baselineCollections,
  pairAnswerKey,
  pairPrefix,
  participantPrefix,
  participantSetPrefix,
  progressKey,
} from './store-layout.js';

export type BaselineRefusalCode =
  | 'INVALID_ANSWER'
  | 'UNKNOWN_PAIR'
  | 'NOT_SERVED'
  | 'ALREADY_ANSWERED'
  | 'ANSWER_LOCKED'
  | 'NOT_ANSWERED'
  | 'INVALID_PROFILE';

/** A request refused because of what the participant did; `message` is written to be shown as it is. */
export interface BaselineRefusal {
  ok: false;
  code: BaselineRefusalCode;
  message: string;
}

/** Every call but consentStatus, acceptConsent and forget returns this until the notice is accepted. */
export interface ConsentRequired {
  ok: false;
  code: 'CONSENT_REQUIRED';
  message: string;
  notice: ConsentNotice;
}

export type ConsentStatus =
  | { accepted: true; acceptedAt: number; version: number }
  /** `outdated`: an earlier notice was accepted, and the current one differs. */
  | { accepted: false; reason: 'never' | 'outdated'; notice: ConsentNotice };

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

export interface BaselineProgress {
  /** Pairs finished in the baseline. */
  answered: number;
  /** Pairs still to come, the current one included. */
  remaining: number;
  /** Pairs left out because the participant already answered them in a quiz (where answers are revealed). */
  answeredInQuiz: number;
  total: number;
}

export type NextPairResult =
  | ConsentRequired
  /** `question` null: every pair is answered. */
  | { ok: true; question: BaselineQuestion | null; progress: BaselineProgress };

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
export type ProfileResult = ConsentRequired | BaselineRefusal | { ok: true; profile: Profile | null };

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

const CONSENT_MESSAGE =
  'Before your first answer, please read how the private baseline records answers and accept it.';
const MAX_RESPONSE_MS = 24 * 3600_000;

/**
 * The private human baseline: participants answer pairs alone, at their own pace, under a pseudonym, after
 * accepting a consent notice. Platform-neutral: Discord and the web pass the platform's user id (the same id
 * the quiz engine gets) and show what comes back. Nothing is written for a user before they accept.
 *
 * Calls of one participant run one after another (in this process); different participants run in parallel
 * and write different keys.
 */
export class BaselineService {
  private readonly store: Store;
  private readonly db: BaselineCollections;
  private readonly set: PairSet;
  private readonly pairs: Map<string, ConfusingPair>;
  private readonly pseudonyms: Pseudonymizer;
  private readonly log: Logger;
  private readonly models: { source: ModelAnswerSource; ids: readonly string[] } | null;
  private readonly quiz: QuizMemory | undefined;
  private readonly quizArchive: QuizArchive;
  private readonly modelTimeoutMs: number;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly locks = new Map<string, LimitFunction>();
  private verified: Promise<void> | undefined;

  constructor(options: BaselineServiceOptions) {
    this.store = options.store;
    this.db = baselineCollections(options.store);
    this.set = options.set;
    this.pairs = indexPairs(options.set);
    this.pseudonyms = new Pseudonymizer(options.secret);
    this.log = options.log;
    this.models = options.models ?? null;
    this.quiz = options.quiz;
    this.quizArchive = new QuizArchive(options.store);
    this.modelTimeoutMs = options.modelTimeoutMs ?? 20_000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /** The participant's pseudonym: what exports show instead of the platform id. */
  pseudonymOf(userId: string): string {
    return this.pseudonyms.pseudonymOf(userId);
  }

  /**
   * Fails (BASELINE_SECRET_MISMATCH) when the store's baseline was recorded under another secret, and marks a
   * new store with this one. Call it at start-up to fail early; the first consent calls it anyway.
   */
  verifySecret(): Promise<void> {
    this.verified ??= checkSecretMatchesStore(this.store, this.pseudonyms, {
      record: true,
      now: () => this.clock.now(),
    }).catch((err: unknown) => {
      this.verified = undefined;
      throw err;
    });
    return this.verified;
  }

  // ---- consent ------------------------------------------------------------------------------------------

  async consentStatus(userId: string): Promise<ConsentStatus> {
    const record = await this.db.consent.get(this.pseudonymOf(userId));
    if (record === undefined) return { accepted: false, reason: 'never', notice: CONSENT_NOTICE };
    if (record.consentVersion < CONSENT_VERSION) {
      return { accepted: false, reason: 'outdated', notice: CONSENT_NOTICE };
    }
    return { accepted: true, acceptedAt: record.acceptedAt, version: record.consentVersion };
  }

  /** Records acceptance of the current notice; accepting again keeps the first acceptance time. */
  acceptConsent(
    userId: string,
    at: number = this.clock.now(),
  ): Promise<{ ok: true; acceptedAt: number; alreadyAccepted: boolean }> {
    const participant = this.pseudonymOf(userId);
    return this.withLock(participant, async () => {
      await this.verifySecret();
      const existing = await this.db.consent.get(participant);
      if (existing !== undefined && existing.consentVersion >= CONSENT_VERSION) {
        return { ok: true, acceptedAt: existing.acceptedAt, alreadyAccepted: true };
      }
      await this.db.consent.set(participant, {
        version: 1,
        participant,
        consentVersion: CONSENT_VERSION,
        acceptedAt: at,
      });
      this.log.info({ participant }, 'baseline consent accepted');
      return { ok: true, acceptedAt: at, alreadyAccepted: false };
    });
  }

  // ---- profile ------------------------------------------------------------------------------------------

  async profile(userId: string): Promise<ProfileResult> {
    const participant = this.pseudonymOf(userId);
    const gate = await this.consentGate(participant);
    if (gate !== null) return gate;
    const record = await this.db.profiles.get(participant);
    return { ok: true, profile: record === undefined ? null : toProfile(record) };
  }

  /** Changes the given fields (null clears one); `update` comes from the front end and is validated here. */
  async setProfile(userId: string, update: ProfileUpdate): Promise<ProfileResult> {
    const participant = this.pseudonymOf(userId);
    return this.withLock(participant, async (): Promise<ProfileResult> => {
      const gate = await this.consentGate(participant);
      if (gate !== null) return gate;
      const parsed = profileUpdateSchema.safeParse(update);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field =
          issue?.path[0] === 'specialty'
            ? 'Specialty'
            : issue?.path[0] === 'trainingLevel'
              ? 'Training level'
              : 'Profile';
        return refuse('INVALID_PROFILE', `${field}: ${issue?.message ?? 'invalid value'}.`);
      }
      const before = await this.db.profiles.get(participant);
      const { trainingLevel, specialty } = parsed.data;
      const record = {
        version: 1 as const,
        participant,
        trainingLevel: trainingLevel === undefined ? (before?.trainingLevel ?? null) : trainingLevel,
        specialty: specialty === undefined ? (before?.specialty ?? null) : specialty,
        updatedAt: this.clock.now(),
      };
      await this.db.profiles.set(participant, record);
      return { ok: true, profile: toProfile(record) };
    });
  }

  // ---- answering ----------------------------------------------------------------------------------------

  /**
   * The pair to answer now: the one shown before if it is not finished, otherwise a random pair the
   * participant has answered neither here nor in a quiz, preferring pairs whose images they have not seen
   * (images recur across pairs). Null when none is left.
   */
  async nextPair(userId: string): Promise<NextPairResult> {
    const participant = this.pseudonymOf(userId);
    // Checked under the participant's lock, so a forget-me running meanwhile cannot be followed by a write.
    return this.withLock(participant, async (): Promise<NextPairResult> => {
      const gate = await this.consentGate(participant);
      if (gate !== null) return gate;
      const history = await this.historyOf(userId, participant);
      const pending = await this.db.progress.get(progressKey(participant, this.set.name));
      if (pending !== undefined) {
        const pair = this.pairs.get(pending.pairId);
        if (pair !== undefined && !history.completed.has(pair.id)) {
          return {
            ok: true,
            question: this.question(pair, pending, history.answers.get(pair.id)),
            progress: this.progressOf(history),
          };
        }
        // Finished (the clean-up after the last answer did not happen) or no longer in the set.
        await this.db.progress.delete(progressKey(participant, this.set.name));
      }

      const candidates = this.set.pairs.filter((p) => !history.touched.has(p.id));
      if (candidates.length === 0) return { ok: true, question: null, progress: this.progressOf(history) };
      const seen = new Set<string>();
      for (const e of history.exposures) {
        const shown = this.pairs.get(e.pairId);
        if (shown !== undefined) for (const image of shown.images) seen.add(image.localId);
      }
      const seenCount = (p: ConfusingPair) =>
        Number(seen.has(p.images[0].localId)) + Number(seen.has(p.images[1].localId));
      const fewest = Math.min(...candidates.map(seenCount));
      const freshest = candidates.filter((p) => seenCount(p) === fewest);
      const pair = freshest[Math.floor(this.random() * freshest.length)] as ConfusingPair;
      const progress: ProgressRecord = {
        version: 1,
        participant,
        setName: this.set.name,
        pairId: pair.id,
        shownAt: this.clock.now(),
        seenBefore: [seen.has(pair.images[0].localId), seen.has(pair.images[1].localId)],
      };
      await this.db.progress.set(progressKey(participant, this.set.name), progress);
      return {
        ok: true,
        question: this.question(pair, progress, undefined),
        progress: this.progressOf(history),
      };
    });
  }

  /**
   * Records one image's answer to the pair the participant was shown. Answers are final (a different
   * second click is refused). Once both images are answered the reveal comes back with it.
   */
  async answer(userId: string, input: BaselineAnswerInput): Promise<BaselineAnswerOutcome> {
    const participant = this.pseudonymOf(userId);
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
    const pair = this.pairs.get(pairId);
    if (pair === undefined)
      return refuse('UNKNOWN_PAIR', `There is no pair ${pairId} in the ${this.set.name} set.`);

    return this.withLock(participant, async (): Promise<BaselineAnswerOutcome> => {
      const gate = await this.consentGate(participant);
      if (gate !== null) return gate;
      const setName = this.set.name;
      const [first, second] = await this.db.answers.getMany([
        answerKey(participant, setName, pairId, 0),
        answerKey(participant, setName, pairId, 1),
      ]);
      const stored: [BaselineAnswerRecord | undefined, BaselineAnswerRecord | undefined] = [first, second];
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
          reveal: complete ? await this.buildReveal(pair, stored) : null,
          progress: null,
        };
      }
      const pending = await this.db.progress.get(progressKey(participant, setName));
      if (pending?.pairId !== pairId) {
        return stored[0] !== undefined && stored[1] !== undefined
          ? refuse('ALREADY_ANSWERED', `You have already answered pair ${pairId}.`)
          : refuse('NOT_SERVED', 'That is not the pair you were shown; ask for your next pair.');
      }

      const now = this.clock.now();
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
      await this.db.pairAnswers.set(pairAnswerKey(participant, setName, pairId, slot), record);
      await this.db.answers.set(answerKey(participant, setName, pairId, slot), record);
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
      await this.db.progress.delete(progressKey(participant, setName));
      const history = await this.historyOf(userId, participant);
      return {
        ok: true,
        pairId,
        choices: choices(),
        complete,
        changed: true,
        reveal: await this.buildReveal(pair, stored),
        progress: this.progressOf(history),
      };
    });
  }

  /** The answers, the crowd's split and the models' answers of a pair, once the participant has finished it. */
  async reveal(userId: string, pairId: string): Promise<RevealResult> {
    const participant = this.pseudonymOf(userId);
    const gate = await this.consentGate(participant);
    if (gate !== null) return gate;
    const pair = this.pairs.get(pairId);
    if (pair === undefined)
      return refuse('UNKNOWN_PAIR', `There is no pair ${pairId} in the ${this.set.name} set.`);
    const [first, second] = await this.db.answers.getMany([
      answerKey(participant, this.set.name, pairId, 0),
      answerKey(participant, this.set.name, pairId, 1),
    ]);
    if (first === undefined || second === undefined) {
      return refuse('NOT_ANSWERED', 'Answer both images of this pair first; then you will see how it went.');
    }
    return { ok: true, reveal: await this.buildReveal(pair, [first, second]) };
  }

  // ---- forget-me ----------------------------------------------------------------------------------------

  /**
   * Deletes everything recorded about a person: consent, profile, pending pairs, baseline answers, their
   * quiz answers, and their id as the host of ended quiz sessions. Works without consent (quiz players
   * never gave one). Also the handler for "this account was deleted" notices from a platform.
   */
  forget(userId: string): Promise<ForgetReport> {
    const participant = this.pseudonymOf(userId);
    return this.withLock(participant, async () => {
      const report: ForgetReport = {
        participant,
        consent: Number(await this.db.consent.delete(participant)),
        profile: Number(await this.db.profiles.delete(participant)),
        progress: 0,
        baselineAnswers: 0,
        quizAnswers: 0,
        hostedSessionsScrubbed: 0,
        hostedSessionsRunning: 0,
        openRounds: 0,
      };
      // The quiz's part first, memory before the store (QuizArchive.forget): a click being written when
      // forget-me arrives is dropped from its round, then deleted with the others.
      const quiz = await this.quizArchive.forget(userId, FORGOTTEN_HOST, this.quiz);
      report.quizAnswers = quiz.answers;
      report.openRounds = quiz.openRounds;
      report.hostedSessionsScrubbed = quiz.hostedSessionsScrubbed;
      report.hostedSessionsRunning = quiz.hostedSessionsRunning;
      for (const key of await keysOf(this.db.progress.entries(participantPrefix(participant)))) {
        if (await this.db.progress.delete(key)) report.progress++;
      }
      for (const key of await keysOf(this.db.answers.entries(participantPrefix(participant)))) {
        if (await this.db.answers.delete(key)) report.baselineAnswers++;
      }
      // The per-pair copies are keyed by pair first; a full pass also finds copies whose twin was never written.
      const copies: string[] = [];
      for await (const [key, record] of this.db.pairAnswers.entries()) {
        if (record.participant === participant) copies.push(key);
      }
      for (const key of copies) await this.db.pairAnswers.delete(key);
      const { participant: _p, ...counts } = report;
      // A request that found nothing (a mistyped id) deleted nothing: not worth an info line.
      const found = Object.values(counts).some((n) => n > 0);
      this.log[found ? 'info' : 'debug']({ participant, ...counts }, 'participant forgotten');
      return report;
    });
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private async consentGate(participant: string): Promise<ConsentRequired | null> {
    const record = await this.db.consent.get(participant);
    if (record !== undefined && record.consentVersion >= CONSENT_VERSION) return null;
    return { ok: false, code: 'CONSENT_REQUIRED', message: CONSENT_MESSAGE, notice: CONSENT_NOTICE };
  }

  /** The participant's baseline answers and quiz answers to this set, as what they touched and saw. */
  private async historyOf(userId: string, participant: string): Promise<ParticipantHistory> {
    const answers = new Map<string, [BaselineAnswerRecord | undefined, BaselineAnswerRecord | undefined]>();
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

  private progressOf(history: ParticipantHistory): BaselineProgress {
    const answered = history.completed.size;
    const total = this.set.pairs.length;
    // An unfinished pair is still to come; so is every pair not touched at all.
    const unfinished = [...history.answers.keys()].filter((id) => !history.completed.has(id)).length;
    const untouched = this.set.pairs.filter((p) => !history.touched.has(p.id)).length;
    return { answered, remaining: untouched + unfinished, answeredInQuiz: history.answeredInQuiz, total };
  }

  private question(
    pair: ConfusingPair,
    progress: ProgressRecord,
    answered: [BaselineAnswerRecord | undefined, BaselineAnswerRecord | undefined] | undefined,
  ): BaselineQuestion {
    const image = (slot: ImageSlot): BaselineImage => {
      const img = pair.images[slot];
      return {
        slot,
        localId: img.localId,
        file: img.file ?? path.join(this.set.imagesDir, `${img.localId}.jpg`),
      };
    };
    return {
      setName: this.set.name,
      pairId: pair.id,
      question: pair.question,
      options: { ...pair.options },
      images: [image(0), image(1)],
      shownAt: progress.shownAt,
      choices: [answered?.[0]?.option ?? null, answered?.[1]?.option ?? null],
    };
  }

  private async buildReveal(
    pair: ConfusingPair,
    mine: [BaselineAnswerRecord | undefined, BaselineAnswerRecord | undefined],
  ): Promise<PairReveal> {
    const people = new Map<string, [Option | null, Option | null]>();
    for await (const [, r] of this.db.pairAnswers.entries(pairPrefix(this.set.name, pair.id))) {
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
      setName: this.set.name,
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
    if (this.models === null) return [];
    const { source, ids } = this.models;
    return Promise.all(
      ids.map(async (modelId): Promise<ModelRevealView> => {
        try {
          const answer = await source.answersFor(modelId, pair, {
            signal: AbortSignal.timeout(this.modelTimeoutMs),
          });
          return answer.ok
            ? { modelId, status: 'answered', chosen: answer.chosen, score: scorePair(pair, answer.chosen) }
            : { modelId, status: 'failed', reason: answer.reason };
        } catch (err) {
          this.log.error({ err, modelId, pairId: pair.id }, 'model answer source failed');
          return { modelId, status: 'failed', reason: 'the model could not be reached' };
        }
      }),
    );
  }

  private withLock<T>(participant: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(participant);
    if (lock === undefined) {
      lock = pLimit(1);
      this.locks.set(participant, lock);
    }
    const held = lock;
    return held(fn).finally(() => {
      if (held.activeCount === 0 && held.pendingCount === 0 && this.locks.get(participant) === held) {
        this.locks.delete(participant);
      }
    });
  }
}

interface ParticipantHistory {
  /** Baseline answers by pair. */
  answers: Map<string, [BaselineAnswerRecord | undefined, BaselineAnswerRecord | undefined]>;
  /** Pairs with both images answered in the baseline. */
  completed: Set<string>;
  /** Pairs answered (even partly) in the baseline or in a quiz: never served again. */
  touched: Set<string>;
  exposures: Exposure[];
  answeredInQuiz: number;
}

function refuse(code: BaselineRefusalCode, message: string): BaselineRefusal {
  return { ok: false, code, message };
}

function toProfile(record: {
  trainingLevel: Profile['trainingLevel'];
  specialty: string | null;
  updatedAt: number;
}): Profile {
  return { trainingLevel: record.trainingLevel, specialty: record.specialty, updatedAt: record.updatedAt };
}

async function keysOf(entries: AsyncIterable<[string, unknown]>): Promise<string[]> {
  const keys: string[] = [];
  for await (const [key] of entries) keys.push(key);
  return keys;
}
