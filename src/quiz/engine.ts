import { randomUUID } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import { OPTIONS } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { RandomSource } from '../random.js';
import type { Store } from '../store/types.js';
import { chosenOf, groupAnswers, isComplete, type PersonRound } from './answers.js';
import { type Clock, type Scheduler, systemClock, systemScheduler } from './clock.js';
import { QuizEvents, type QuizListener } from './events.js';
import { type Actor, mayHost } from './host-rule.js';
import { type ModelAnswerSource, type TrackedModelRequest, trackModelRequest } from './model-answers.js';
import { drawPairOrder, indexPairs, resolveCategory } from './pairs.js';
import { PersonIndex } from './person-index.js';
import { isQuizError, type QuizError, type QuizRefusal, quizError, refusal } from './quiz-errors.js';
import type {
  AnswerRecord,
  ClosedBy,
  EndReason,
  ModelOutcome,
  RoundRecord,
  RoundResultRecord,
  SessionRecord,
  SessionSettings,
} from './records.js';
import type { ModelPendingCode } from './recovery-note.js';
import { computeReveal, type RoundReveal } from './reveal.js';
import { RoundScheduler } from './round-scheduler.js';
import { defaultOwnership, type OwnershipSettings, SessionLeases } from './session-leases.js';
import {
  type Leaderboard,
  type LeaderboardOptions,
  leaderboard,
  type ScopeStats,
  type StatsScope,
  scopeStats,
} from './stats.js';
import {
  answerKey,
  collect,
  type QuizCollections,
  quizCollections,
  resultKey,
  roundPrefix,
  sessionPrefix,
} from './store-layout.js';
import { type SessionSummary, summarizeSession } from './summary.js';
import type { RecoveryReport, RoundView, SessionView } from './views.js';

export type { Actor } from './host-rule.js';
export type { RecoveryReport, RoundView, SessionView } from './views.js';

export interface QuizLimits {
  defaultRounds: number;
  maxRounds: number;
  defaultSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  maxModels: number;
  /**
   * After a restart, a session whose round closed (or should have closed) longer ago than this is ended
   * instead of resumed: nobody is waiting for it any more, and it would block the room.
   */
  staleAfterMs: number;
}

export const DEFAULT_LIMITS: QuizLimits = {
  defaultRounds: 5,
  maxRounds: 20,
  defaultSeconds: 60,
  minSeconds: 10,
  maxSeconds: 600,
  maxModels: 5,
  staleAfterMs: 15 * 60_000,
};

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

/** The session and round a host action is meant for: a press on an older question changes nothing. */
export interface RoundRef {
  sessionId: string;
  round: number;
}

export interface StartRequest {
  /** The channel (Discord) or room (web) the session runs in; one session per room. */
  roomId: string;
  /** The server the room belongs to, for per-server statistics. */
  guildId?: string | null;
  hostUserId: string;
  category?: string | null;
  rounds?: number;
  secondsPerRound?: number;
  models?: readonly string[];
  /** Let people change an answer until the reveal; by default both answers lock once given. */
  allowChanges?: boolean;
  /**
   * How long a reveal stays up before the engine opens the next round by itself; null (the default) waits
   * for the host's Next. Discord uses a pause (a channel has no remote control); the web page waits.
   */
  revealPauseMs?: number | null;
}

export interface StartResult {
  session: SessionView;
  round: RoundView;
  /** Things the front end should tell the host, e.g. that fewer rounds fit the chosen category. */
  notices: string[];
}

export interface AnswerInput {
  roomId: string;
  userId: string;
  displayName: string;
  slot: number;
  option: string;
  /** The session and round the clicked button belongs to; a click on an older question is then late. */
  sessionId?: string;
  round?: number;
}

export interface AnswerAccepted {
  ok: true;
  round: number;
  /** What the person has chosen so far, image 1 and image 2. */
  choices: [Option | null, Option | null];
  /** Both images are answered. */
  complete: boolean;
  /** False when the click repeated the answer already recorded. */
  changed: boolean;
  /** True when the answers can no longer change (both given, changes not allowed). */
  locked: boolean;
  responseMs: number;
  /** People who have answered both images, for the live counter. */
  answeredCount: number;
}

export type AnswerOutcome = AnswerAccepted | (QuizRefusal & { choices?: [Option | null, Option | null] });

export interface RevealOutcome {
  reveal: RoundReveal;
  /** False when the round had already been revealed (a second reveal returns the first one's result). */
  fresh: boolean;
}

export interface AdvanceOutcome {
  /** The reveal of the round that was still open, when advancing had to close it. */
  reveal: RoundReveal | null;
  /** The round now open, or null when the session ended. */
  round: RoundView | null;
  /** The session's summary, when it ended. */
  summary: SessionSummary | null;
}

export interface StopOutcome {
  reveal: RoundReveal | null;
  summary: SessionSummary;
}

interface LiveRound {
  record: RoundRecord;
  pair: ConfusingPair;
  /** Set when the reveal starts: from then on every click is late. */
  closing: boolean;
  people: Map<string, PersonRound>;
  complete: number;
  /** Clicks admitted before closing whose store write has not finished; the reveal waits for them. */
  inflight: Set<Promise<unknown>>;
  userQueues: Map<string, LimitFunction>;
  models: Map<string, TrackedModelRequest>;
  abort: AbortController;
  reveal: RoundReveal | null;
}

interface Room {
  session: SessionRecord;
  live: LiveRound | null;
}

/** After a failed scheduled step (the store unreachable at a deadline), how long until it is tried again. */
const RETRY_MS = 5_000;

