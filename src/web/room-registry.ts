import type { Logger } from '../logger.js';
import type { Clock } from '../quiz/clock.js';
import type { QuizEngine } from '../quiz/engine.js';
import type { Collection, Store } from '../store/types.js';
import { connectionsOf, type LiveRoom, newLiveRoom } from './live-room.js';
import { createRoom, engineRoomId, primaryRoom, type WebRoom, webRooms } from './rooms.js';

/**
 * Which web rooms exist: their stored records (code, host key, last session; rooms.ts) and the rooms this
 * process has open, loaded from the store the first time someone asks for one.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, LiveRoom>();
  private readonly records: Collection<WebRoom>;

  constructor(
    store: Store,
    private readonly engine: QuizEngine,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.records = webRooms(store);
  }

  /** The room `npm start` prints (made on the first start). */
  init(): Promise<WebRoom> {
    return primaryRoom(this.records, this.clock.now());
  }

  async createRoom(): Promise<WebRoom> {
    const record = await createRoom(this.records, false, this.clock.now());
    this.log.info({ room: record.code }, 'web room created');
    return record;
  }

  /** The rooms made from the home page, for the janitor that expires those nobody hosts (admission.ts). */
  async madeRooms(): Promise<Array<{ code: string; createdAt: number }>> {
    const made: Array<{ code: string; createdAt: number }> = [];
    for await (const [, record] of this.records.entries())
      if (!record.primary) made.push({ code: record.code, createdAt: record.createdAt });
    return made;
  }

  isAttended(code: string): boolean {
    const live = this.rooms.get(code);
    return (live !== undefined && live.hosts.size > 0) || this.engine.session(engineRoomId(code)) !== null;
  }

  async removeRoom(code: string): Promise<void> {
    const live = this.rooms.get(code);
    if (live !== undefined) {
      if (live.countTimer) clearTimeout(live.countTimer);
      for (const conn of connectionsOf(live)) conn.close(4004, 'room expired');
      this.rooms.delete(code);
    }
    await this.records.delete(code);
    this.log.info({ room: code }, 'web room expired: nobody hosted it');
  }

  async roomExists(code: string): Promise<boolean> {
    return this.rooms.has(code) || (await this.records.has(code));
  }

  /** The room this process has open under `code`, if anyone opened it since the start. */
  opened(code: string): LiveRoom | undefined {
    return this.rooms.get(code);
  }

  /** The room, opened from its stored record if this process has not opened it yet; null when there is none. */
  async load(code: string): Promise<LiveRoom | null> {
    const known = this.rooms.get(code);
    if (known !== undefined) return known;
    const record = await this.records.get(code);
    return record === undefined ? null : this.live(record);
  }

  /** Keeps the room's record (its last session) in the store. */
  async save(room: LiveRoom, record: WebRoom): Promise<void> {
    room.record = record;
    await this.records.set(record.code, record);
  }

  /** Disconnects everyone and forgets the open rooms; the stored records stay. */
  closeAll(): void {
    for (const room of this.rooms.values()) {
      if (room.countTimer) clearTimeout(room.countTimer);
      for (const conn of connectionsOf(room)) conn.close(1001, 'server stopping');
    }
    this.rooms.clear();
  }

  private live(record: WebRoom): LiveRoom {
    let room = this.rooms.get(record.code);
    if (room === undefined) {
      room = newLiveRoom(record);
      this.rooms.set(record.code, room);
    }
    return room;
  }
}
