import { z } from 'zod';
import { OPTIONS } from '../dataset/model.js';
import { TRAINING_LEVELS } from './profile.js';

/**
 * What the private baseline keeps in the store. Every record names its participant by pseudonym (see
 * pseudonym.ts), never by platform id, and is validated when read back.
 */

const option = z.enum(OPTIONS);
const slot = z.union([z.literal(0), z.literal(1)]);
const pseudonym = z.string().regex(/^[0-9a-f]{64}$/);

export const consentRecordSchema = z.object({
  version: z.literal(1),
  participant: pseudonym,
  /** The CONSENT_VERSION of the notice that was accepted. */
  consentVersion: z.number().int().positive(),
  acceptedAt: z.number(),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

export const profileRecordSchema = z.object({
  version: z.literal(1),
  participant: pseudonym,
  trainingLevel: z.enum(TRAINING_LEVELS).nullable(),
  specialty: z.string().nullable(),
  updatedAt: z.number(),
});
export type ProfileRecord = z.infer<typeof profileRecordSchema>;

/**
 * The pair a participant has been shown and not finished yet (one per participant and set). It stays the
 * same until both images are answered, so asking again never skips a pair.
 */
export const progressRecordSchema = z.object({
  version: z.literal(1),
  participant: pseudonym,
  setName: z.string(),
  pairId: z.string(),
  shownAt: z.number(),
  /** Whether each image had been shown to the participant before this pair (by local id, any context). */
  seenBefore: z.tuple([z.boolean(), z.boolean()]),
});
export type ProgressRecord = z.infer<typeof progressRecordSchema>;

/** One image answered in the private baseline. Answers are final: a second, different click is refused. */
export const baselineAnswerSchema = z.object({
  version: z.literal(1),
  participant: pseudonym,
  setName: z.string(),
  pairId: z.string(),
  slot,
  /** The image's local id (the official `<local>.jpg`), which recurs across pairs. */
  localId: z.string(),
  option,
  correct: z.boolean(),
  /** Milliseconds from showing the pair to this answer, as measured by the front end (or the service). */
  responseMs: z.number().nonnegative(),
  seenBefore: z.boolean(),
  context: z.literal('baseline'),
  shownAt: z.number(),
  at: z.number(),
});
export type BaselineAnswerRecord = z.infer<typeof baselineAnswerSchema>;

/** A secret generated for a store when BASELINE_SECRET is not set (local development only). */
export const generatedSecretSchema = z.object({
  secret: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number(),
});
export type GeneratedSecret = z.infer<typeof generatedSecretSchema>;

/**
 * A fingerprint of the secret the baseline in a store was recorded with (an HMAC of a fixed text), so that a
 * changed BASELINE_SECRET is caught instead of silently splitting everyone into two participants.
 */
export const secretCheckSchema = z.object({
  check: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number(),
});
export type SecretCheck = z.infer<typeof secretCheckSchema>;