/**
 * The quiz-session engine shared by every front end (Discord, the web page). It knows rooms, people and
 * options, never platforms, and it drives every session: its round scheduler (on the injected clock and
 * scheduler) reveals a round when time is up and opens the next one after the session's pause; host
 * actions name the round they mean and are refused when it is no longer current. Every change is
 * announced to subscribers (`subscribe`) as a typed per-room event after it is stored; front ends render
 * those events and forward people's clicks, and never time a round themselves.
 *
 * State transitions (start, reveal, next, skip, stop, the scheduler's steps, forget-me) run one at a time
 * per room inside `drive()`, and persist through `saveSession()` before they return: those two are the
 * places where a check such as "this process holds the session's lease" belongs. Answers are serialised
 * per person only, and each is durable before it is acknowledged.
 */
export class QuizEngine {
  private readonly db: QuizCollections;
  private readonly personIndex: PersonIndex;
  private readonly set: PairSet;
  private readonly pairs: Map<string, ConfusingPair>;
  private readonly models: ModelAnswerSource;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly limits: QuizLimits;
  private readonly newSessionId: () => string;
  private readonly rooms = new Map<string, Room>();
  private readonly roomLocks = new Map<string, LimitFunction>();
  private readonly timing: RoundScheduler;
  private readonly events: QuizEvents;
  /** Scheduled steps under way, so `settled()` (tests, shutdown) can wait for them. */
  private readonly running = new Set<Promise<unknown>>();
  private readonly leases: SessionLeases;
  private readonly scope: (room: { roomId: string; guildId: string | null }) => boolean;
  private readonly scheduler: Scheduler;
  /** The lease keeper's next run (renewals, and takeovers of sessions whose owner stopped). */
  private keeper: { cancel(): void } | null = null;
  private keeperStarted = false;
  private keeping: Promise<void> | null = null;
  private closed = false;

  constructor(options: QuizEngineOptions) {
    this.db = quizCollections(options.store);
    this.personIndex = new PersonIndex(options.store);
    this.set = options.set;
    this.pairs = indexPairs(options.set);
    this.models = options.models;
    this.log = options.log;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.newSessionId = options.newSessionId ?? randomUUID;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.timing = new RoundScheduler(this.clock, this.scheduler);
    this.leases = new SessionLeases(
      options.store,
      { ...defaultOwnership(options.store), ...options.ownership },
      this.clock,
    );
    this.scope = options.scope ?? (() => true);
    this.events = new QuizEvents((err, event) =>
      this.log.error({ err, event: event.type, roomId: event.roomId }, 'quiz event listener failed'),
    );
  }

  /** Every room's events, in the order they happened; returns the function that unsubscribes. */
  subscribe(listener: QuizListener): () => void {
    return this.events.subscribe(listener);
  }

  /** Resolves once the scheduler's steps under way have finished (they may start new ones: waits for those too). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  // ---- sessions ---------------------------------------------------------------------------------------

  async start(request: StartRequest): Promise<StartResult> {
    const settings = await this.validateSettings(request);
    return this.drive(request.roomId, async () => {
      if (this.rooms.has(request.roomId)) {
        throw quizError(
          'SESSION_EXISTS',
          'A quiz is already running here. Wait for it to finish, or ask its host to stop it.',
        );
      }
      const notices: string[] = [];
      const pairOrder = drawPairOrder(this.set, settings.category, this.random);
      if (pairOrder.length < settings.rounds) {
        notices.push(
          `Only ${pairOrder.length} question${pairOrder.length === 1 ? '' : 's'} match ${settings.category ?? 'the set'}, so the quiz has ${pairOrder.length} round${pairOrder.length === 1 ? '' : 's'} instead of ${settings.rounds}.`,
        );
        settings.rounds = pairOrder.length;
      }
      const now = this.clock.now();
      const session: SessionRecord = {
        version: 1,
        id: this.newSessionId(),
        roomId: request.roomId,
        guildId: request.guildId ?? null,
        hostUserId: request.hostUserId,
        setName: this.set.name,
        createdAt: now,
        settings,
        pairOrder,
        rounds: [this.newRound(1, pairOrder[0] as string, now, settings)],
        status: 'active',
        endedAt: null,
        endReason: null,
      };
      // The lease comes before the room: another process that finds the room taken then also finds
      // the new session leased, and stays silent instead of treating the room as abandoned.
      const claim = await this.leases.claim(session.id);
      if (!claim.ok) throw new Error(`quiz: the new session id ${session.id} is already leased`);
      try {
        await this.claimRoom(session);
      } catch (err) {
        await this.leases.release(session.id).catch(() => undefined);
        throw err;
      }
      try {
        await this.writeSession(session);
      } catch (err) {
        await this.db.rooms.delete(session.roomId).catch(() => undefined);
        await this.leases.release(session.id).catch(() => undefined);
        throw err;
      }
      this.keepLeases();
      const room: Room = { session, live: null };
      this.rooms.set(session.roomId, room);
      this.openLive(room, new Map());
      this.log.info(
        { sessionId: session.id, roomId: session.roomId, rounds: settings.rounds },
        'quiz session started',
      );
      const round = this.roundView(room) as RoundView;
      this.opened(room, round);
      return { session: this.sessionView(room), round, notices };
    });
  }

  /** The session running in a room, or null. */
  session(roomId: string): SessionView | null {
    const room = this.rooms.get(roomId);
    return room === undefined ? null : this.sessionView(room);
  }

  /** People who answered both images of the room's current round (0 when there is none): cheap, in memory. */
  answeredCount(roomId: string): number {
    return this.rooms.get(roomId)?.live?.complete ?? 0;
  }

  // ---- answers ----------------------------------------------------------------------------------------

