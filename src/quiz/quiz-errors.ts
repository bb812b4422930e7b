import { UserFacingError } from '../errors.js';

/**
 * Every way a quiz request can be refused because of something the person did (or did too late). Front ends
 * turn these into short, private (ephemeral) replies; the messages are written to be shown as they are.
 */
export const QUIZ_ERROR_CODES = [
  'SESSION_EXISTS',
  'NO_SESSION',
  'NOT_HOST',
  'ROUND_CLOSED',
  'ANSWER_LOCKED',
  'INVALID_OPTION',
  'INVALID_SETTINGS',
  'UNKNOWN_CATEGORY',
  'UNKNOWN_MODEL',
  'NO_PAIRS',
  'NO_ROUND',
  /** A host action names a session or round that is no longer the current one (an older button). */
  'STALE_ACTION',
  /**
   * Another live process of the deployment (another shard, or a second process on the same store) runs
   * the room's session: this process must stay silent there, since the other one answers.
   */
  'SESSION_ELSEWHERE',
] as const;
export type QuizErrorCode = (typeof QUIZ_ERROR_CODES)[number];

/** A refusal returned as a value (answers are the hot path, so they return refusals instead of throwing). */
export interface QuizRefusal {
  ok: false;
  code: QuizErrorCode;
  message: string;
}

export function refusal(code: QuizErrorCode, message: string): QuizRefusal {
  return { ok: false, code, message };
}

/**
 * A refused quiz request, thrown by the host controls. `message` is a plain, platform-neutral fallback;
 * front ends word the `code` (with `context`) for their platform.
 */
export class QuizError extends UserFacingError {
  constructor(
    override readonly code: QuizErrorCode,
    message: string,
    readonly context: Readonly<Record<string, string | number | null>> = {},
  ) {
    super(code, message);
  }
}

export function quizError(
  code: QuizErrorCode,
  message: string,
  context: Readonly<Record<string, string | number | null>> = {},
): QuizError {
  return new QuizError(code, message, context);
}

export function isQuizError(err: unknown): err is QuizError {
  return err instanceof QuizError;
}

/** For front ends that prefer one error path: the refusal as the UserFacingError the host controls throw. */
export function refusalToError(value: QuizRefusal): UserFacingError {
  return new UserFacingError(value.code, value.message);
}

export function isQuizErrorCode(code: string): code is QuizErrorCode {
  return (QUIZ_ERROR_CODES as readonly string[]).includes(code);
}
