import type { ConfusingPair } from '../dataset/model.js';
import type { RoundRecord, SessionRecord, SessionSettings } from './records.js';
import type { RecoveryNote } from './recovery-note.js';
import type { RoundReveal } from './reveal.js';
import type { SessionSummary } from './summary.js';

/** What front ends see of a session and its current round (read-only copies of the engine's state). */

export interface RoundView {
  sessionId: string;
  roomId: string;
  /** The round's index (skipped rounds count): put it in buttons so late clicks are recognised. */
  round: number;
  /** 1-based position among played rounds, for "Question 2 of 5". */
  number: number;
  totalRounds: number;
  pair: ConfusingPair;
  startedAt: number;
  deadline: number;
  state: RoundRecord['state'];
  /** People who have answered both images. */
  answeredCount: number;
}

export interface SessionView {
  sessionId: string;
  roomId: string;
  guildId: string | null;
  hostUserId: string;
  settings: SessionSettings;
  status: SessionRecord['status'];
  round: RoundView | null;
}

/**
 * What recovery did with sessions a stopped process left: at start-up (`recover`), or later when this
 * process takes over a session whose owner stopped renewing its lease (the `recovered` event).
 */
export interface RecoveryReport {
  /** Sessions running again; their open rounds' deadlines are armed again by the engine. */
  resumed: SessionView[];
  /** Rounds whose time ran out while nobody ran them, revealed now with every answer stored before. */
  revealed: Array<{ reveal: RoundReveal; note: RecoveryNote }>;
  /** Sessions left too long and closed now (their results are kept and summarised). */
  ended: Array<{ summary: SessionSummary; note: RecoveryNote }>;
}