  /**
   * Records one click. Resolves only after the click is durable in the store (or with a refusal). Clicks of
   * one person are handled one after another; clicks of different people run concurrently and write
   * different keys, so none is lost however many arrive at once.
   */
  answer(input: AnswerInput): Promise<AnswerOutcome> {
    // Admission is decided synchronously, so a reveal that starts later sees this click in `inflight`.
    const slot = input.slot;
    const option = input.option;
    if ((slot !== 0 && slot !== 1) || !(OPTIONS as readonly string[]).includes(option)) {
      return Promise.resolve(refusal('INVALID_OPTION', 'Pick A or B for image 1 or image 2.'));
    }
    const room = this.rooms.get(input.roomId);
    if (room === undefined) {
      return Promise.resolve(refusal('NO_SESSION', 'There is no quiz running here right now.'));
    }
    const live = room.live;
    const now = this.clock.now();
    const staleButton =
      (input.sessionId !== undefined && input.sessionId !== room.session.id) ||
      (input.round !== undefined && live !== null && input.round !== live.record.index);
    if (staleButton) {
      return Promise.resolve(
        refusal('ROUND_CLOSED', 'That question is over; answer the current one instead.'),
      );
    }
    if (live === null || live.closing || live.record.state !== 'open' || now >= live.record.deadline) {
      return Promise.resolve(
        refusal('ROUND_CLOSED', "Time's up for this question, so answers are no longer accepted."),
      );
    }
    let queue = live.userQueues.get(input.userId);
    if (queue === undefined) {
      queue = pLimit(1);
      live.userQueues.set(input.userId, queue);
    }
    const task = queue(() => this.recordAnswer(room, live, input, slot, option as Option, now));
    live.inflight.add(task);
    void task.finally(() => live.inflight.delete(task)).catch(() => undefined);
    return task;
  }

  private async recordAnswer(
    room: Room,
    live: LiveRound,
    input: AnswerInput,
    slot: ImageSlot,
    option: Option,
    now: number,
  ): Promise<AnswerOutcome> {
    const { settings } = room.session;
    const before = live.people.get(input.userId);
    const clicks = before?.clicks ?? [null, null];
    const wasComplete = before !== undefined && isComplete(before);
    const choices = (): [Option | null, Option | null] => [
      clicks[0]?.option ?? null,
      clicks[1]?.option ?? null,
    ];
    if (wasComplete && !settings.allowChanges) {
      const [a, b] = choices();
      return {
        ...refusal(
          'ANSWER_LOCKED',
          `Your answers are locked in (image 1: ${a}, image 2: ${b}); this quiz does not allow changes.`,
        ),
        choices: [a, b],
      };
    }
    const responseMs = Math.max(0, now - live.record.startedAt);
    const previous = clicks[slot];
    if (previous?.option === option) {
      return this.accepted(live, room, choices(), wasComplete, false, previous.responseMs);
    }
    const record: AnswerRecord = {
      sessionId: room.session.id,
      roomId: room.session.roomId,
      guildId: room.session.guildId,
      round: live.record.index,
      pairId: live.pair.id,
      userId: input.userId,
      displayName: input.displayName,
      slot,
      option,
      at: now,
      responseMs,
      changes: previous === null ? 0 : previous.changes + 1,
    };
    // A person's first click of the round also adds them to the per-person index, issued first so that it
    // is never committed after the click (see person-index.ts); both share the click's commit.
    const indexed = before === undefined ? this.personIndex.add(record.userId, record.sessionId) : undefined;
    indexed?.catch(() => undefined);
    await this.db.answers.set(answerKey(record.sessionId, record.round, record.userId, slot), record);
    await indexed;

    const person = before ?? { userId: input.userId, displayName: input.displayName, clicks: [null, null] };
    person.displayName = input.displayName;
    person.clicks[slot] = { option, at: now, responseMs, changes: record.changes };
    live.people.set(input.userId, person);
    const complete = isComplete(person);
    if (complete && !wasComplete) {
      live.complete++;
      this.counted(room, live);
    }
    return this.accepted(live, room, chosenOf(person), complete, true, responseMs);
  }

  private accepted(
    live: LiveRound,
    room: Room,
    choices: [Option | null, Option | null],
    complete: boolean,
    changed: boolean,
    responseMs: number,
  ): AnswerAccepted {
    return {
      ok: true,
      round: live.record.index,
      choices,
      complete,
      changed,
      locked: complete && !room.session.settings.allowChanges,
      responseMs,
      answeredCount: live.complete,
    };
  }

  // ---- reveal and host controls ----------------------------------------------------------------------

  /** Reveals the round `at` names now. A second reveal returns the first result, `fresh: false`. */
  reveal(roomId: string, actor: Actor, at: RoundRef): Promise<RevealOutcome> {
    return this.drive(roomId, async () => {
      const room = this.requireAction(roomId, actor, at);
      const outcome = await this.revealCurrent(room, 'host');
      if (outcome.fresh) this.revealed(room, outcome.reveal, true);
      return outcome;
    });
  }

  /**
   * Whether `pairId` is asked by an open round in `room` or, given a server, in any room of that server.
   * Whatever shows a pair's answers (/pair, /probe) refuses such a pair until its reveal.
   */
  isPairInOpenRound(pairId: string, where: { roomId: string; guildId?: string | null }): boolean {
    for (const room of this.rooms.values()) {
      const live = room.live;
      if (live === null || live.record.state !== 'open' || live.pair.id !== pairId) continue;
      const sameGuild = where.guildId != null && room.session.guildId === where.guildId;
      if (room.session.roomId === where.roomId || sameGuild) return true;
    }
    return false;
  }

