/**
 * What the engine says about a session it recovered after the process restarted, and why a model has no
 * answer in a reveal: codes with context, never sentences. Each front end words them for its platform
 * (src/bot/quiz-wording.ts: "the bot restarted"; src/web/quiz-wording.ts: "the server restarted").
 */

export type RecoveryNote =
  /** Question `number`'s time ran out while the process was down; revealed now with every stored answer. */
  | { code: 'REVEALED_AFTER_RESTART'; number: number }
  /** The process was down too long after question `number`; the session has ended, its results kept. */
  | { code: 'ENDED_AFTER_DOWNTIME'; number: number }
  /** The session had not opened a round when the process stopped; it has ended. */
  | { code: 'ENDED_WITHOUT_ROUNDS' };

/**
 * Why a model has no answer in a reveal: it was still answering when the round was revealed, or the
 * process restarted (cutting off its request) before it answered.
 */
export type ModelPendingCode = 'STILL_ANSWERING' | 'RESTARTED';
