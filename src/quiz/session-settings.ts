import type { PairSet } from '../dataset/model.js';
import type { ModelAnswerSource } from './model-answers.js';
import { resolveCategory } from './pairs.js';
import { quizError } from './quiz-errors.js';
import type { SessionSettings } from './records.js';

/**
 * A session's settings as a host asks for them, checked against the engine's limits, the set's
 * categories and the models on offer: the one place a start request's numbers and names are validated.
 */

export interface QuizLimits {
  defaultRounds: number;
  maxRounds: number;
  defaultSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  maxModels: number;
  /**
   * After a restart, a session whose round closed (or should have closed) longer ago than this is ended
   * instead of resumed: nobody is waiting for it any more, and it would block the room.
   */
  staleAfterMs: number;
}

export const DEFAULT_LIMITS: QuizLimits = {
  defaultRounds: 5,
  maxRounds: 20,
  defaultSeconds: 60,
  minSeconds: 10,
  maxSeconds: 600,
  maxModels: 5,
  staleAfterMs: 15 * 60_000,
};

export interface StartRequest {
  /** The channel (Discord) or room (web) the session runs in; one session per room. */
  roomId: string;
  /** The server the room belongs to, for per-server statistics. */
  guildId?: string | null;
  hostUserId: string;
  category?: string | null;
  rounds?: number;
  secondsPerRound?: number;
  models?: readonly string[];
  /** Let people change an answer until the reveal; by default both answers lock once given. */
  allowChanges?: boolean;
  /**
   * How long a reveal stays up before the engine opens the next round by itself; null (the default) waits
   * for the host's Next. Discord uses a pause (a channel has no remote control); the web page waits.
   */
  revealPauseMs?: number | null;
}

/** The settings `request` asks for, with defaults filled in, or an INVALID_SETTINGS / UNKNOWN_* error. */
export async function validateSettings(
  request: StartRequest,
  limits: QuizLimits,
  set: PairSet,
  models: ModelAnswerSource,
): Promise<SessionSettings> {
  const l = limits;
  const rounds = request.rounds ?? l.defaultRounds;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > l.maxRounds) {
    throw quizError(
      'INVALID_SETTINGS',
      `Rounds must be a whole number from 1 to ${l.maxRounds} (got ${rounds}).`,
    );
  }
  const seconds = request.secondsPerRound ?? l.defaultSeconds;
  if (!Number.isInteger(seconds) || seconds < l.minSeconds || seconds > l.maxSeconds) {
    throw quizError(
      'INVALID_SETTINGS',
      `Seconds per round must be a whole number from ${l.minSeconds} to ${l.maxSeconds} (got ${seconds}).`,
    );
  }
  const pause = request.revealPauseMs ?? null;
  if (pause !== null && (!Number.isInteger(pause) || pause < 0)) {
    throw quizError(
      'INVALID_SETTINGS',
      `The pause after a reveal must be a whole number of ms (got ${pause}).`,
    );
  }
  const chosen = [...new Set(request.models ?? [])];
  if (chosen.length > l.maxModels) {
    throw quizError('INVALID_SETTINGS', `Choose at most ${l.maxModels} models (got ${chosen.length}).`);
  }
  if (chosen.length > 0) {
    const known = await models.knownModels();
    const unknown = chosen.filter((m) => !known.includes(m));
    if (unknown.length > 0) {
      throw quizError(
        'UNKNOWN_MODEL',
        `Unknown model${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. Available: ${known.length > 0 ? known.join(', ') : 'none'}.`,
      );
    }
  }
  const category =
    request.category === undefined || request.category === null || request.category.trim() === ''
      ? null
      : resolveCategory(set, request.category);
  return {
    category,
    rounds,
    secondsPerRound: seconds,
    models: chosen,
    allowChanges: request.allowChanges ?? false,
    revealPauseMs: pause,
  };
}