  /**
   * Opens the next round, revealing the round `at` names first if it is still open; ends after the last
   * round. Two presses for the same round (two host screens) advance once: the second is STALE_ACTION.
   */
  next(roomId: string, actor: Actor, at: RoundRef): Promise<AdvanceOutcome> {
    return this.drive(roomId, async () => {
      const room = this.requireAction(roomId, actor, at);
      let reveal: RoundReveal | null = null;
      if (room.live?.record.state === 'open') {
        reveal = (await this.revealCurrent(room, 'host')).reveal;
        this.revealed(room, reveal, false);
      }
      return { reveal, ...(await this.advance(room)) };
    });
  }

  /**
   * Drops the round `at` names without a reveal (its answers are kept in the store but never counted) and
   * opens the next pair. After a reveal it is the same as `next`.
   */
  skip(roomId: string, actor: Actor, at: RoundRef): Promise<AdvanceOutcome> {
    return this.drive(roomId, async () => {
      const room = this.requireAction(roomId, actor, at);
      const live = room.live;
      if (live?.record.state === 'open') {
        await this.skipCurrent(room);
        this.closedEvent(room, live.record.index, 'skipped');
      }
      return { reveal: null, ...(await this.advance(room)) };
    });
  }

  /**
   * Ends the session now. An open round that has answers is revealed first, so nothing anyone answered
   * is thrown away; an open round without answers is dropped. `at` names the session (a typed command
   * such as `/quiz stop`) or, for a button, also its round.
   */
  stop(roomId: string, actor: Actor, at: { sessionId: string; round?: number }): Promise<StopOutcome> {
    return this.drive(roomId, async () => {
      const room = this.requireAction(roomId, actor, at);
      let reveal: RoundReveal | null = null;
      const live = room.live;
      if (live?.record.state === 'open') {
        if (live.people.size > 0 || live.inflight.size > 0) {
          reveal = (await this.revealCurrent(room, 'stop')).reveal;
          this.revealed(room, reveal, false);
        } else {
          await this.skipCurrent(room);
          this.closedEvent(room, live.record.index, 'stopped');
        }
      }
      return { reveal, summary: await this.finish(room, 'stopped') };
    });
  }

  /** Whether this actor may use the host controls of the room's session (false when there is none). */
  isHost(roomId: string, actor: Actor): boolean {
    const room = this.rooms.get(roomId);
    return room !== undefined && mayHost(room.session, actor);
  }

  /**
   * Why a host action would be refused right now (the same checks the action makes), or null. Lets a
   * front end answer a stale or unauthorised press at once; the action checks again under the room's lock.
   */
  refusalFor(roomId: string, actor: Actor, at: { sessionId: string; round?: number }): QuizError | null {
    try {
      this.requireAction(roomId, actor, at);
      return null;
    } catch (err) {
      if (isQuizError(err)) return err;
      throw err;
    }
  }

  // ---- the round scheduler ----------------------------------------------------------------------------

  /** Arms the room's next timed step: the deadline of an open round, or the pause after a reveal. */
  private schedule(room: Room, pauseFrom?: number): void {
    const live = room.live;
    const roomId = room.session.roomId;
    if (this.closed || live === null || room.session.status !== 'active') {
      this.timing.clear(roomId);
      return;
    }
    const ref = { sessionId: room.session.id, round: live.record.index };
    if (live.record.state === 'open') {
      this.timing.arm(roomId, live.record.deadline, () => this.step(roomId, ref, 'reveal'));
      return;
    }
    const pause = room.session.settings.revealPauseMs;
    if (live.record.state === 'revealed' && pause !== null) {
      this.timing.arm(roomId, (pauseFrom ?? live.record.closedAt ?? this.clock.now()) + pause, () =>
        this.step(roomId, ref, 'advance'),
      );
      return;
    }
    this.timing.clear(roomId);
  }

  /** A timed step: reveals at the deadline, or opens the next round after the pause, if still due. */
  private step(roomId: string, ref: RoundRef, kind: 'reveal' | 'advance'): void {
    const task = this.drive(roomId, async () => {
      const room = this.rooms.get(roomId);
      const live = room?.live;
      if (room === undefined || live == null || this.closed) return;
      if (room.session.id !== ref.sessionId || live.record.index !== ref.round) return;
      try {
        if (kind === 'reveal') {
          if (live.record.state !== 'open') return;
          const { reveal, fresh } = await this.revealCurrent(room, 'timer');
          if (fresh) this.revealed(room, reveal, true);
          return;
        }
        if (live.record.state !== 'revealed') return;
        await this.advance(room);
      } catch (err) {
        // Nobody pressed anything, so nobody gets a refusal: log it, tell the room, and try again.
        const retryAt = this.clock.now() + RETRY_MS;
        this.log.error(
          { err, roomId, sessionId: ref.sessionId, round: ref.round, step: kind },
          'quiz step failed',
        );
        this.timing.arm(roomId, retryAt, () => this.step(roomId, ref, kind));
        this.events.emit({ type: 'failed', roomId, ...ref, step: kind, retryAt });
      }
    });
    this.running.add(task);
    void task
      .catch((err: unknown) => this.log.error({ err, roomId }, 'quiz step failed'))
      .finally(() => this.running.delete(task));
  }

  // ---- events -----------------------------------------------------------------------------------------

  private opened(room: Room, round: RoundView): void {
    this.schedule(room);
    this.events.emit({ type: 'round-opened', roomId: room.session.roomId, round });
  }

  /** Announces a reveal; `current` when the session stays on the revealed round (not moving on at once). */
  private revealed(room: Room, reveal: RoundReveal, current: boolean): void {
    if (current) this.schedule(room);
    const advancesAt = current ? this.timing.armedAt(room.session.roomId) : null;
    this.events.emit({ type: 'revealed', roomId: room.session.roomId, reveal, advancesAt });
  }

