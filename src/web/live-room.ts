import type { LimitFunction } from 'p-limit';
import pLimit from 'p-limit';
import type { RoundReveal } from '../quiz/reveal.js';
import type { SessionSummary } from '../quiz/summary.js';
import type { Choices, QuestionView, RevealView, ServerMessage, SummaryView } from './protocol.js';
import { engineRoomId, type WebRoom } from './rooms.js';

/** A browser connection, whatever carries it (a WebSocket in the server, a stub in unit tests). */
export interface Connection {
  /** Sends one message; a string is sent as it is (already serialised JSON). */
  send(message: ServerMessage | string): void;
  close(code: number, reason: string): void;
}

export interface PlayerConn {
  userId: string;
  name: string;
}

/**
 * A web room as this process holds it while anyone has opened it: who is connected in which role, and
 * what was last rendered for its screens (kept so a broadcast does not recompute it for every browser).
 */
export interface LiveRoom {
  record: WebRoom;
  roomId: string;
  hosts: Set<Connection>;
  players: Map<Connection, PlayerConn>;
  /** Serialises host commands and state broadcasts so everyone sees the room's changes in order. */
  lock: LimitFunction;
  countTimer: NodeJS.Timeout | null;
  notices: string[];
  question: { key: string; view: QuestionView } | null;
  reveal: { key: string; raw: RoundReveal; view: RevealView } | null;
  /** The latest summary of the current (or last) session, for running scores and the final page. */
  summary: { key: string; value: Promise<{ raw: SessionSummary; view: SummaryView }> } | null;
  /** Answers to the current round by user id; `complete` when this process saw the round open. */
  choices: { key: string; byUser: Map<string, Choices>; complete: boolean };
}

export function newLiveRoom(record: WebRoom): LiveRoom {
  return {
    record,
    roomId: engineRoomId(record.code),
    hosts: new Set(),
    players: new Map(),
    lock: pLimit(1),
    countTimer: null,
    notices: [],
    question: null,
    reveal: null,
    summary: null,
    choices: { key: '', byUser: new Map(), complete: false },
  };
}

export const roundKey = (sessionId: string, round: number) => `${sessionId}#${round}`;

/** Everyone connected to the room, hosts first. */
export function connectionsOf(room: LiveRoom): Connection[] {
  return [...room.hosts, ...room.players.keys()];
}

/** Distinct people among the participants' connections (one person may have several tabs open). */
export function connectedPeople(room: LiveRoom): number {
  return new Set([...room.players.values()].map((p) => p.userId)).size;
}

/** The acknowledgement of a refused request: its sender stops waiting and shows why. */
export function refused(
  id: number,
  code: string,
  message: string,
): Extract<ServerMessage, { type: 'ack'; ok: false }> {
  return { type: 'ack', id, ok: false, code, message };
}
