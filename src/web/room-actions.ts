import { isUserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { QuizEngine } from '../quiz/engine.js';
import { type Connection, type LiveRoom, refused, roundKey } from './live-room.js';
import type { ClientMessage, HostCommand } from './protocol.js';
import { webRefusal } from './quiz-wording.js';
import type { RoomPresenter } from './room-presenter.js';
import type { RoomRegistry } from './room-registry.js';
import type { RoomScreens } from './room-screens.js';
import { hostUserId } from './rooms.js';

/**
 * What people do in a web room, forwarded to the engine: a participant's answer and the host's commands.
 * Each request is acknowledged to its sender (a refusal worded for the web, quiz-wording.ts); what changed
 * reaches every screen through the engine's events (room-presenter.ts).
 */
export class RoomActions {
  constructor(
    private readonly engine: QuizEngine,
    private readonly registry: RoomRegistry,
    private readonly screens: RoomScreens,
    private readonly presenter: RoomPresenter,
    private readonly log: Logger,
  ) {}

  async answer(
    room: LiveRoom,
    conn: Connection,
    message: Extract<ClientMessage, { type: 'answer' }>,
  ): Promise<void> {
    const player = room.players.get(conn);
    if (player === undefined) return;
    const outcome = await this.engine.answer({
      roomId: room.roomId,
      userId: player.userId,
      displayName: player.name,
      slot: message.slot,
      option: message.option,
      sessionId: message.sessionId,
      round: message.round,
    });
    if (!outcome.ok) {
      conn.send(
        outcome.choices === undefined
          ? refused(message.id, outcome.code, outcome.message)
          : { ...refused(message.id, outcome.code, outcome.message), choices: outcome.choices },
      );
      return;
    }
    const key = roundKey(message.sessionId, outcome.round);
    if (room.choices.key !== key) room.choices = { key, byUser: new Map(), complete: false };
    room.choices.byUser.set(player.userId, outcome.choices);
    conn.send({ type: 'ack', id: message.id, ok: true, choices: outcome.choices, locked: outcome.locked });
    // The same person's other tabs follow along.
    for (const [other, p] of room.players) {
      if (other !== conn && p.userId === player.userId) {
        other.send({
          type: 'me',
          me: await this.screens.playerView(room, p, await this.screens.state(room)),
        });
      }
    }
    this.presenter.scheduleCount(room);
  }

  /**
   * Forwards a host command to the engine and acknowledges it. What changed reaches every screen through
   * the engine's events (RoomPresenter), queued behind this command on the room's lock.
   */
  command(room: LiveRoom, conn: Connection, message: HostCommand): Promise<void> {
    return room.lock(async () => {
      // The host key was checked at hello: every command on this connection is the host's.
      const actor = { kind: 'member', userId: hostUserId(room.record.code), holdsHostKey: true } as const;
      try {
        switch (message.type) {
          case 'start': {
            room.notices = [];
            const started = await this.engine.start({
              roomId: room.roomId,
              guildId: null,
              hostUserId: hostUserId(room.record.code),
              category: message.category,
              rounds: message.rounds,
              secondsPerRound: message.seconds,
              models: message.models,
              allowChanges: message.allowChanges,
              // The host moves on with Next: a projector room has a presenter at the controls.
              revealPauseMs: null,
            });
            await this.registry.save(room, { ...room.record, lastSessionId: started.session.sessionId });
            room.notices = started.notices;
            room.summary = null;
            this.log.info(
              { room: room.record.code, sessionId: started.session.sessionId },
              'web quiz started',
            );
            break;
          }
          case 'reveal':
            await this.engine.reveal(room.roomId, actor, message);
            break;
          case 'next':
            await this.engine.next(room.roomId, actor, message);
            break;
          case 'skip':
            await this.engine.skip(room.roomId, actor, message);
            break;
          case 'stop':
            await this.engine.stop(room.roomId, actor, message);
            break;
        }
      } catch (err) {
        if (!isUserFacingError(err)) throw err;
        const refusal = webRefusal(err);
        conn.send(refused(message.id, refusal.code, refusal.message));
        return;
      }
      if (message.type !== 'start') room.notices = [];
      conn.send({ type: 'ack', id: message.id, ok: true });
    });
  }
}
