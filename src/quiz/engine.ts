import { randomUUID } from 'node:crypto';
import type { Option, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { RandomSource } from '../random.js';
import type { Store } from '../store/types.js';
import { type AnswerInput, AnswerIntake, type AnswerOutcome } from './answer-intake.js';
import { type Clock, type Scheduler, systemClock, systemScheduler } from './clock.js';
import { QuizEvents, type QuizListener } from './events.js';
import type { Actor } from './host-rule.js';
import { LiveRooms } from './live-rooms.js';
import type { ModelAnswerSource } from './model-answers.js';
import { indexPairs } from './pairs.js';
import { PersonIndex } from './person-index.js';
import type { QuizError } from './quiz-errors.js';
import type { RoundReveal } from './reveal.js';
import { RoundScheduler } from './round-scheduler.js';
import { defaultOwnership, type OwnershipSettings, SessionLeases } from './session-leases.js';
import { SessionQueries } from './session-queries.js';
import { SessionRecovery } from './session-recovery.js';
import { DEFAULT_LIMITS, type QuizLimits, type StartRequest } from './session-settings.js';
import {
  type AdvanceOutcome,
  type RevealOutcome,
  type RoundRef,
  SessionTransitions,
  type StartResult,
  type StopOutcome,
} from './session-transitions.js';
import type { Leaderboard, LeaderboardOptions, ScopeStats, StatsScope } from './stats.js';
import { quizCollections } from './store-layout.js';
import type { SessionSummary } from './summary.js';
import type { RecoveryReport, SessionView } from './views.js';

export type { AnswerAccepted, AnswerInput, AnswerOutcome } from './answer-intake.js';
export type { Actor } from './host-rule.js';
export { DEFAULT_LIMITS, type QuizLimits, type StartRequest } from './session-settings.js';
export type {
  AdvanceOutcome,
  RevealOutcome,
  RoundRef,
  StartResult,
  StopOutcome,
} from './session-transitions.js';
export type { RecoveryReport, RoundView, SessionView } from './views.js';

export interface QuizEngineOptions {
  store: Store;
  set: PairSet;
  models: ModelAnswerSource;
  log: Logger;
  clock?: Clock;
  random?: RandomSource;
  /** Timers of the round scheduler (setTimeout by default); tests drive it with the clock. */
  scheduler?: Scheduler;
  limits?: Partial<QuizLimits>;
  newSessionId?: () => string;
  /**
   * Who this process is in session leases and how long a lease lasts (session-leases.ts); by default a
   * unique name per process on Redis and PostgreSQL, and one fixed name on SQLite, which one process uses.
   */
  ownership?: Partial<OwnershipSettings>;
  /**
   * The rooms this engine recovers and takes over: with several processes on one store (Discord shards,
   * the web channel in its own process), each covers its own share. All rooms by default.
   */
  scope?: (room: { roomId: string; guildId: string | null }) => boolean;
}

/**
 * The quiz-session engine shared by every front end (Discord, the web page). It knows rooms, people and
 * options, never platforms, and it drives every session: its round scheduler (on the injected clock and
 * scheduler) reveals a round when time is up and opens the next one after the session's pause; host
 * actions name the round they mean and are refused when it is no longer current. Every change is
 * announced to subscribers (`subscribe`) as a typed per-room event after it is stored; front ends render
 * those events and forward people's clicks, and never time a round themselves.
 *
 * This class is the facade front ends and the composition use; each concept lives in its own module:
 * - session-transitions.ts: the state machine (start, reveal, next, skip, stop, the scheduler's steps,
 *   end, forget-me). Transitions run one at a time per room inside its `drive()` and persist through its
 *   `saveSession()` before they return: the places where "this process holds the session's lease" is
 *   checked.
 * - answer-intake.ts: people's clicks, serialised per person only, each durable before it is acknowledged.
 * - session-recovery.ts: sessions left by a stopped process, and the keeper of this process's leases.
 * - session-queries.ts: the read side (summaries, reveals again, statistics, leaderboards, choices).
 * - live-rooms.ts: the in-memory rooms the others share.
 */
export class QuizEngine {
  private readonly rooms = new LiveRooms();
  private readonly events: QuizEvents;
  private readonly intake: AnswerIntake;
  private readonly queries: SessionQueries;
  private readonly transitions: SessionTransitions;
  private readonly recovery: SessionRecovery;
  private readonly leases: SessionLeases;

  constructor(options: QuizEngineOptions) {
    const db = quizCollections(options.store);
    const personIndex = new PersonIndex(options.store);
    const set = options.set;
    const pairs = indexPairs(options.set);
    const log = options.log;
    const clock = options.clock ?? systemClock;
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const scheduler = options.scheduler ?? systemScheduler;
    this.leases = new SessionLeases(
      options.store,
      { ...defaultOwnership(options.store), ...options.ownership },
      clock,
    );
    this.events = new QuizEvents((err, event) =>
      log.error({ err, event: event.type, roomId: event.roomId }, 'quiz event listener failed'),
    );
    const rooms = this.rooms;
    const events = this.events;
    const leases = this.leases;
    this.intake = new AnswerIntake({ rooms, db, personIndex, clock, events });
    this.queries = new SessionQueries({ rooms, db, set, pairs, personIndex });
    this.transitions = new SessionTransitions({
      rooms,
      db,
      leases,
      queries: this.queries,
      intake: this.intake,
      events,
      timing: new RoundScheduler(clock, scheduler),
      set,
      pairs,
      models: options.models,
      log,
      clock,
      random: options.random ?? Math.random,
      limits,
      newSessionId: options.newSessionId ?? randomUUID,
      onLeased: () => this.recovery.keepLeases(),
    });
    this.recovery = new SessionRecovery({
      rooms,
      db,
      leases,
      transitions: this.transitions,
      events,
      log,
      clock,
      scheduler,
      limits,
      scope: options.scope ?? (() => true),
    });
  }

  /** Every room's events, in the order they happened; returns the function that unsubscribes. */
  subscribe(listener: QuizListener): () => void {
    return this.events.subscribe(listener);
  }

  /** Resolves once the scheduler's steps under way have finished (they may start new ones: waits for those too). */
  settled(): Promise<void> {
    return this.rooms.settled();
  }

  // ---- sessions ---------------------------------------------------------------------------------------

  start(request: StartRequest): Promise<StartResult> {
    return this.transitions.start(request);
  }

  /** The session running in a room, or null. */
  session(roomId: string): SessionView | null {
    return this.queries.session(roomId);
  }

  /** People who answered both images of the room's current round (0 when there is none): cheap, in memory. */
  answeredCount(roomId: string): number {
    return this.queries.answeredCount(roomId);
  }

  // ---- answers ----------------------------------------------------------------------------------------

  /**
   * Records one click. Resolves only after the click is durable in the store (or with a refusal). Clicks of
   * one person are handled one after another; clicks of different people run concurrently and write
   * different keys, so none is lost however many arrive at once.
   */
  answer(input: AnswerInput): Promise<AnswerOutcome> {
    return this.intake.answer(input);
  }

  // ---- reveal and host controls ----------------------------------------------------------------------

  /** Reveals the round `at` names now. A second reveal returns the first result, `fresh: false`. */
  reveal(roomId: string, actor: Actor, at: RoundRef): Promise<RevealOutcome> {
    return this.transitions.reveal(roomId, actor, at);
  }

  /**
   * Whether `pairId` is asked by an open round in `room` or, given a server, in any room of that server.
   * Whatever shows a pair's answers (/pair, /probe) refuses such a pair until its reveal.
   */
  isPairInOpenRound(pairId: string, where: { roomId: string; guildId?: string | null }): boolean {
    return this.queries.isPairInOpenRound(pairId, where);
  }

  /**
   * Opens the next round, revealing the round `at` names first if it is still open; ends after the last
   * round. Two presses for the same round (two host screens) advance once: the second is STALE_ACTION.
   */
  next(roomId: string, actor: Actor, at: RoundRef): Promise<AdvanceOutcome> {
    return this.transitions.next(roomId, actor, at);
  }

  /**
   * Drops the round `at` names without a reveal (its answers are kept in the store but never counted) and
   * opens the next pair. After a reveal it is the same as `next`.
   */
  skip(roomId: string, actor: Actor, at: RoundRef): Promise<AdvanceOutcome> {
    return this.transitions.skip(roomId, actor, at);
  }

  /**
   * Ends the session now. An open round that has answers is revealed first, so nothing anyone answered
   * is thrown away; an open round without answers is dropped. `at` names the session (a typed command
   * such as `/quiz stop`) or, for a button, also its round.
   */
  stop(roomId: string, actor: Actor, at: { sessionId: string; round?: number }): Promise<StopOutcome> {
    return this.transitions.stop(roomId, actor, at);
  }

  /** Whether this actor may use the host controls of the room's session (false when there is none). */
  isHost(roomId: string, actor: Actor): boolean {
    return this.queries.isHost(roomId, actor);
  }

  /**
   * Why a host action would be refused right now (the same checks the action makes), or null. Lets a
   * front end answer a stale or unauthorised press at once; the action checks again under the room's lock.
   */
  refusalFor(roomId: string, actor: Actor, at: { sessionId: string; round?: number }): QuizError | null {
    return this.transitions.refusalFor(roomId, actor, at);
  }

  // ---- results --------------------------------------------------------------------------------------

  /** A session's summary (running or ended), computed from its stored answers. */
  summary(sessionId: string): Promise<SessionSummary> {
    return this.queries.summary(sessionId);
  }

  /**
   * What a person chose for image 1 and image 2 of a round (null where they did not answer): from memory
   * for the open round, else from the store. Front ends ask this instead of reading the engine's keys.
   */
  choicesOf(sessionId: string, round: number, userId: string): Promise<[Option | null, Option | null]> {
    return this.queries.choicesOf(sessionId, round, userId);
  }

  /** The reveal of any revealed round, recomputed from the store (for "show results again"). */
  roundReveal(sessionId: string, round: number): Promise<RoundReveal> {
    return this.queries.roundReveal(sessionId, round);
  }

  /** People versus each model over every revealed round in a scope, per category. */
  stats(scope: StatsScope): Promise<ScopeStats> {
    return this.queries.stats(scope);
  }

  /** People in a scope ranked by set accuracy, among those with enough answered pairs. */
  leaderboard(scope: StatsScope, options: LeaderboardOptions = {}): Promise<Leaderboard> {
    return this.queries.leaderboard(scope, options);
  }

  // ---- restart safety --------------------------------------------------------------------------------

  /**
   * Reloads the sessions that were running when the process stopped. Rounds still within their time are
   * resumed (answers given before are reloaded and live models asked again); rounds whose time ran out are
   * revealed with every stored answer; sessions left longer than `staleAfterMs` are ended with a summary.
   * Call once at start-up, before the front end accepts clicks.
   */
  recover(): Promise<RecoveryReport> {
    return this.recovery.recover();
  }

  /**
   * Whether a room with no session in this engine has one that another live process runs; front ends
   * then stay silent there, since that process answers (several processes may receive the same event).
   */
  runsElsewhere(roomId: string): Promise<boolean> {
    return this.recovery.runsElsewhere(roomId);
  }

  /** This process's name in session leases (for logs and operators). */
  get leaseOwner(): string {
    return this.leases.owner;
  }

  /**
   * For a graceful stop: stops the engine (as `close`) and gives up every lease, so that another process
   * (the next one of a rolling update, or the respawned shard) takes the sessions over at once.
   */
  async shutdown(): Promise<void> {
    this.close();
    await this.recovery.handOver();
  }

  /**
   * Forget-me for what this engine holds in memory: the person's clicks leave every open round (so a later
   * reveal does not count them; the caller deletes the stored records afterwards), and their id as the host
   * of a running session is replaced by `replacementHost` under the room's lock, so the engine never writes
   * it back. Ended sessions are no longer the engine's and are left to the caller.
   */
  forgetUser(
    userId: string,
    replacementHost: string,
  ): Promise<{ openRounds: number; sessionsRehosted: number }> {
    return this.transitions.forgetUser(userId, replacementHost);
  }

  /** Stops the round scheduler and aborts pending live model requests; the store stays open (its owner closes it). */
  close(): void {
    this.recovery.stopKeeping();
    this.transitions.stopTimers();
    this.rooms.close();
  }
}
