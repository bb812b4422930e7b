import type { LimitFunction } from 'p-limit';
import type { ConfusingPair } from '../dataset/model.js';
import type { PersonRound } from './answers.js';
import type { TrackedModelRequest } from './model-answers.js';
import type { RoundRecord, SessionRecord } from './records.js';
import type { RoundReveal } from './reveal.js';
import type { RoundView, SessionView } from './views.js';

/** The in-memory side of a room's latest round (its record is the one stored in the session). */
export interface LiveRound {
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

/** A session this process drives, as last stored, and its live round. */
export interface Room {
  session: SessionRecord;
  live: LiveRound | null;
}

/**
 * What this process holds in memory of the quiz sessions it drives, shared by the engine's parts (the
 * session transitions, answer intake, recovery and the read-side queries): each room's session and live
 * round, whether the engine has been closed, and the background work (scheduled steps, lease keeping)
 * under way. Only the session transitions add or remove rooms and change a session; the other parts read
 * them, and answer intake adds clicks to a live round.
 */
export class LiveRooms {
  private readonly rooms = new Map<string, Room>();
  /** Background work under way, so `settled()` (tests, shutdown) can wait for it. */
  private readonly running = new Set<Promise<unknown>>();
  private isClosed = false;

  get closed(): boolean {
    return this.isClosed;
  }

  get(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  has(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  set(roomId: string, room: Room): void {
    this.rooms.set(roomId, room);
  }

  delete(roomId: string): void {
    this.rooms.delete(roomId);
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  all(): IterableIterator<Room> {
    return this.rooms.values();
  }

  /** The room running `sessionId` in this process, if any. */
  ofSession(sessionId: string): Room | undefined {
    return [...this.rooms.values()].find((r) => r.session.id === sessionId);
  }

  /** Keeps `task` in view until it settles; returns it. */
  track<T>(task: Promise<T>): Promise<T> {
    this.running.add(task);
    void task.then(
      () => this.running.delete(task),
      () => this.running.delete(task),
    );
    return task;
  }

  /** Resolves once the background work under way has finished (it may start more: waits for that too). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Waits for the background work under way now, once (shutdown, after `close`). */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** Marks the engine closed, aborts pending live model requests and forgets every room. */
  close(): void {
    this.isClosed = true;
    for (const room of this.rooms.values()) room.live?.abort.abort();
    this.rooms.clear();
  }
}

/** A round's 1-based position among the session's played (not skipped) rounds, for "Question 2 of 5". */
export function roundNumber(session: SessionRecord, index: number): number {
  return session.rounds.filter((r) => r.index <= index && r.state !== 'skipped').length;
}

export function roundView(room: Room): RoundView | null {
  const live = room.live;
  if (live === null) return null;
  const { record } = live;
  return {
    sessionId: room.session.id,
    roomId: room.session.roomId,
    round: record.index,
    number: roundNumber(room.session, record.index),
    totalRounds: room.session.settings.rounds,
    pair: live.pair,
    startedAt: record.startedAt,
    deadline: record.deadline,
    state: record.state,
    answeredCount: live.complete,
  };
}

export function sessionView(room: Room): SessionView {
  const { session } = room;
  return {
    sessionId: session.id,
    roomId: session.roomId,
    guildId: session.guildId,
    hostUserId: session.hostUserId,
    settings: session.settings,
    status: session.status,
    round: roundView(room),
  };
}