  private closedEvent(room: Room, round: number, reason: 'skipped' | 'stopped'): void {
    this.events.emit({
      type: 'closed',
      roomId: room.session.roomId,
      sessionId: room.session.id,
      round,
      reason,
    });
  }

  private counted(room: Room, live: LiveRound): void {
    this.events.emit({
      type: 'count-changed',
      roomId: room.session.roomId,
      sessionId: room.session.id,
      round: live.record.index,
      answered: live.complete,
    });
  }

  /** Ends the session and announces it. */
  private async finish(room: Room, reason: EndReason): Promise<SessionSummary> {
    const summary = await this.end(room, reason);
    this.events.emit({ type: 'ended', roomId: room.session.roomId, summary });
    return summary;
  }

  // ---- results --------------------------------------------------------------------------------------

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
    for (const room of this.rooms.values()) {
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

  // ---- restart safety --------------------------------------------------------------------------------

  /**
   * Reloads the sessions that were running when the process stopped. Rounds still within their time are
   * resumed (answers given before are reloaded and live models asked again); rounds whose time ran out are
   * revealed with every stored answer; sessions left longer than `staleAfterMs` are ended with a summary.
   * Call once at start-up, before the front end accepts clicks.
   */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { resumed: [], revealed: [], ended: [] };
    for await (const [roomId, pointer] of this.db.rooms.entries()) {
      await this.recoverRoom(roomId, pointer.sessionId, report);
    }
    this.keepLeases();
    if (report.resumed.length + report.revealed.length + report.ended.length > 0) {
      this.log.info(
        { resumed: report.resumed.length, revealed: report.revealed.length, ended: report.ended.length },
        'quiz sessions recovered',
      );
    }
    return report;
  }

  /**
   * Recovers one room's session into this engine, when the room is in its scope and the session's lease
   * can be taken (nobody holds it, or its holder stopped renewing it); false when it is left alone.
   */
  private recoverRoom(roomId: string, sessionId: string, report: RecoveryReport): Promise<boolean> {
    return this.drive(roomId, async () => {
      if (this.rooms.has(roomId) || this.closed) return false;
      const seen = await this.db.sessions.get(sessionId);
      if (seen === undefined || seen.status === 'ended') {
        // A session still being created by another process has its lease already: leave its room be.
        if ((await this.leases.heldElsewhere(sessionId)) !== null) return false;
        await this.db.rooms.delete(roomId);
        return false;
      }
      if (!this.scope({ roomId, guildId: seen.guildId })) return false;
      if (!(await this.leases.claim(sessionId)).ok) return false;
      // Read again under the lease: the previous owner may have written it since.
      const session = (await this.db.sessions.get(sessionId)) ?? seen;
      const room: Room = { session, live: null };
      this.rooms.set(roomId, room);
      const current = session.rounds.at(-1);
      if (current === undefined) {
        report.ended.push({
          summary: await this.end(room, 'expired'),
          note: { code: 'ENDED_WITHOUT_ROUNDS' },
        });
        return true;
      }
      const answers = await collect(this.db.answers.entries(roundPrefix(session.id, current.index)));
      this.openLive(room, groupAnswers(answers).get(current.index) ?? new Map());
      const now = this.clock.now();
      const number = this.roundNumber(session, current.index);
      const expired = current.state === 'open' && current.deadline <= now;
      // How long the room has been waiting on nobody: since the round's end (or its deadline if missed).
      const idleSince =
        current.state === 'open'
          ? expired
            ? current.deadline
            : null
          : (current.closedAt ?? current.deadline);
      if (expired) {
        const { reveal } = await this.revealCurrent(room, 'recovery');
        report.revealed.push({
          reveal,
          note: { code: 'REVEALED_AFTER_RESTART', number },
        });
      }
      if (idleSince !== null && now - idleSince > this.limits.staleAfterMs) {
        report.ended.push({
          summary: await this.end(room, 'expired'),
          note: { code: 'ENDED_AFTER_DOWNTIME', number },
        });
      } else {
        report.resumed.push(this.sessionView(room));
        // A recovered reveal's pause starts now, so every front end has shown it before the quiz moves on.
        this.schedule(room, now);
      }
      return true;
    });
  }

  // ---- leases ---------------------------------------------------------------------------------------

  /**
   * Starts, once, the keeper of this engine's leases: every third of a lease's time it renews the leases
   * held (a session whose lease another process has taken is dropped) and, on a shared store, takes over
   * the sessions in scope whose owner stopped renewing theirs, announcing each as a `recovered` event.
   */
  private keepLeases(): void {
    // On a store this process has to itself (SQLite) every lease is its own whatever its expiry, and
    // nobody else can have left a session behind: nothing to keep.
    if (this.keeperStarted || this.closed || this.leases.settings.exclusive) return;
    this.keeperStarted = true;
    const interval = Math.max(1, Math.floor(this.leases.settings.ttlMs / 3));
    const tick = () => {
      this.keeper = null;
      if (this.closed) return;
      const task = this.keepOnce()
        .catch((err: unknown) => this.log.error({ err }, 'keeping quiz session leases failed'))
        .finally(() => {
          this.running.delete(task);
          this.keeping = null;
          if (!this.closed) this.keeper = this.scheduler.schedule(tick, interval);
        });
      this.keeping = task;
      this.running.add(task);
    };
    this.keeper = this.scheduler.schedule(tick, interval);
  }

