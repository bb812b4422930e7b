/** The quiz's pacing on Discord, shared by the presenter, the interactions and resume. */
export interface QuizTuning {
  /** Pause between a reveal and the next question (the engine's per-session setting); null waits for Next. */
  revealPauseMs: number | null;
  /** Least time between two edits of a round message's live "N answered". */
  counterIntervalMs: number;
  /** How long an answer click may wait for its stored answer before the bot defers its response; 0 always defers. */
  fastReplyMs: number;
  /** /leaderboard ranks people with at least this many answered pairs. */
  leaderboardMinPairs: number;
}

export const DEFAULT_TUNING: QuizTuning = {
  revealPauseMs: 20_000,
  counterIntervalMs: 3_000,
  fastReplyMs: 1_200,
  leaderboardMinPairs: 10,
};
