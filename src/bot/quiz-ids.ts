import { z } from 'zod';
import { type ImageSlot, OPTIONS, type Option } from '../dataset/model.js';
import { encodeCustomId } from './custom-id.js';

/**
 * The quiz buttons' custom ids. They carry the session id, the round and the image/option pressed, and
 * nothing else: in particular never which option is right, since anyone can read a message's custom ids.
 * Every argument is checked again on the way back in, because anyone can also forge one.
 */

export const ANSWER_PREFIX = 'quiz-answer';
export const HOST_PREFIX = 'quiz-host';
export const FULL_SIZE_PREFIX = 'quiz-full';

export const HOST_ACTIONS = ['reveal', 'next', 'skip', 'stop'] as const;
export type HostAction = (typeof HOST_ACTIONS)[number];

const sessionId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);
const round = z
  .string()
  .regex(/^[1-9]\d{0,5}$/)
  .transform(Number);
/** Images are numbered 1 and 2 for people; the engine counts slots 0 and 1. */
const slot = z.enum(['1', '2']).transform((s): ImageSlot => (s === '1' ? 0 : 1));

export const answerArgs = z.tuple([sessionId, round, slot, z.enum(OPTIONS)]);
export const hostArgs = z.tuple([sessionId, round, z.enum(HOST_ACTIONS)]);
export const fullSizeArgs = z.tuple([sessionId, round]);

export type AnswerArgs = z.infer<typeof answerArgs>;
export type HostArgs = z.infer<typeof hostArgs>;
export type FullSizeArgs = z.infer<typeof fullSizeArgs>;

export function answerId(session: string, roundIndex: number, imageSlot: ImageSlot, option: Option): string {
  return encodeCustomId(ANSWER_PREFIX, session, roundIndex, imageSlot + 1, option);
}

export function hostId(session: string, roundIndex: number, action: HostAction): string {
  return encodeCustomId(HOST_PREFIX, session, roundIndex, action);
}

export function fullSizeId(session: string, roundIndex: number): string {
  return encodeCustomId(FULL_SIZE_PREFIX, session, roundIndex);
}