  private async keepOnce(): Promise<void> {
    for (const sessionId of await this.leases.renewAll()) {
      const room = [...this.rooms.values()].find((r) => r.session.id === sessionId);
      if (room !== undefined) this.lose(room);
    }
    for await (const [roomId, pointer] of this.db.rooms.entries()) {
      if (this.closed) return;
      if (this.rooms.has(roomId)) continue;
      const report: RecoveryReport = { resumed: [], revealed: [], ended: [] };
      if (!(await this.recoverRoom(roomId, pointer.sessionId, report))) continue;
      this.log.info(
        { roomId, sessionId: pointer.sessionId, owner: this.leases.owner },
        'took over a quiz session whose process stopped renewing its lease',
      );
      this.events.emit({ type: 'recovered', roomId, report });
    }
  }

  /**
   * Whether a room with no session in this engine has one that another live process runs; front ends
   * then stay silent there, since that process answers (several processes may receive the same event).
   */
  async runsElsewhere(roomId: string): Promise<boolean> {
    if (this.rooms.has(roomId)) return false;
    const pointer = await this.db.rooms.get(roomId);
    return pointer !== undefined && (await this.leases.heldElsewhere(pointer.sessionId)) !== null;
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
    await this.keeping;
    await Promise.allSettled([...this.running]);
    await Promise.all(
      this.leases
        .heldSessions()
        .map((sessionId) =>
          this.leases
            .release(sessionId)
            .catch((err: unknown) => this.log.warn({ err, sessionId }, 'could not release a quiz lease')),
        ),
    );
  }

  /**
   * Forget-me for what this engine holds in memory: the person's clicks leave every open round (so a later
   * reveal does not count them; the caller deletes the stored records afterwards), and their id as the host
   * of a running session is replaced by `replacementHost` under the room's lock, so the engine never writes
   * it back. Ended sessions are no longer the engine's and are left to the caller.
   */
  async forgetUser(
    userId: string,
    replacementHost: string,
  ): Promise<{ openRounds: number; sessionsRehosted: number }> {
    let openRounds = 0;
    let sessionsRehosted = 0;
    for (const roomId of [...this.rooms.keys()]) {
      await this.drive(roomId, async () => {
        const room = this.rooms.get(roomId);
        if (room === undefined) return;
        const live = room.live;
        if (live !== null && live.record.state === 'open') {
          // Lets a click of theirs that is being written finish first, so it is dropped too.
          await live.userQueues.get(userId)?.(async () => undefined);
          const person = live.people.get(userId);
          if (person !== undefined) {
            live.people.delete(userId);
            openRounds++;
            if (isComplete(person)) {
              live.complete--;
              this.counted(room, live);
            }
          }
        }
        if (room.session.hostUserId === userId) {
          await this.saveSession(room, { ...room.session, hostUserId: replacementHost });
          sessionsRehosted++;
        }
      });
    }
    return { openRounds, sessionsRehosted };
  }

  /** Stops the round scheduler and aborts pending live model requests; the store stays open (its owner closes it). */
  close(): void {
    this.closed = true;
    this.keeper?.cancel();
    this.keeper = null;
    this.timing.clearAll();
    for (const room of this.rooms.values()) room.live?.abort.abort();
    this.rooms.clear();
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private async validateSettings(request: StartRequest): Promise<SessionSettings> {
    const l = this.limits;
    const rounds = request.rounds ?? l.defaultRounds;
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > l.maxRounds) {
      throw quizError(
        'INVALID_SETTINGS',
        `Rounds must be a whole number from 1 to ${l.maxRounds} (got ${rounds}).`,
      );
    }
    const seconds = request.secondsPerRound ?? l.defaultSeconds;
    if (!Number.isInteger(seconds) || seconds < l.minSeconds || seconds > l.maxSeconds) {
      throw quizError(
        'INVALID_SETTINGS',
        `Seconds per round must be a whole number from ${l.minSeconds} to ${l.maxSeconds} (got ${seconds}).`,
      );
    }
    const pause = request.revealPauseMs ?? null;
    if (pause !== null && (!Number.isInteger(pause) || pause < 0)) {
      throw quizError(
        'INVALID_SETTINGS',
        `The pause after a reveal must be a whole number of ms (got ${pause}).`,
      );
    }
    const models = [...new Set(request.models ?? [])];
    if (models.length > l.maxModels) {
      throw quizError('INVALID_SETTINGS', `Choose at most ${l.maxModels} models (got ${models.length}).`);
    }
    if (models.length > 0) {
      const known = await this.models.knownModels();
      const unknown = models.filter((m) => !known.includes(m));
      if (unknown.length > 0) {
        throw quizError(
          'UNKNOWN_MODEL',
          `Unknown model${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. Available: ${known.length > 0 ? known.join(', ') : 'none'}.`,
        );
      }
    }
    const category =
      request.category === undefined || request.category === null || request.category.trim() === ''
        ? null
        : resolveCategory(this.set, request.category);
    return {
      category,
      rounds,
      secondsPerRound: seconds,
      models,
      allowChanges: request.allowChanges ?? false,
      revealPauseMs: pause,
    };
  }

  private async claimRoom(session: SessionRecord): Promise<void> {
    const pointer = { sessionId: session.id };
    if (await this.db.rooms.setIfAbsent(session.roomId, pointer)) return;
    const existing = await this.db.rooms.get(session.roomId);
    // Another live process runs (or is just starting) a session here: it answers, this process does not.
    const elsewhere = existing === undefined ? null : await this.leases.heldElsewhere(existing.sessionId);
    if (elsewhere !== null) throw elsewhereError(session.roomId, elsewhere.owner);
    // A pointer left by a session that ended (or never got written) must not block the room forever.
    const holder = existing === undefined ? undefined : await this.db.sessions.get(existing.sessionId);
    if (holder === undefined || holder.status === 'ended') {
      await this.db.rooms.set(session.roomId, pointer);
      return;
    }
    throw quizError(
      'SESSION_EXISTS',
      'A quiz is already registered in this room (it may resume after a restart). Ask its host to stop it.',
    );
  }

