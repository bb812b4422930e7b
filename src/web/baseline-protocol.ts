import { z } from 'zod';
import { playerSecretSchema } from './protocol.js';

/**
 * The web baseline's HTTP API (POST JSON under /api/baseline/…): request bodies, validated by zod on the
 * server, and the response shapes the page reads. The participant is the browser's random id (the same one
 * the web quiz uses), sent in the body, never in a URL. Nothing in a question says which option is right.
 */

const participant = playerSecretSchema;
const option = z.enum(['A', 'B']);
/** An opaque pair token handed out with the question (not the pair id). */
const pairToken = z.string().regex(/^[0-9a-f]{12}$/, { error: 'malformed pair token' });

export const statusBodySchema = z.strictObject({ participant });
export const consentBodySchema = z.strictObject({ participant, accept: z.literal(true) });
export const profileBodySchema = z.strictObject({
  participant,
  // The core checks the values (levels, length, characters) and says what is wrong.
  trainingLevel: z.string().max(64).nullable().optional(),
  specialty: z.string().max(200).nullable().optional(),
});
export const nextBodySchema = z.strictObject({ participant });
export const answerBodySchema = z.strictObject({
  participant,
  pair: pairToken,
  /** 1 or 2, as the page labels the images. */
  image: z.union([z.literal(1), z.literal(2)]),
  option,
  /** Milliseconds from when the pair was on screen to the click, measured by the page. */
  responseMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600_000)
    .optional(),
});
export const forgetBodySchema = z.strictObject({ participant, confirm: z.literal(true) });

export type BaselineChoice = 'A' | 'B';
export type BaselineChoices = [BaselineChoice | null, BaselineChoice | null];

export interface ConsentNoticeView {
  version: number;
  title: string;
  text: string;
  acceptLabel: string;
  declineLabel: string;
}

export interface ProfileView {
  trainingLevel: string | null;
  specialty: string | null;
}

export interface StatusResponse {
  consent: { accepted: true } | { accepted: false; reason: 'never' | 'outdated'; notice: ConsentNoticeView };
  /** Null before consent, or when none was given. */
  profile: ProfileView | null;
}

export interface ProgressView {
  answered: number;
  remaining: number;
  answeredInQuiz: number;
  total: number;
}

export interface BaselineQuestionView {
  pair: string;
  question: string;
  options: { A: string; B: string };
  /** Opaque URLs; the alt texts say nothing about the images until the reveal. */
  images: [{ url: string; alt: string }, { url: string; alt: string }];
  choices: BaselineChoices;
}

export interface NextResponse {
  question: BaselineQuestionView | null;
  progress: ProgressView;
}

export interface RevealImageView {
  correct: BaselineChoice;
  correctText: string;
  caption: string;
  categories: string[];
  sourceUrl: string | null;
  yours: BaselineChoice | null;
  right: boolean;
  seenBefore: boolean;
  crowd: { answered: number; picks: { A: number; B: number }; right: number; rightShare: number | null };
}

export type RevealModelView =
  | {
      modelId: string;
      status: 'answered';
      chosen: BaselineChoices;
      correct: [boolean, boolean];
      setCorrect: boolean;
      confused: boolean;
    }
  | { modelId: string; status: 'failed'; reason: string };

export interface BaselineRevealView {
  pairId: string;
  question: string;
  options: { A: string; B: string };
  images: [RevealImageView, RevealImageView];
  you: { correct: [boolean, boolean]; setCorrect: boolean; confused: boolean; responseMs: number };
  crowd: { participants: number; setCorrect: number; setAccuracy: number | null };
  models: RevealModelView[];
}

export interface AnswerResponse {
  choices: BaselineChoices;
  complete: boolean;
  /** Only once both images are answered. */
  reveal: BaselineRevealView | null;
  progress: ProgressView | null;
}

export interface ForgetResponse {
  consent: number;
  profile: number;
  progress: number;
  baselineAnswers: number;
  quizAnswers: number;
}

/** Every refusal: `notice` comes with CONSENT_REQUIRED (403). */
export interface ErrorResponse {
  error: string;
  message: string;
  notice?: ConsentNoticeView;
}

export interface BaselinePageData {
  enabled: boolean;
  trainingLevels: Array<{ value: string; label: string }>;
  specialtyMaxLength: number;
}
