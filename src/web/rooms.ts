import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Collection, Store } from '../store/types.js';
import { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from './wire-constants.js';

/**
 * Web rooms: a short public code to join with, and a long secret key that makes its holder the host.
 * Kept in the store so that the host's link (printed at start) and everyone's room survive a restart.
 */

export const webRoomSchema = z.object({
  code: z.string(),
  /** The host's secret. Stored as is: it guards nothing beyond this room, and the link must be printable again. */
  hostKey: z.string(),
  createdAt: z.number(),
  /** The last session started here, for the summary shown once it ends. */
  lastSessionId: z.string().nullable(),
  /** The room `npm start` prints; later ones are made from the home page. */
  primary: z.boolean(),
});
export type WebRoom = z.infer<typeof webRoomSchema>;

export const ROOMS_NAMESPACE = 'web.rooms';

export function webRooms(store: Store): Collection<WebRoom> {
  return store.collection(ROOMS_NAMESPACE, webRoomSchema);
}

/** The engine's room id for a web room; other front ends use other prefixes. */
export const engineRoomId = (code: string): string => `web:${code}`;
export const isWebRoomId = (roomId: string): boolean => roomId.startsWith('web:');
export const codeOfRoomId = (roomId: string): string => roomId.slice('web:'.length);

/** The host's user id in the engine: whoever holds the room's key acts as this one host. */
export const hostUserId = (code: string): string => `web-host:${code}`;

/**
 * The engine's user id of a participant: derived from their browser's secret id, never equal to it, so
 * that stored answers and logs cannot be used to answer in someone else's name.
 */
export function playerUserId(secret: string): string {
  return `web:${createHash('sha256').update(secret).digest('base64url').slice(0, 22)}`;
}

export function newRoomCode(): string {
  let code = '';
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) code += ROOM_CODE_ALPHABET[randomInt(ROOM_CODE_ALPHABET.length)];
  return code;
}

/** 192 random bits. */
export function newHostKey(): string {
  return randomBytes(24).toString('base64url');
}

export function keyMatches(room: WebRoom, key: string): boolean {
  const a = Buffer.from(room.hostKey);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Creates a room with a fresh code (retrying the rare collision atomically). */
export async function createRoom(
  rooms: Collection<WebRoom>,
  primary: boolean,
  now: number,
): Promise<WebRoom> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const room: WebRoom = {
      code: newRoomCode(),
      hostKey: newHostKey(),
      createdAt: now,
      lastSessionId: null,
      primary,
    };
    if (await rooms.setIfAbsent(room.code, room)) return room;
  }
  throw new Error('could not find a free room code in 20 attempts');
}

/** The primary room, made on the first start and reused afterwards, so the host link stays the same. */
export async function primaryRoom(rooms: Collection<WebRoom>, now: number): Promise<WebRoom> {
  for await (const [, room] of rooms.entries()) if (room.primary) return room;
  return createRoom(rooms, true, now);
}
