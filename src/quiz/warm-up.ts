import { answerRecordSchema } from './records.js';
import { answerKey } from './store-layout.js';

/**
 * Runs once, at start-up, what the first answer click would otherwise be the first to run: zod compiles
 * a schema into a validator on its first use, and the key and JSON encoders get their first calls. On a
 * cold process the first clicks of a burst pay for this while hundreds more are waiting. Writes nothing.
 */
export function warmUpAnswerPath(): void {
  const record = answerRecordSchema.parse({
    sessionId: '00000000-0000-4000-8000-000000000000',
    roomId: 'warm-up',
    guildId: null,
    round: 1,
    pairId: 'warm-up',
    userId: 'warm-up',
    displayName: 'warm-up',
    slot: 0,
    option: 'A',
    at: 0,
    responseMs: 0,
    changes: 0,
  });
  answerKey(record.sessionId, record.round, record.userId, record.slot);
  answerRecordSchema.safeParse(JSON.parse(JSON.stringify({ value: record })).value);
}
