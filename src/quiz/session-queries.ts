import type { ConfusingPair, Option, PairSet } from '../dataset/model.js';
import { chosenOf, groupAnswers, type PersonRound } from './answers.js';
import { type Actor, mayHost } from './host-rule.js';
import { type LiveRooms, sessionView } from './live-rooms.js';
import { pairOf } from './pairs.js';
import type { PersonIndex } from './person-index.js';
import { quizError } from './quiz-errors.js';
import type { RoundRecord, RoundResultRecord, SessionRecord } from './records.js';
import { computeReveal, type RoundReveal } from './reveal.js';
import {
  type Leaderboard,
  type LeaderboardOptions,
  leaderboard,
  type ScopeStats,
  type StatsDeps,
  type StatsScope,
  scopeStats,
} from './stats.js';
import {
  answerKey,
  collect,
  type QuizCollections,
  resultKey,
  roundPrefix,
  sessionPrefix,
} from './store-layout.js';
import { type SessionSummary, summarizeSession } from './summary.js';
import type { SessionView } from './views.js';

export interface SessionQueriesOptions {
  rooms: LiveRooms;
  db: QuizCollections;
  set: PairSet;
  pairs: ReadonlyMap<string, ConfusingPair>;
  personIndex: PersonIndex;
}

/**
 * The read side of the quiz: what front ends, commands and the baseline ask about sessions without
 * changing them. Running sessions are answered from memory (the rooms this process drives); everything
 * else (summaries, a revealed round's figures, statistics, leaderboards, a person's choices in a closed
 * round) is computed from the store, so other layers never read the engine's keys. Nothing here writes.
 */
export class SessionQueries {
  private readonly rooms: LiveRooms;
  private readonly db: QuizCollections;
  private readonly set: PairSet;
  private readonly pairs: ReadonlyMap<string, ConfusingPair>;
  private readonly personIndex: PersonIndex;

  constructor(options: SessionQueriesOptions) {
    this.rooms = options.rooms;
    this.db = options.db;
    this.set = options.set;
    this.pairs = options.pairs;
    this.personIndex = options.personIndex;
  }

  /** The session running in a room, or null. */
  session(roomId: string): SessionView | null {
    const room = this.rooms.get(roomId);
    return room === undefined ? null : sessionView(room);
  }

  /** People who answered both images of the room's current round (0 when there is none): cheap, in memory. */
  answeredCount(roomId: string): number {
    return this.rooms.get(roomId)?.live?.complete ?? 0;
  }

  /**
   * Whether `pairId` is asked by an open round in `room` or, given a server, in any room of that server.
   * Whatever shows a pair's answers (/pair, /probe) refuses such a pair until its reveal.
   */
  isPairInOpenRound(pairId: string, where: { roomId: string; guildId?: string | null }): boolean {
    for (const room of this.rooms.all()) {
      const live = room.live;
      if (live === null || live.record.state !== 'open' || live.pair.id !== pairId) continue;
      const sameGuild = where.guildId != null && room.session.guildId === where.guildId;
      if (room.session.roomId === where.roomId || sameGuild) return true;
    }
    return false;
  }

  /** Whether this actor may use the host controls of the room's session (false when there is none). */
  isHost(roomId: string, actor: Actor): boolean {
    const room = this.rooms.get(roomId);
    return room !== undefined && mayHost(room.session, actor);
  }

  /** A session's summary (running or ended), computed from its stored answers. */
  async summary(sessionId: string): Promise<SessionSummary> {
    const session = await this.db.sessions.get(sessionId);
    if (session === undefined) throw quizError('NO_SESSION', `There is no quiz session ${sessionId}.`);
    const [answers, results] = await Promise.all([
      collect(this.db.answers.entries(sessionPrefix(sessionId))),
      collect(this.db.results.entries(sessionPrefix(sessionId))),
    ]);
    return summarizeSession({
      set: this.set,
      pairs: this.pairs,
      session,
      answers: groupAnswers(answers),
      results: new Map(results.map((r) => [r.round, r])),
    });
  }

  /**
   * What a person chose for image 1 and image 2 of a round (null where they did not answer): from memory
   * for the open round, else from the store. Front ends ask this instead of reading the engine's keys.
   */
  async choicesOf(sessionId: string, round: number, userId: string): Promise<[Option | null, Option | null]> {
    for (const room of this.rooms.all()) {
      const live = room.live;
      if (room.session.id === sessionId && live?.record.index === round && live.record.state === 'open') {
        const person = live.people.get(userId);
        return person === undefined ? [null, null] : chosenOf(person);
      }
    }
    const [a, b] = await this.db.answers.getMany([
      answerKey(sessionId, round, userId, 0),
      answerKey(sessionId, round, userId, 1),
    ]);
    return [a?.option ?? null, b?.option ?? null];
  }

  /** The reveal of any revealed round, recomputed from the store (for "show results again"). */
  async roundReveal(sessionId: string, round: number): Promise<RoundReveal> {
    const session = await this.db.sessions.get(sessionId);
    const record = session?.rounds.find((r) => r.index === round);
    const result = await this.db.results.get(resultKey(sessionId, round));
    if (session === undefined || record === undefined || result === undefined) {
      throw quizError('NO_ROUND', `Round ${round} of that quiz has not been revealed.`);
    }
    const answers = await collect(this.db.answers.entries(roundPrefix(sessionId, round)));
    return this.buildReveal(session, record, groupAnswers(answers).get(round) ?? new Map(), result);
  }

  /** People versus each model over every revealed round in a scope, per category. */
  stats(scope: StatsScope): Promise<ScopeStats> {
    return scopeStats(this.statsDeps(), scope);
  }

  /** People in a scope ranked by set accuracy, among those with enough answered pairs. */
  leaderboard(scope: StatsScope, options: LeaderboardOptions = {}): Promise<Leaderboard> {
    return leaderboard(this.statsDeps(), scope, options);
  }

  /** A round's reveal from its people and stored result: the same computation live and from the store. */
  buildReveal(
    session: SessionRecord,
    record: RoundRecord,
    people: ReadonlyMap<string, PersonRound>,
    result: RoundResultRecord,
  ): RoundReveal {
    return computeReveal({
      sessionId: session.id,
      roomId: session.roomId,
      round: record.index,
      pair: pairOf(this.set, this.pairs, record.pairId),
      people: people.values(),
      models: result.models,
      closedAt: result.closedAt,
      closedBy: result.closedBy,
    });
  }

  private statsDeps(): StatsDeps {
    return { set: this.set, pairs: this.pairs, db: this.db, personIndex: this.personIndex };
  }
}
