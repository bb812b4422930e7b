import { z } from 'zod';
import type { Collection, Store } from '../store/types.js';

/**
 * Which Discord messages show a channel's current quiz round, kept in the store (`discord.rounds`, one
 * entry per channel) so that after a restart the bot keeps editing the same round message (live count,
 * disabled buttons at the reveal) instead of posting it again. The engine knows nothing of messages.
 */

export const roundMessageRecordSchema = z.object({
  sessionId: z.string(),
  round: z.number().int().positive(),
  /** The round message (question, composite, buttons); null until it has been posted. */
  messageId: z.string().nullable(),
  /** The reveal message of that round, once posted. */
  revealMessageId: z.string().nullable(),
});
export type RoundMessageRecord = z.infer<typeof roundMessageRecordSchema>;

export function roundMessages(store: Store): Collection<RoundMessageRecord> {
  return store.collection('discord.rounds', roundMessageRecordSchema);
}
