import { TimestampStyles, time } from 'discord.js';
import { UserFacingError } from '../errors.js';
import type { QuizError } from '../quiz/quiz-errors.js';

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
