import type { Logger } from '../logger.js';
import type { QuizEngine } from '../quiz/engine.js';
import type { QuizEvent } from '../quiz/events.js';
import type { SessionSummary } from '../quiz/summary.js';
import type { ImageLinks } from './image-links.js';
import { connectedPeople, connectionsOf, type LiveRoom, roundKey } from './live-room.js';
import type { ServerMessage } from './protocol.js';
import { webStepFailure } from './quiz-wording.js';
import type { RoomRegistry } from './room-registry.js';
import type { RoomScreens } from './room-screens.js';
import { codeOfRoomId, isWebRoomId } from './rooms.js';
import { summaryView } from './views.js';

export interface RoomPresenterOptions {
  engine: QuizEngine;
  registry: RoomRegistry;
  screens: RoomScreens;
  images: ImageLinks;
  log: Logger;
  /** How often the live answer counter is sent at most (ms). */
  countIntervalMs: number;
}

/**
 * Renders what the engine does in web rooms into frames for each connection: the room's state and each
 * participant's view after every change, the error frame of a failed timed step for the hosts, and the
 * live answer counter, throttled.
 */
export class RoomPresenter {
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: RoomPresenterOptions) {
    this.unsubscribe = o.engine.subscribe((event) => this.onEvent(event));
  }

  /** Stops listening to the engine; nothing is sent from here on. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
  }

  /** The live counter goes out at most every `countIntervalMs`, however fast answers arrive. */
  scheduleCount(room: LiveRoom): void {
    if (room.countTimer !== null || this.closed) return;
    room.countTimer = setTimeout(() => {
      room.countTimer = null;
      const session = this.o.engine.session(room.roomId);
      const text = JSON.stringify({
        type: 'count',
        round: session?.round?.round ?? 0,
        answered: this.o.engine.answeredCount(room.roomId),
        connected: connectedPeople(room),
      } satisfies ServerMessage);
      for (const conn of connectionsOf(room)) conn.send(text);
    }, this.o.countIntervalMs);
  }

  /** Renders what the engine did in a web room (whoever caused it) for everyone in that room. */
  private onEvent(event: QuizEvent): void {
    if (this.closed || !isWebRoomId(event.roomId)) return;
    // A room nobody has opened since the start loads its state from the engine when someone does.
    const room = this.o.registry.opened(codeOfRoomId(event.roomId));
    if (room === undefined) return;
    if (event.type === 'count-changed') {
      this.scheduleCount(room);
      return;
    }
    // The room's memory follows at once (an acknowledged Stop has already forgotten its image links);
    // the screens are updated in order behind whatever the room's lock is running.
    switch (event.type) {
      case 'round-opened': {
        // Every answer to a round this process opened goes through answer(), so absent means unanswered.
        const key = roundKey(event.round.sessionId, event.round.round);
        if (room.choices.key !== key) room.choices = { key, byUser: new Map(), complete: true };
        else room.choices.complete = true;
        room.summary = null;
        break;
      }
      case 'revealed':
        this.o.screens.remember(room, event.reveal);
        break;
      case 'closed':
        room.summary = null;
        break;
      case 'ended':
        this.finished(room, event.summary, event.summary.sessionId);
        break;
      case 'failed': {
        const text = JSON.stringify({
          type: 'error',
          code: 'STEP_FAILED',
          message: webStepFailure(event.step),
          fatal: false,
        } satisfies ServerMessage);
        for (const conn of room.hosts) conn.send(text);
        return;
      }
    }
    room
      .lock(() => this.broadcast(room))
      .catch((err: unknown) =>
        this.o.log.error({ err, room: room.record.code, event: event.type }, 'web room update failed'),
      );
  }

  private finished(room: LiveRoom, summary: SessionSummary, sessionId: string | undefined): void {
    room.summary = {
      key: `final:${summary.sessionId}`,
      value: Promise.resolve({ raw: summary, view: summaryView(summary) }),
    };
    if (sessionId !== undefined) this.o.images.forgetSession(sessionId);
  }

  /** Sends the room's state to everyone in it, and each participant their own view. */
  private async broadcast(room: LiveRoom): Promise<void> {
    const state = await this.o.screens.state(room);
    const text = JSON.stringify({ type: 'state', state } satisfies ServerMessage);
    for (const conn of room.hosts) conn.send(text);
    for (const [conn, player] of room.players) {
      conn.send(text);
      conn.send({ type: 'me', me: await this.o.screens.playerView(room, player, state) });
    }
  }
}
