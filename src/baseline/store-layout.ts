import { hashKey, stableKey, stableKeyPrefix } from '../store/keys.js';
import type { Collection, Store } from '../store/types.js';
import {
  type BaselineAnswerRecord,
  baselineAnswerSchema,
  type ConsentRecord,
  consentRecordSchema,
  type GeneratedSecret,
  generatedSecretSchema,
  type ProfileRecord,
  type ProgressRecord,
  profileRecordSchema,
  progressRecordSchema,
  type SecretCheck,
  secretCheckSchema,
} from './records.js';

/**
 * The baseline's collections. Answers are kept twice, under two key orders: by participant (their progress,
 * forget-me) and by pair (the crowd split shown after a pair). Each click writes its own keys, so answers
 * of different people never collide.
 */
export interface BaselineCollections {
  /** pseudonym → consent. */
  consent: Collection<ConsentRecord>;
  /** pseudonym → profile. */
  profiles: Collection<ProfileRecord>;
  /** `pseudonym:set` → the pair being answered. */
  progress: Collection<ProgressRecord>;
  /** `pseudonym:set:pair:slot` → answer. */
  answers: Collection<BaselineAnswerRecord>;
  /** `set:pair:pseudonym:slot` → the same answer, for per-pair reads. */
  pairAnswers: Collection<BaselineAnswerRecord>;
  /** `generated-secret` → the development secret (only when BASELINE_SECRET is not set). */
  deployment: Collection<GeneratedSecret>;
  /** `check` → the fingerprint of the secret the baseline was recorded with. */
  secretCheck: Collection<SecretCheck>;
}

export const BASELINE_NAMESPACES = [
  'baseline.consent',
  'baseline.profiles',
  'baseline.progress',
  'baseline.answers',
  'baseline.pair-answers',
  'baseline.deployment',
  'baseline.secret-check',
] as const;

export function baselineCollections(store: Store): BaselineCollections {
  return {
    consent: store.collection('baseline.consent', consentRecordSchema),
    profiles: store.collection('baseline.profiles', profileRecordSchema),
    progress: store.collection('baseline.progress', progressRecordSchema),
    answers: store.collection('baseline.answers', baselineAnswerSchema),
    pairAnswers: store.collection('baseline.pair-answers', baselineAnswerSchema),
    deployment: store.collection('baseline.deployment', generatedSecretSchema),
    secretCheck: store.collection('baseline.secret-check', secretCheckSchema),
  };
}

export const GENERATED_SECRET_KEY = 'generated-secret';
export const SECRET_CHECK_KEY = 'check';

/**
 * The set's name as a key part. Custom set names are free text, so a long one is replaced by a hash to keep
 * keys within the store's length limit.
 */
export function setKeyPart(setName: string): string {
  return encodeURIComponent(setName).length <= 48 ? setName : `#${hashKey(setName).slice(0, 24)}`;
}

export const progressKey = (participant: string, setName: string): string =>
  stableKey([participant, setKeyPart(setName)]);

export const answerKey = (participant: string, setName: string, pairId: string, slot: number): string =>
  stableKey([participant, setKeyPart(setName), pairId, slot]);

export const pairAnswerKey = (participant: string, setName: string, pairId: string, slot: number): string =>
  stableKey([setKeyPart(setName), pairId, participant, slot]);

/** Every answer (or progress record) of a participant, in all sets. */
export const participantPrefix = (participant: string): string => stableKeyPrefix([participant]);

/** Every answer of a participant in one set. */
export const participantSetPrefix = (participant: string, setName: string): string =>
  stableKeyPrefix([participant, setKeyPart(setName)]);

/** Every answer to one pair of a set. */
export const pairPrefix = (setName: string, pairId: string): string =>
  stableKeyPrefix([setKeyPart(setName), pairId]);
