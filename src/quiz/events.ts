import type { RoundReveal } from './reveal.js';
import type { SessionSummary } from './summary.js';
import type { RecoveryReport, RoundView } from './views.js';

/**
 * What the engine tells front ends about a room, in the order it happened. Every state change of a session
 * (whoever caused it: a host, the round scheduler, a forget-me request) is announced here exactly once,
 * after it is stored; a front end renders these and never decides a transition itself.
 */
export type QuizEvent =
  /** A round opened (the first one at start, or the next one after Next, Skip or the pause). */
  | { type: 'round-opened'; roomId: string; round: RoundView }
  /** The number of people who answered both images of the open round changed. */
  | { type: 'count-changed'; roomId: string; sessionId: string; round: number; answered: number }
  /**
   * A round was revealed. `advancesAt` is when the scheduler opens the next round by itself (null: it waits
   * for the host's Next); it is null too when the session moves on or ends in the same step.
   */
  | { type: 'revealed'; roomId: string; reveal: RoundReveal; advancesAt: number | null }
  /** A round closed without a reveal: skipped by the host, or dropped by Stop because nobody answered. */
  | { type: 'closed'; roomId: string; sessionId: string; round: number; reason: 'skipped' | 'stopped' }
  /** The session ended; `summary` is its final one. */
  | { type: 'ended'; roomId: string; summary: SessionSummary }
  /**
   * A step the scheduler took by itself failed (e.g. the store was unreachable at the deadline); it is
   * tried again at `retryAt`. Front ends tell the room's host.
   */
  | {
      type: 'failed';
      roomId: string;
      sessionId: string;
      round: number;
      step: 'reveal' | 'advance';
      retryAt: number;
    }
  /**
   * This process took the room's session over from a process that stopped renewing its lease (it died,
   * or a shard was restarted): `report` says what recovery did, as `recover()` does at start-up.
   */
  | { type: 'recovered'; roomId: string; report: RecoveryReport }
  /**
   * Another process has taken the room's session over: this engine no longer drives it, and a front end
   * stops rendering it without saying anything in the room (the new owner does).
   */
  | { type: 'lost'; roomId: string; sessionId: string };

export type QuizEventType = QuizEvent['type'];
export type QuizListener = (event: QuizEvent) => void;

/** Subscribers of the engine's events. A listener that throws is reported and does not stop the others. */
export class QuizEvents {
  private readonly listeners = new Set<QuizListener>();

  constructor(private readonly onListenerError: (err: unknown, event: QuizEvent) => void) {}

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: QuizListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: QuizEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}
