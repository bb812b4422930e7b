import type { ImageSlot } from '../dataset/model.js';
import { stableKey, stableKeyPrefix } from '../store/keys.js';
import type { Collection, Store } from '../store/types.js';
import { type ForgetNotice, forgetNoticeSchema } from './forget-notices.js';
import {
  type AnswerRecord,
  answerRecordSchema,
  type RoomPointer,
  type RoundResultRecord,
  roomPointerSchema,
  roundResultRecordSchema,
  type SessionRecord,
  sessionRecordSchema,
} from './records.js';

/**
 * The quiz's four collections. Each answer click has its own key (session, round, user, image), so any
 * number of people answering at once write different keys and no update can overwrite another; the session
 * record is only written by state transitions, which the engine serialises per room.
 */
export interface QuizCollections {
  /** Session id → the session's settings, pair order and rounds. */
  sessions: Collection<SessionRecord>;
  /** Room id → the session running there (claimed with setIfAbsent, so a room holds one session). */
  rooms: Collection<RoomPointer>;
  /** `session:round:user:slot` → that person's latest click on that image. */
  answers: Collection<AnswerRecord>;
  /** `session:round` → what the reveal fixed (the models' answers). */
  results: Collection<RoundResultRecord>;
  /** Hash of a forgotten person's id → their deletion, for every engine to honour (forget-notices.ts). */
  forgotten: Collection<ForgetNotice>;
}

export function quizCollections(store: Store): QuizCollections {
  return {
    sessions: store.collection('quiz.sessions', sessionRecordSchema),
    rooms: store.collection('quiz.rooms', roomPointerSchema),
    answers: store.collection('quiz.answers', answerRecordSchema),
    results: store.collection('quiz.results', roundResultRecordSchema),
    forgotten: store.collection('quiz.forgotten', forgetNoticeSchema),
  };
}

export const answerKey = (sessionId: string, round: number, userId: string, slot: ImageSlot): string =>
  stableKey([sessionId, round, userId, slot]);

export const resultKey = (sessionId: string, round: number): string => stableKey([sessionId, round]);

/** Prefix of every answer (or result) of a session. */
export const sessionPrefix = (sessionId: string): string => stableKeyPrefix([sessionId]);

/** Prefix of every answer of one round. */
export const roundPrefix = (sessionId: string, round: number): string => stableKeyPrefix([sessionId, round]);

export async function collect<T>(iterable: AsyncIterable<[string, T]>): Promise<T[]> {
  const out: T[] = [];
  for await (const [, value] of iterable) out.push(value);
  return out;
}
