import type { ConfusingPair } from '../dataset/model.js';
import type { RoundRecord, SessionRecord, SessionSettings } from './records.js';

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
