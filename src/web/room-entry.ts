import type { PairSet } from '../dataset/model.js';
import { DEFAULT_LIMITS, type QuizLimits } from '../quiz/engine.js';
import type { OfferedModel } from '../quiz/model-answers.js';
import { roomIsFull } from './admission.js';
import type { Connection, LiveRoom, PlayerConn } from './live-room.js';
import { DEMO_LABEL } from './pages.js';
import type { ClientMessage, RoomInfo } from './protocol.js';
import type { RoomPresenter } from './room-presenter.js';
import type { RoomRegistry } from './room-registry.js';
import type { RoomScreens } from './room-screens.js';
import { keyMatches, playerUserId } from './rooms.js';

export interface RoomEntryOptions {
  set: PairSet;
  models: readonly OfferedModel[];
  /** Shown on every page, e.g. why the demo set is in use. */
  banner: string | null;
  /** Shown on the host view: how many pairs are playable and why (a partial download). */
  setNote: string | null;
  /** Absolute join link of a room code (uses PUBLIC_URL when set). */
  joinUrl(code: string): string;
  limits: Partial<QuizLimits> | undefined;
  /** Distinct participants one room holds at most (admission.ts). */
  maxParticipantsPerRoom: number;
}

/**
 * Coming into a room: the hello that makes a connection the host (it holds the room's key) or a
 * participant (while the room has places, admission.ts), and what it is told on arrival: the room's
 * details, its state and, for a participant, their own view.
 */
export class RoomEntry {
  private readonly info: Omit<RoomInfo, 'code' | 'joinUrl' | 'qrUrl'>;

  constructor(
    private readonly o: RoomEntryOptions,
    private readonly registry: RoomRegistry,
    private readonly screens: RoomScreens,
    private readonly presenter: RoomPresenter,
  ) {
    const limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.info = {
      // Participants get the short label; the operator's details stay on the console and the host page.
      banner: o.banner === null ? null : DEMO_LABEL,
      setNote: o.setNote,
      setName: o.set.name,
      categories: o.set.categories,
      models: o.models.map((m) => ({ id: m.id, note: m.note })),
      limits: {
        maxRounds: Math.min(limits.maxRounds, o.set.pairs.length),
        minSeconds: limits.minSeconds,
        maxSeconds: limits.maxSeconds,
        maxModels: limits.maxModels,
        defaultSeconds: Math.max(limits.minSeconds, Math.min(30, limits.maxSeconds)),
      },
    };
  }

  roomInfo(code: string): RoomInfo {
    return { ...this.info, code, joinUrl: this.o.joinUrl(code), qrUrl: `/api/rooms/${code}/qr.svg` };
  }

  /** Lets the connection in with the role it asked for, or says why not; null when it stays out. */
  async hello(
    conn: Connection,
    message: Extract<ClientMessage, { type: 'hello' }>,
  ): Promise<{ room: LiveRoom; role: 'host' | 'player' } | null> {
    const room = await this.registry.load(message.room);
    if (room === null) {
      conn.send({
        type: 'error',
        code: 'NO_ROOM',
        message: `There is no room ${message.room}. Check the code on the host's screen.`,
        fatal: true,
      });
      return null;
    }
    if (message.role === 'host') {
      if (!keyMatches(room.record, message.key)) {
        conn.send({
          type: 'error',
          code: 'NOT_HOST',
          message: `This host link is not valid for room ${room.record.code}. Use the link printed when the server started.`,
          fatal: true,
        });
        return null;
      }
      room.hosts.add(conn);
      conn.send({ type: 'welcome', role: 'host', room: this.roomInfo(room.record.code) });
      conn.send({ type: 'state', state: await this.screens.state(room) });
      return { room, role: 'host' };
    }
    const player: PlayerConn = { userId: playerUserId(message.player), name: message.name };
    const max = this.o.maxParticipantsPerRoom;
    if (roomIsFull(room.players.values(), player.userId, max)) {
      conn.send({
        type: 'error',
        code: 'ROOM_FULL',
        message: `Room ${room.record.code} is full (${max} participants).`,
        fatal: true,
      });
      return null;
    }
    room.players.set(conn, player);
    conn.send({ type: 'welcome', role: 'player', room: this.roomInfo(room.record.code) });
    const state = await this.screens.state(room);
    conn.send({ type: 'state', state });
    conn.send({ type: 'me', me: await this.screens.playerView(room, player, state) });
    this.presenter.scheduleCount(room);
    return { room, role: 'player' };
  }
}
