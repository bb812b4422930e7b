import type { Store } from '../store/types.js';
import { type Clock, systemClock } from './clock.js';
import { ForgetNotices } from './forget-notices.js';
import { PersonIndex } from './person-index.js';
import type { AnswerRecord, RoundStateName } from './records.js';
import { answerKey, collect, type QuizCollections, quizCollections, roundPrefix } from './store-layout.js';

/**
 * The quiz's stored answers as the layers above may read them, and forgetting a person's quiz data. How
 * the quiz keys its records (store-layout.ts) and its per-person index stay private to the quiz layer: the
 * baseline, its export and forget-me ask here (a lint rule keeps src/baseline from importing them).
 */

/** One person's latest click on one image of one quiz round, as the quiz stored it. */
export type QuizAnswer = AnswerRecord;
export type QuizRoundState = RoundStateName;

export interface QuizAnswerInContext {
  answer: QuizAnswer;
  /** The answer's session; null when its record is gone. */
  session: {
    setName: string;
    /** The state of the answer's round ('open' if the session does not list it). */
    roundState: QuizRoundState;
  } | null;
}

/** What the quiz engine of this process holds in memory about a person (QuizEngine.forgetUser). */
export interface QuizMemory {
  forgetUser(
    userId: string,
    replacementHost: string,
  ): Promise<{ openRounds: number; sessionsRehosted: number }>;
}

export interface QuizForgetReport {
  /** Stored answer clicks deleted. */
  answers: number;
  /** Open rounds their clicks were taken out of, in this process's engine. */
  openRounds: number;
  /** Sessions whose host id was replaced: ended ones in the store, running ones by this process's engine. */
  hostedSessionsScrubbed: number;
  /** Running sessions they host that no engine of this process could rewrite (another process runs them). */
  hostedSessionsRunning: number;
}

/** Rounds are read in batches of this many keys, so a long history is not one huge request. */
const BATCH = 500;

export class QuizArchive {
  private readonly db: QuizCollections;
  private readonly personIndex: PersonIndex;
  private readonly notices: ForgetNotices;

  constructor(store: Store, options: { clock?: Clock } = {}) {
    this.db = quizCollections(store);
    this.personIndex = new PersonIndex(store);
    this.notices = new ForgetNotices(this.db.forgotten, options.clock ?? systemClock);
  }

  /** Every stored answer of one round (each person's latest click per image). */
  answersOfRound(sessionId: string, round: number): Promise<QuizAnswer[]> {
    return collect(this.db.answers.entries(roundPrefix(sessionId, round)));
  }

  /**
   * The quiz answers of one platform user (raw id, as the quiz stores it), in the sessions of one set. Reads
   * only the user's sessions (from the per-person index) and, in them, only the user's own clicks.
   */
  async answersOfPersonInSet(userId: string, setName: string): Promise<QuizAnswer[]> {
    const keys: string[] = [];
    const sessions = await this.db.sessions.getMany(await this.personIndex.sessionsOf(userId));
    for (const session of sessions) {
      if (session === undefined || session.setName !== setName) continue;
      for (const round of session.rounds) {
        keys.push(
          answerKey(session.id, round.index, userId, 0),
          answerKey(session.id, round.index, userId, 1),
        );
      }
    }
    const found: QuizAnswer[] = [];
    for (let start = 0; start < keys.length; start += BATCH) {
      for (const record of await this.db.answers.getMany(keys.slice(start, start + BATCH))) {
        if (record !== undefined) found.push(record);
      }
    }
    return found;
  }

  /** Every stored quiz answer with its session's set and its round's state: a full pass, for exports. */
  async *everyAnswer(): AsyncIterable<QuizAnswerInContext> {
    const sessions = new Map<string, { setName: string; rounds: Map<number, QuizRoundState> }>();
    for await (const [id, session] of this.db.sessions.entries()) {
      sessions.set(id, {
        setName: session.setName,
        rounds: new Map(session.rounds.map((r) => [r.index, r.state])),
      });
    }
    for await (const [, answer] of this.db.answers.entries()) {
      const session = sessions.get(answer.sessionId);
      yield {
        answer,
        session:
          session === undefined
            ? null
            : { setName: session.setName, roundState: session.rounds.get(answer.round) ?? 'open' },
      };
    }
  }

  /**
   * Forget-me for the quiz, everywhere: what this process's engine holds in memory first (`memory`: clicks
   * in open rounds, the host id of running sessions), then the store: every click of theirs, their
   * per-person index entries, and their id as the host of ended sessions (replaced by `replacementHost`).
   * A running session that no engine here runs is left alone and counted: its engine would write the id
   * back. Last, a notice (forget-notices.ts) tells the engines of other processes to drop the person's
   * clicks from their open rounds before revealing them, and to rehost the sessions they run for them.
   */
  async forget(userId: string, replacementHost: string, memory?: QuizMemory): Promise<QuizForgetReport> {
    const report: QuizForgetReport = {
      answers: 0,
      openRounds: 0,
      hostedSessionsScrubbed: 0,
      hostedSessionsRunning: 0,
    };
    // Memory first: a click being written when forget-me arrives is dropped from its round, and its stored
    // record is then deleted below with the others.
    if (memory !== undefined) {
      const inMemory = await memory.forgetUser(userId, replacementHost);
      report.openRounds = inMemory.openRounds;
      report.hostedSessionsScrubbed += inMemory.sessionsRehosted;
    }
    // The keys put the user third (session:round:user:slot), so only a full pass finds every click.
    const keys: string[] = [];
    for await (const [key, record] of this.db.answers.entries()) {
      if (record.userId === userId) keys.push(key);
    }
    for (const key of keys) {
      if (await this.db.answers.delete(key)) report.answers++;
    }
    await this.personIndex.forget(userId);
    const hosted = [];
    for await (const [id, session] of this.db.sessions.entries()) {
      if (session.hostUserId === userId) hosted.push({ id, session });
    }
    for (const { id, session } of hosted) {
      if (session.status !== 'ended') {
        report.hostedSessionsRunning++;
        continue;
      }
      await this.db.sessions.set(id, { ...session, hostUserId: replacementHost });
      report.hostedSessionsScrubbed++;
    }
    await this.notices.post(userId, replacementHost);
    await this.notices.sweep();
    return report;
  }
}
