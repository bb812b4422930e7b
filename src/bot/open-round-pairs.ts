import type { BotDeps } from './command.js';

/**
 * The pair a quiz round still open in the channel is asking about. A live answer would give it away, so
 * that pair waits for the reveal.
 */
export function pairOfOpenRound(deps: BotDeps, channelId: string): string | null {
  const round = deps.quiz?.engine.session(channelId)?.round;
  return round?.state === 'open' ? round.pair.id : null;
}

/**
 * True while a quiz round in this channel, or anywhere on this server, is asking about the pair: `/pair`
 * and `/probe` keep it to themselves until the reveal.
 */
export function pairIsSecret(
  deps: BotDeps,
  pairId: string,
  channelId: string,
  guildId: string | null,
): boolean {
  return deps.quiz?.engine.isPairInOpenRound(pairId, { roomId: channelId, guildId }) ?? false;
}
