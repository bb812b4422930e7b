import { z } from 'zod';
import { OPTIONS } from '../dataset/model.js';

/**
 * What the quiz keeps in the store. Everything read back is validated with these schemas, so a record
 * written by an older or broken version fails loudly instead of corrupting a reveal.
 */

const option = z.enum(OPTIONS);
const slot = z.union([z.literal(0), z.literal(1)]);

export const sessionSettingsSchema = z.object({
  /** The set's spelling of the category, or null for all pairs. */
  category: z.string().nullable(),
  rounds: z.number().int().positive(),
  secondsPerRound: z.number().int().positive(),
  models: z.array(z.string()),
  allowChanges: z.boolean(),
  /**
   * How long a reveal stays up before the next round opens by itself; null waits for the host's Next.
   * Absent in sessions stored before it existed: those wait for the host.
   */
  revealPauseMs: z.number().int().nonnegative().nullable().default(null),
});
export type SessionSettings = z.infer<typeof sessionSettingsSchema>;

export const ROUND_STATES = ['open', 'revealed', 'skipped'] as const;
export type RoundStateName = (typeof ROUND_STATES)[number];

/** Who or what closed a round. */
export const CLOSED_BY = ['timer', 'host', 'stop', 'recovery'] as const;
export type ClosedBy = (typeof CLOSED_BY)[number];

export const roundRecordSchema = z.object({
  /** 1-based position in the session, counting skipped rounds (so every round has its own number). */
  index: z.number().int().positive(),
  pairId: z.string(),
  startedAt: z.number(),
  /** Epoch ms after which answers are late and the round is due for its reveal. */
  deadline: z.number(),
  state: z.enum(ROUND_STATES),
  closedAt: z.number().nullable(),
  closedBy: z.enum(CLOSED_BY).nullable(),
});
export type RoundRecord = z.infer<typeof roundRecordSchema>;

export const END_REASONS = ['completed', 'stopped', 'expired', 'exhausted'] as const;
export type EndReason = (typeof END_REASONS)[number];

export const sessionRecordSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  roomId: z.string(),
  guildId: z.string().nullable(),
  hostUserId: z.string(),
  setName: z.string(),
  createdAt: z.number(),
  settings: sessionSettingsSchema,
  /** Every eligible pair, shuffled at start; rounds take them in order. */
  pairOrder: z.array(z.string()),
  rounds: z.array(roundRecordSchema),
  status: z.enum(['active', 'ended']),
  endedAt: z.number().nullable(),
  endReason: z.enum(END_REASONS).nullable(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

/** One person's latest click on one image of one round (one store key each, so clicks never collide). */
export const answerRecordSchema = z.object({
  sessionId: z.string(),
  roomId: z.string(),
  guildId: z.string().nullable(),
  round: z.number().int().positive(),
  pairId: z.string(),
  userId: z.string(),
  displayName: z.string(),
  slot,
  option,
  /** Epoch ms of the click. */
  at: z.number(),
  /** Milliseconds from the round's start to this click. */
  responseMs: z.number().nonnegative(),
  /** How many times this image's answer was changed before (0 for a first answer). */
  changes: z.number().int().nonnegative(),
});
export type AnswerRecord = z.infer<typeof answerRecordSchema>;

export const modelOutcomeSchema = z.discriminatedUnion('status', [
  z.object({
    modelId: z.string(),
    status: z.literal('answered'),
    chosen: z.tuple([option.nullable(), option.nullable()]),
    raw: z.tuple([z.string().nullable(), z.string().nullable()]),
    /** The model's probability of each chosen option, when known. */
    confidence: z.tuple([z.number().nullable(), z.number().nullable()]).optional(),
  }),
  z.object({ modelId: z.string(), status: z.literal('failed'), reason: z.string() }),
  z.object({ modelId: z.string(), status: z.literal('pending'), reason: z.string() }),
]);
export type ModelOutcome = z.infer<typeof modelOutcomeSchema>;

/**
 * What a reveal fixes for good besides the answers: the models' answers as they stood at the reveal (a live
 * model may answer differently later). People's figures are always recomputed from the answer records.
 */
export const roundResultRecordSchema = z.object({
  sessionId: z.string(),
  round: z.number().int().positive(),
  pairId: z.string(),
  closedAt: z.number(),
  closedBy: z.enum(CLOSED_BY),
  models: z.array(modelOutcomeSchema),
});
export type RoundResultRecord = z.infer<typeof roundResultRecordSchema>;

/** Which session is running in a room: claimed at start, released at the end. */
export const roomPointerSchema = z.object({ sessionId: z.string() });
export type RoomPointer = z.infer<typeof roomPointerSchema>;