  private newRound(index: number, pairId: string, now: number, settings: SessionSettings): RoundRecord {
    return {
      index,
      pairId,
      startedAt: now,
      deadline: now + settings.secondsPerRound * 1000,
      state: 'open',
      closedAt: null,
      closedBy: null,
    };
  }

  /** Sets up the in-memory side of the room's latest round and, if it is open, asks the models. */
  private openLive(room: Room, people: Map<string, PersonRound>): void {
    const record = room.session.rounds.at(-1);
    if (record === undefined) {
      room.live = null;
      return;
    }
    const pair = this.pairOf(record.pairId);
    const live: LiveRound = {
      record,
      pair,
      closing: false,
      people,
      complete: [...people.values()].filter(isComplete).length,
      inflight: new Set(),
      userQueues: new Map(),
      models: new Map(),
      abort: new AbortController(),
      reveal: null,
    };
    room.live = live;
    if (record.state !== 'open') return;
    for (const modelId of room.session.settings.models) {
      live.models.set(
        modelId,
        trackModelRequest(this.models, modelId, pair, live.abort.signal, (err) =>
          this.log.error({ err, modelId, pairId: pair.id }, 'model answer source failed'),
        ),
      );
    }
  }

  private async revealCurrent(room: Room, by: ClosedBy): Promise<RevealOutcome> {
    const live = room.live;
    if (live === null) throw quizError('NO_ROUND', 'There is no question to reveal.');
    if (live.record.state === 'revealed') return { reveal: await this.revealOf(room, live), fresh: false };
    if (live.record.state === 'skipped') throw quizError('NO_ROUND', 'That question was skipped.');

    live.closing = true;
    try {
      return await this.storeReveal(room, live, by);
    } catch (err) {
      // Nothing was revealed (the store refused the result or the round): the round stays open as it was.
      live.closing = false;
      throw err;
    }
  }

  private async storeReveal(room: Room, live: LiveRound, by: ClosedBy): Promise<RevealOutcome> {
    await Promise.allSettled([...live.inflight]);
    // Cached model answers resolve within a turn of the event loop; live ones still running are reported
    // as pending rather than waited for.
    await new Promise<void>((resolve) => setImmediate(resolve));

    const closedAt = this.clock.now();
    // Stored for the record; reveals word a pending model from the round's closedBy (computeReveal).
    const pendingReason: ModelPendingCode = by === 'recovery' ? 'RESTARTED' : 'STILL_ANSWERING';
    const models = room.session.settings.models.map((modelId): ModelOutcome => {
      const result = live.models.get(modelId)?.result ?? null;
      if (result === null) return { modelId, status: 'pending', reason: pendingReason };
      return result.ok
        ? {
            modelId,
            status: 'answered',
            chosen: result.chosen,
            raw: result.raw,
            ...(result.confidence ? { confidence: result.confidence } : {}),
          }
        : { modelId, status: 'failed', reason: result.reason };
    });
    const result: RoundResultRecord = {
      sessionId: room.session.id,
      round: live.record.index,
      pairId: live.pair.id,
      closedAt,
      closedBy: by,
      models,
    };
    const fence = this.leases.fence(room.session.id);
    if (!(await this.db.results.setFenced(resultKey(result.sessionId, result.round), result, fence))) {
      this.lose(room);
      throw elsewhereError(room.session.roomId, null);
    }
    await this.saveRound(room, { ...live.record, state: 'revealed', closedAt, closedBy: by });
    live.reveal = this.buildReveal(room.session, live.record, live.people, result);
    this.log.info(
      { sessionId: room.session.id, round: live.record.index, by, participants: live.people.size },
      'quiz round revealed',
    );
    return { reveal: live.reveal, fresh: true };
  }

  private async revealOf(room: Room, live: LiveRound): Promise<RoundReveal> {
    if (live.reveal !== null) return live.reveal;
    live.reveal = await this.roundReveal(room.session.id, live.record.index);
    return live.reveal;
  }

  private async skipCurrent(room: Room): Promise<void> {
    const live = room.live;
    if (live === null) return;
    live.closing = true;
    await Promise.allSettled([...live.inflight]);
    live.abort.abort();
    await this.saveRound(room, {
      ...live.record,
      state: 'skipped',
      closedAt: this.clock.now(),
      closedBy: 'host',
    });
  }

  private async advance(room: Room): Promise<Omit<AdvanceOutcome, 'reveal'>> {
    const { session } = room;
    const played = session.rounds.filter((r) => r.state !== 'skipped').length;
    if (played >= session.settings.rounds) {
      return { round: null, summary: await this.finish(room, 'completed') };
    }
    const pairId = session.pairOrder[session.rounds.length];
    if (pairId === undefined) return { round: null, summary: await this.finish(room, 'exhausted') };
    room.live?.abort.abort();
    const round = this.newRound(session.rounds.length + 1, pairId, this.clock.now(), session.settings);
    await this.saveSession(room, { ...session, rounds: [...session.rounds, round] });
    this.openLive(room, new Map());
    const view = this.roundView(room) as RoundView;
    this.opened(room, view);
    return { round: view, summary: null };
  }

