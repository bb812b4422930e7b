import type { PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../quiz/clock.js';
import { systemClock } from '../quiz/clock.js';
import type { QuizEngine, QuizLimits } from '../quiz/engine.js';
import type { OfferedModel } from '../quiz/model-answers.js';
import type { Store } from '../store/types.js';
import { DEFAULT_ADMISSION } from './admission.js';
import type { ImageLinks } from './image-links.js';
import type { Connection } from './live-room.js';
import type { RoomInfo, RoomState } from './protocol.js';
import { RoomActions } from './room-actions.js';
import { RoomEntry } from './room-entry.js';
import { RoomPresenter } from './room-presenter.js';
import { type ConnectionHandler, RoomProtocol } from './room-protocol.js';
import { RoomRegistry } from './room-registry.js';
import { RoomScreens } from './room-screens.js';
import type { WebRoom } from './rooms.js';

export type { Connection } from './live-room.js';
export type { ConnectionHandler } from './room-protocol.js';

export interface QuizRoomsOptions {
  engine: QuizEngine;
  store: Store;
  set: PairSet;
  log: Logger;
  images: ImageLinks;
  models: readonly OfferedModel[];
  /** Shown on every page, e.g. why the demo set is in use. */
  banner: string | null;
  /** Shown on the host view: how many pairs are playable and why (a partial download). */
  setNote?: string | null;
  /** Absolute join link of a room code (uses PUBLIC_URL when set). */
  joinUrl(code: string): string;
  clock?: Clock;
  limits?: Partial<QuizLimits>;
  /** How often the live answer counter is sent at most (ms). */
  countIntervalMs?: number;
  /** Distinct participants one room holds at most (admission.ts); default 2000. */
  maxParticipantsPerRoom?: number;
}

/**
 * The web channel's rooms on top of the shared quiz engine: who is connected where, what each browser may
 * see, and forwarding host commands. The engine drives the sessions (it times rounds); this presenter
 * renders its events for the rooms' browsers. Everything a browser says is validated here; every figure
 * comes from the engine, so the web and Discord show the same numbers.
 *
 * This class only wires its parts together: the room registry (room-registry.ts), coming into a room
 * (room-entry.ts), the WebSocket protocol (room-protocol.ts), people's actions forwarded to the engine
 * (room-actions.ts), and the engine's events rendered for each connection (room-presenter.ts, room-screens.ts).
 */
export class QuizRooms {
  private readonly registry: RoomRegistry;
  private readonly screens: RoomScreens;
  private readonly presenter: RoomPresenter;
  private readonly entry: RoomEntry;
  private readonly protocol: RoomProtocol;

  constructor(options: QuizRoomsOptions) {
    const engine = options.engine;
    const log = options.log.child({ component: 'web' });
    const clock = options.clock ?? systemClock;
    this.registry = new RoomRegistry(options.store, engine, clock, log);
    this.screens = new RoomScreens(engine, options.images, clock);
    this.presenter = new RoomPresenter({
      engine,
      registry: this.registry,
      screens: this.screens,
      images: options.images,
      log,
      countIntervalMs: options.countIntervalMs ?? 250,
    });
    this.entry = new RoomEntry(
      {
        set: options.set,
        models: options.models,
        banner: options.banner,
        setNote: options.setNote ?? null,
        joinUrl: options.joinUrl,
        limits: options.limits,
        maxParticipantsPerRoom: options.maxParticipantsPerRoom ?? DEFAULT_ADMISSION.maxParticipantsPerRoom,
      },
      this.registry,
      this.screens,
      this.presenter,
    );
    const actions = new RoomActions(engine, this.registry, this.screens, this.presenter, log);
    this.protocol = new RoomProtocol(this.entry, actions, this.presenter, log);
  }

  /** The room `npm start` prints (made on the first start). */
  init(): Promise<WebRoom> {
    return this.registry.init();
  }

  createRoom(): Promise<WebRoom> {
    return this.registry.createRoom();
  }

  /** The rooms made from the home page, for the janitor that expires those nobody hosts (admission.ts). */
  madeRooms(): Promise<Array<{ code: string; createdAt: number }>> {
    return this.registry.madeRooms();
  }

  isAttended(code: string): boolean {
    return this.registry.isAttended(code);
  }

  removeRoom(code: string): Promise<void> {
    return this.registry.removeRoom(code);
  }

  roomExists(code: string): Promise<boolean> {
    return this.registry.roomExists(code);
  }

  roomInfo(code: string): RoomInfo {
    return this.entry.roomInfo(code);
  }

  /** A new browser connection; the caller feeds it messages and tells it when the socket closes. */
  connect(conn: Connection): ConnectionHandler {
    return this.protocol.connect(conn);
  }

  /** Stops listening to the engine and forgets connections; the engine and store belong to the caller. */
  close(): void {
    this.presenter.close();
    this.registry.closeAll();
  }

  /** The room as a viewer without a role sees it (used by tests and the stats page). */
  async snapshot(code: string): Promise<RoomState> {
    const room = await this.registry.load(code);
    if (room === null) throw new Error(`no room ${code}`);
    return this.screens.state(room);
  }
}
