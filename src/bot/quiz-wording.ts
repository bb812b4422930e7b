import { TimestampStyles, time } from 'discord.js';
import { UserFacingError } from '../errors.js';
import type { QuizError } from '../quiz/quiz-errors.js';
import type { ModelPendingCode, RecoveryNote } from '../quiz/recovery-note.js';

/**
 * How the bot words the engine's refusals for Discord. The engine returns codes with context; who counts
 * as a host here (Manage Server, the host role) and what a stale button looks like are Discord's words.
 */
export function discordRefusal(err: QuizError): UserFacingError {
  switch (err.code) {
    case 'NOT_HOST':
      return new UserFacingError(
        err.code,
        'Sorry, only the person who started this quiz, members who can manage the server, or members with the quiz host role can do that.',
      );
    case 'STALE_ACTION':
      return new UserFacingError(
        err.code,
        err.context.reason === 'session'
          ? 'That quiz is over; its buttons no longer do anything.'
          : 'That button belongs to an earlier question; the quiz has already moved on from it.',
      );
    case 'NO_SESSION':
      return new UserFacingError(err.code, 'There is no quiz running in this channel.');
    default:
      return err;
  }
}

/** Told privately to a host whose press failed for a reason other than a refusal (the store, Discord). */
export function discordActionFailure(action: string): string {
  return `Sorry, the ${action} did not go through: the bot could not save it (its store may be unreachable). Nothing changed; try again in a moment.`;
}

/** Posted in the channel when a timed step (the reveal at the deadline, the next question) failed. */
export function discordStepFailure(step: 'reveal' | 'advance', retryAt: number): string {
  const when = time(Math.floor(retryAt / 1000), TimestampStyles.RelativeTime);
  return step === 'reveal'
    ? `⚠️ Time is up, but I could not reveal the answers: my store is not reachable. I will try again ${when}.`
    : `⚠️ I could not open the next question: my store is not reachable. I will try again ${when}.`;
}

/** Why a model has no answer in a reveal, in the bot's words. */
export function discordModelPending(code: ModelPendingCode): string {
  return code === 'RESTARTED'
    ? 'the bot restarted before this model answered'
    : 'still answering when time ran out';
}

/** What the bot says, after a restart, about a session it recovered (posted in the quiz's channel). */
export function discordRecoveryNote(note: RecoveryNote): string {
  switch (note.code) {
    case 'REVEALED_AFTER_RESTART':
      return `The bot restarted while question ${note.number} was running and its time ran out meanwhile; here are its results, with every answer received before the restart.`;
    case 'ENDED_AFTER_DOWNTIME':
      return `The bot was offline too long after question ${note.number}, so the quiz has ended; its results are kept.`;
    case 'ENDED_WITHOUT_ROUNDS':
      return 'The quiz had no rounds, so it has ended.';
  }
}
