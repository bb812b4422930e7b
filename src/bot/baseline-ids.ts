import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import { OPTIONS } from '../dataset/model.js';
import { encodeCustomId } from './custom-id.js';

/**
 * The custom ids of the private baseline's buttons. An answer button names the pair by an opaque token (a
 * hash of the set and pair id, not the id itself, which `/pair` would look up) plus the image and option
 * pressed; no id ever says which option is right. Every argument is parsed again on the way back in.
 */

export const CONSENT_PREFIX = 'baseline-consent';
export const ANSWER_PREFIX = 'baseline-answer';
export const NEXT_PREFIX = 'baseline-next';
export const STOP_PREFIX = 'baseline-stop';
export const FULL_SIZE_PREFIX = 'baseline-full';
export const FORGET_PREFIX = 'baseline-forget';

export const CONSENT_ACTIONS = ['accept', 'decline'] as const;
/** Where the notice was shown: accepting from /baseline shows the first pair, from /profile the profile. */
export const CONSENT_ORIGINS = ['pairs', 'profile'] as const;
export type ConsentOrigin = (typeof CONSENT_ORIGINS)[number];
export const FORGET_ACTIONS = ['confirm', 'cancel'] as const;

const PAIR_TOKEN_LENGTH = 12;
const pairToken = z.string().regex(new RegExp(`^[0-9a-f]{${PAIR_TOKEN_LENGTH}}$`));
const slot = z.enum(['1', '2']).transform((s): ImageSlot => (s === '1' ? 0 : 1));
const version = z
  .string()
  .regex(/^[1-9]\d{0,5}$/)
  .transform(Number);

export const consentArgs = z.tuple([z.enum(CONSENT_ACTIONS), version, z.enum(CONSENT_ORIGINS)]);
export const answerArgs = z.tuple([pairToken, slot, z.enum(OPTIONS)]);
export const pairArgs = z.tuple([pairToken]);
export const noArgs = z.tuple([]);
export const forgetArgs = z.tuple([z.enum(FORGET_ACTIONS)]);

export type ConsentArgs = z.infer<typeof consentArgs>;
export type AnswerArgs = z.infer<typeof answerArgs>;

/** The token of a pair within its set: stable across restarts, and it tells nothing about the pair. */
export function pairTokenOf(setName: string, pairId: string): string {
  return createHash('sha256')
    .update(`${setName}\u0000${pairId}`, 'utf8')
    .digest('hex')
    .slice(0, PAIR_TOKEN_LENGTH);
}

/** Pair tokens of a set, both ways. */
export class PairTokens {
  private readonly byToken = new Map<string, ConfusingPair>();

  constructor(private readonly set: PairSet) {
    for (const pair of set.pairs) this.byToken.set(pairTokenOf(set.name, pair.id), pair);
  }

  tokenOf(pairId: string): string {
    return pairTokenOf(this.set.name, pairId);
  }

  /** The pair a token names, or undefined for a token of another set (an outdated or forged button). */
  pairOf(token: string): ConfusingPair | undefined {
    return this.byToken.get(token);
  }
}

export function consentId(
  action: (typeof CONSENT_ACTIONS)[number],
  noticeVersion: number,
  origin: ConsentOrigin,
) {
  return encodeCustomId(CONSENT_PREFIX, action, noticeVersion, origin);
}

export function answerId(token: string, imageSlot: ImageSlot, option: Option): string {
  return encodeCustomId(ANSWER_PREFIX, token, imageSlot + 1, option);
}

export function fullSizeId(token: string): string {
  return encodeCustomId(FULL_SIZE_PREFIX, token);
}

export const NEXT_ID = encodeCustomId(NEXT_PREFIX);
export const STOP_ID = encodeCustomId(STOP_PREFIX);

export function forgetId(action: (typeof FORGET_ACTIONS)[number]): string {
  return encodeCustomId(FORGET_PREFIX, action);
}
