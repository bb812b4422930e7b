import pLimit, { type LimitFunction } from 'p-limit';
import type { ConfusingPair, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { RandomSource } from '../random.js';
import type { AnswerIntake } from './answer-intake.js';
import { isComplete, type PersonRound } from './answers.js';
import type { Clock } from './clock.js';
import type { QuizEvents } from './events.js';
import { ForgetNotices, hostAfterNotice } from './forget-notices.js';
import { type Actor, mayHost } from './host-rule.js';
import { type LiveRooms, type LiveRound, type Room, roundView, sessionView } from './live-rooms.js';
import { type ModelAnswerSource, trackModelRequest } from './model-answers.js';
import { drawPairOrder, pairOf } from './pairs.js';
import { isQuizError, type QuizError, quizError } from './quiz-errors.js';
import type {
  ClosedBy,
  EndReason,
  ModelOutcome,
  RoundRecord,
  RoundResultRecord,
  SessionRecord,
  SessionSettings,
} from './records.js';
import type { ModelPendingCode } from './recovery-note.js';
import type { RoundReveal } from './reveal.js';
import type { RoundScheduler } from './round-scheduler.js';
import type { SessionLeases } from './session-leases.js';
import type { SessionQueries } from './session-queries.js';
import { type QuizLimits, type StartRequest, validateSettings } from './session-settings.js';
import { type QuizCollections, resultKey } from './store-layout.js';
import type { SessionSummary } from './summary.js';
import type { RoundView, SessionView } from './views.js';

/** The session and round a host action is meant for: a press on an older question changes nothing. */
export interface RoundRef {
  sessionId: string;
  round: number;
}

export interface StartResult {
  session: SessionView;
  round: RoundView;
  /** Things the front end should tell the host, e.g. that fewer rounds fit the chosen category. */
  notices: string[];
}

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

export interface SessionTransitionsOptions {
  rooms: LiveRooms;
  db: QuizCollections;
  leases: SessionLeases;
  queries: SessionQueries;
  intake: AnswerIntake;
  events: QuizEvents;
  timing: RoundScheduler;
  set: PairSet;
  pairs: ReadonlyMap<string, ConfusingPair>;
  models: ModelAnswerSource;
  log: Logger;
  clock: Clock;
  random: RandomSource;
  limits: QuizLimits;
  newSessionId: () => string;
  /** Called once a new session's lease is taken, so the lease keeper runs (session-recovery.ts). */
  onLeased: () => void;
}

/** After a failed scheduled step (the store unreachable at a deadline), how long until it is tried again. */
const RETRY_MS = 5_000;

/**
 * The session state machine: every change of a session (start, reveal, next, skip, stop, the round
 * scheduler's timed reveal and advance, end, forget-me's rehosting, and recovery's steps) happens here.
 *
 * Transitions run one at a time per room inside `drive()`, and persist through `saveSession()` before they
 * return: those two are the single places where a check such as "this process holds the session's lease"
 * belongs, and every session write is fenced by that lease, so a process that lost a session to another
 * stops driving it instead of undoing the new owner's work. Each transition is announced as a typed
 * per-room event after it is stored. Host actions name the round they mean and are refused when it is no
 * longer current.
 */
export class SessionTransitions {
  private readonly rooms: LiveRooms;
  private readonly db: QuizCollections;
  private readonly leases: SessionLeases;
  private readonly queries: SessionQueries;
  private readonly intake: AnswerIntake;
  private readonly events: QuizEvents;
  private readonly timing: RoundScheduler;
  private readonly set: PairSet;
  private readonly pairs: ReadonlyMap<string, ConfusingPair>;
  private readonly models: ModelAnswerSource;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly limits: QuizLimits;
  private readonly newSessionId: () => string;
  private readonly onLeased: () => void;
  private readonly notices: ForgetNotices;
  private readonly roomLocks = new Map<string, LimitFunction>();

  constructor(options: SessionTransitionsOptions) {
    this.rooms = options.rooms;
    this.db = options.db;
    this.leases = options.leases;
    this.queries = options.queries;
    this.intake = options.intake;
    this.events = options.events;
    this.timing = options.timing;
    this.set = options.set;
    this.pairs = options.pairs;
    this.models = options.models;
    this.log = options.log;
    this.clock = options.clock;
    this.random = options.random;
    this.limits = options.limits;
    this.newSessionId = options.newSessionId;
    this.onLeased = options.onLeased;
    this.notices = new ForgetNotices(options.db.forgotten, options.clock);
  }

  // ---- the one way in ---------------------------------------------------------------------------------

  /**
   * Runs one state transition of a room, after the room's earlier ones. Every transition (host actions,
   * the scheduler's steps, start, recovery, forget-me) goes through here.
   */
  drive<T>(roomId: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.roomLocks.get(roomId);
    if (lock === undefined) {
      lock = pLimit(1);
      this.roomLocks.set(roomId, lock);
    }
    return lock(fn);
  }

  // ---- sessions ---------------------------------------------------------------------------------------

  async start(request: StartRequest): Promise<StartResult> {
    const settings = await validateSettings(request, this.limits, this.set, this.models);
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
        rounds: [newRound(1, pairOrder[0] as string, now, settings)],
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
      this.onLeased();
      const room: Room = { session, live: null };
      this.rooms.set(session.roomId, room);
      this.openLive(room, new Map());
      this.log.info(
        { sessionId: session.id, roomId: session.roomId, rounds: settings.rounds },
        'quiz session started',
      );
      const round = roundView(room) as RoundView;
      this.opened(room, round);
      return { session: sessionView(room), round, notices };
    });
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
    for (const roomId of this.rooms.roomIds()) {
      await this.drive(roomId, async () => {
        const room = this.rooms.get(roomId);
        if (room === undefined) return;
        const live = room.live;
        if (live !== null && live.record.state === 'open' && (await this.intake.forget(room, live, userId))) {
          openRounds++;
        }
        if (room.session.hostUserId === userId) {
          await this.saveSession(room, { ...room.session, hostUserId: replacementHost });
          sessionsRehosted++;
        }
      });
    }
    return { openRounds, sessionsRehosted };
  }

  // ---- the round scheduler ----------------------------------------------------------------------------

  /**
   * Arms the room's next timed step: the deadline of an open round, or the pause after a reveal, counted
   * from `pauseFrom` when given (recovery) instead of the round's close.
   */
  schedule(room: Room, pauseFrom?: number): void {
    const live = room.live;
    const roomId = room.session.roomId;
    if (this.rooms.closed || live === null || room.session.status !== 'active') {
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

  /** Cancels every armed step (the engine is closing). */
  stopTimers(): void {
    this.timing.clearAll();
  }

  /** A timed step: reveals at the deadline, or opens the next round after the pause, if still due. */
  private step(roomId: string, ref: RoundRef, kind: 'reveal' | 'advance'): void {
    const task = this.drive(roomId, async () => {
      const room = this.rooms.get(roomId);
      const live = room?.live;
      if (room === undefined || live == null || this.rooms.closed) return;
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
    void this.rooms.track(task).catch((err: unknown) => this.log.error({ err, roomId }, 'quiz step failed'));
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

  /** Ends the session and announces it. */
  private async finish(room: Room, reason: EndReason): Promise<SessionSummary> {
    const summary = await this.end(room, reason);
    this.events.emit({ type: 'ended', roomId: room.session.roomId, summary });
    return summary;
  }

  // ---- rounds -----------------------------------------------------------------------------------------

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

  /** Sets up the in-memory side of the room's latest round and, if it is open, asks the models. */
  openLive(room: Room, people: Map<string, PersonRound>): void {
    const record = room.session.rounds.at(-1);
    if (record === undefined) {
      room.live = null;
      return;
    }
    const pair = pairOf(this.set, this.pairs, record.pairId);
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

  /** Reveals the room's live round (once: a revealed round returns its reveal, `fresh: false`). */
  async revealCurrent(room: Room, by: ClosedBy): Promise<RevealOutcome> {
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
    await this.honourForgetNotices(room, live);

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
    live.reveal = this.queries.buildReveal(room.session, live.record, live.people, result);
    this.log.info(
      { sessionId: room.session.id, round: live.record.index, by, participants: live.people.size },
      'quiz round revealed',
    );
    return { reveal: live.reveal, fresh: true };
  }

  /**
   * Deletions made by other processes since people clicked (forget-notices.ts; this process's own are
   * already out of memory): their clicks leave the round before the reveal counts or names anyone, and a
   * host forgotten since the session began is replaced, as this process's forget-me would have done.
   */
  private async honourForgetNotices(room: Room, live: LiveRound): Promise<void> {
    const host = room.session.hostUserId;
    const notices = await this.notices.of([host, ...live.people.keys()]);
    for (const [userId, notice] of notices) {
      if (await this.intake.forget(room, live, userId, notice.at)) {
        // No id in the log: the person asked to be forgotten.
        this.log.info(
          { sessionId: room.session.id, round: live.record.index },
          'clicks of a forgotten person left an open round',
        );
      }
    }
    const hostUserId = hostAfterNotice(room.session, notices.get(host));
    if (hostUserId !== host) await this.saveSession(room, { ...room.session, hostUserId });
  }

  private async revealOf(room: Room, live: LiveRound): Promise<RoundReveal> {
    if (live.reveal !== null) return live.reveal;
    live.reveal = await this.queries.roundReveal(room.session.id, live.record.index);
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
    const round = newRound(session.rounds.length + 1, pairId, this.clock.now(), session.settings);
    await this.saveSession(room, { ...session, rounds: [...session.rounds, round] });
    this.openLive(room, new Map());
    const view = roundView(room) as RoundView;
    this.opened(room, view);
    return { round: view, summary: null };
  }

  /** Ends the session (without an event: `finish` announces it, recovery reports it) and gives up its lease. */
  async end(room: Room, reason: EndReason): Promise<SessionSummary> {
    room.live?.abort.abort();
    this.timing.clear(room.session.roomId);
    const host = room.session.hostUserId;
    await this.saveSession(room, {
      ...room.session,
      hostUserId: hostAfterNotice(room.session, (await this.notices.of([host])).get(host)),
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
    return this.queries.summary(room.session.id);
  }

  // ---- session writes ---------------------------------------------------------------------------------

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

  private async saveRound(room: Room, round: RoundRecord): Promise<void> {
    const rounds = room.session.rounds.map((r) => (r.index === round.index ? round : r));
    await this.saveSession(room, { ...room.session, rounds });
    if (room.live?.record.index === round.index) room.live.record = round;
  }

  /**
   * Another process has taken the room's session over (its lease was renewed too late, or this process
   * was paused past it): stop driving it, without a word in the room, since the new owner speaks there.
   */
  lose(room: Room): void {
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

  // ---- checks -----------------------------------------------------------------------------------------

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
}

function newRound(index: number, pairId: string, now: number, settings: SessionSettings): RoundRecord {
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

function elsewhereError(roomId: string, owner: string | null): QuizError {
  return quizError('SESSION_ELSEWHERE', 'Another process of this service runs the quiz in this room.', {
    roomId,
    owner,
  });
}
