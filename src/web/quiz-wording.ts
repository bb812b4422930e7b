import type { UserFacingError } from '../errors.js';
import { isQuizError } from '../quiz/quiz-errors.js';
import type { ModelPendingCode } from '../quiz/recovery-note.js';

/**
 * How the web page words the engine's refusals. The engine returns codes with context; the phrases that
 * depend on the platform (who counts as a host, what a stale press looks like) are chosen here.
 */
export function webRefusal(err: UserFacingError): { code: string; message: string } {
  if (!isQuizError(err)) return { code: err.code, message: err.message };
  switch (err.code) {
    case 'NOT_HOST':
      return { code: err.code, message: 'Only the host can do that.' };
    case 'STALE_ACTION':
      return {
        code: err.code,
        message:
          err.context.reason === 'session'
            ? 'That quiz is over; this screen was behind. It shows the room as it is now.'
            : 'The quiz has already moved on from that question (another host screen was faster).',
      };
    default:
      return { code: err.code, message: err.message };
  }
}

/** Told to the host screens when a timed step of the engine failed and will be retried. */
export function webStepFailure(step: 'reveal' | 'advance'): string {
  return step === 'reveal'
    ? "Time is up, but the answers could not be revealed: the server's store is not reachable. Retrying in a few seconds."
    : "The next question could not be opened: the server's store is not reachable. Retrying in a few seconds.";
}

/** Why a model has no answer in a reveal, in the web page's words (the server, not a bot, restarts). */
export function webModelPending(code: ModelPendingCode): string {
  return code === 'RESTARTED'
    ? 'the server restarted before this model answered'
    : 'still answering when time ran out';
}