  private async end(room: Room, reason: EndReason): Promise<SessionSummary> {
    room.live?.abort.abort();
    this.timing.clear(room.session.roomId);
    await this.saveSession(room, {
      ...room.session,
      status: 'ended',
      endedAt: this.clock.now(),
      endReason: reason,
    });
    await this.db.rooms.delete(room.session.roomId);
    this.rooms.delete(room.session.roomId);
    await this.leases
      .release(room.session.id)
      .catch((err: unknown) =>
        this.log.warn({ err, sessionId: room.session.id }, 'could not release a quiz lease'),
      );
    this.log.info({ sessionId: room.session.id, reason }, 'quiz session ended');
    return this.summary(room.session.id);
  }

  /** Persists first, then updates memory, so a failed write leaves the in-memory state as stored. */
  private async saveSession(room: Room, session: SessionRecord): Promise<void> {
    try {
      await this.writeSession(session);
    } catch (err) {
      if (isQuizError(err) && err.code === 'SESSION_ELSEWHERE') this.lose(room);
      throw err;
    }
    room.session = session;
  }

  /** Writes a session record under its lease: refused once another process has taken the session over. */
  private async writeSession(session: SessionRecord): Promise<void> {
    if (!(await this.db.sessions.setFenced(session.id, session, this.leases.fence(session.id)))) {
      this.leases.drop(session.id);
      throw elsewhereError(session.roomId, null);
    }
  }

  /**
   * Another process has taken the room's session over (its lease was renewed too late, or this process
   * was paused past it): stop driving it, without a word in the room, since the new owner speaks there.
   */
  private lose(room: Room): void {
    const roomId = room.session.roomId;
    if (this.rooms.get(roomId) !== room) return;
    this.timing.clear(roomId);
    room.live?.abort.abort();
    this.rooms.delete(roomId);
    this.leases.drop(room.session.id);
    this.log.warn(
      { sessionId: room.session.id, roomId },
      'another process has taken this quiz session over; this process stops driving it',
    );
    this.events.emit({ type: 'lost', roomId, sessionId: room.session.id });
  }

  private async saveRound(room: Room, round: RoundRecord): Promise<void> {
    const rounds = room.session.rounds.map((r) => (r.index === round.index ? round : r));
    await this.saveSession(room, { ...room.session, rounds });
    if (room.live?.record.index === round.index) room.live.record = round;
  }

  private buildReveal(
    session: SessionRecord,
    record: RoundRecord,
    people: ReadonlyMap<string, PersonRound>,
    result: RoundResultRecord,
  ): RoundReveal {
    return computeReveal({
      sessionId: session.id,
      roomId: session.roomId,
      round: record.index,
      pair: this.pairOf(record.pairId),
      people: people.values(),
      models: result.models,
      closedAt: result.closedAt,
      closedBy: result.closedBy,
    });
  }

  private pairOf(pairId: string): ConfusingPair {
    const pair = this.pairs.get(pairId);
    // A session refers to pairs of the set it was started with; a different set loaded after a restart is
    // an operator error that must not be papered over.
    if (pair === undefined)
      throw new Error(`quiz: pair ${pairId} is not in the loaded set "${this.set.name}"`);
    return pair;
  }

  private requireRoom(roomId: string): Room {
    const room = this.rooms.get(roomId);
    if (room === undefined) throw quizError('NO_SESSION', 'There is no quiz running here right now.');
    return room;
  }

  /**
   * The checks every host action makes, in this order: a session runs here, `at` names it (else the press
   * is from an ended session), the actor may host it, and `at` names its current round (else stale).
   */
  private requireAction(roomId: string, actor: Actor, at: { sessionId: string; round?: number }): Room {
    const room = this.requireRoom(roomId);
    const current = room.live?.record.index ?? null;
    if (at.sessionId !== room.session.id) {
      throw quizError('STALE_ACTION', 'That quiz is over.', { reason: 'session', current });
    }
    if (!mayHost(room.session, actor)) {
      throw quizError('NOT_HOST', 'Only a host of this quiz can do that.');
    }
    if (at.round !== undefined && at.round !== current) {
      throw quizError('STALE_ACTION', 'The quiz has already moved on from that question.', {
        reason: 'round',
        round: at.round,
        current,
      });
    }
    return room;
  }

  /**
   * Runs one state transition of a room, after the room's earlier ones. Every transition (host actions,
   * the scheduler's steps, start, recovery, forget-me) goes through here.
   */
  private drive<T>(roomId: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.roomLocks.get(roomId);
    if (lock === undefined) {
      lock = pLimit(1);
      this.roomLocks.set(roomId, lock);
    }
    return lock(fn);
  }

  private roundNumber(session: SessionRecord, index: number): number {
    return session.rounds.filter((r) => r.index <= index && r.state !== 'skipped').length;
  }

  private roundView(room: Room): RoundView | null {
    const live = room.live;
    if (live === null) return null;
    const { record } = live;
    return {
      sessionId: room.session.id,
      roomId: room.session.roomId,
      round: record.index,
      number: this.roundNumber(room.session, record.index),
      totalRounds: room.session.settings.rounds,
      pair: live.pair,
      startedAt: record.startedAt,
      deadline: record.deadline,
      state: record.state,
      answeredCount: live.complete,
    };
  }

  private sessionView(room: Room): SessionView {
    const { session } = room;
    return {
      sessionId: session.id,
      roomId: session.roomId,
      guildId: session.guildId,
      hostUserId: session.hostUserId,
      settings: session.settings,
      status: session.status,
      round: this.roundView(room),
    };
  }

  private statsDeps() {
    return { set: this.set, pairs: this.pairs, db: this.db, personIndex: this.personIndex };
  }
}

function elsewhereError(roomId: string, owner: string | null): QuizError {
  return quizError('SESSION_ELSEWHERE', 'Another process of this service runs the quiz in this room.', {
    roomId,
    owner,
  });
}
