/** The benchmark's official scoring, as pure functions shared by the CLI, the probe and the quiz. */
export {
  type AlignedAnswers,
  ANSWER_FORMATS,
  type AnswerFormat,
  alignAnswersToSet,
  type ImageAnswers,
  type LocateInFile,
  listPairIds,
  NO_ANSWER,
  type ParsedAnswers,
  parseAnswers,
} from './answer-files.js';
export { choiceLabel, chooseOption, DEFAULT_THRESHOLD } from './choice.js';
export {
  buildCountTable,
  categorySlotCounts,
  emptyCountTable,
  type OfficialScoreTable,
  SCORE_METRICS,
  type ScoreMetric,
  TOTAL_KEY,
} from './count-table.js';
export { CHANCE, effectiveSampleSize, type Interval, wilsonInterval, Z_95 } from './intervals.js';
export { type JudgeReplyResult, judgeScoreSchema, parseJudgeReply } from './judge-reply.js';
export { MC_MATCH_SCORE, type OptionScores, parseMcReply } from './mc-parser.js';
export { type PairScore, scorePair } from './pair-score.js';
export { pythonRound } from './python-round.js';
export {
  type OfficialPairRecord,
  officialPairRecord,
  type ScoredPair,
  type SetScore,
  scoreSet,
} from './score-set.js';
export {
  ALL_ROW,
  buildSummaryTable,
  type PercentInterval,
  PRINT_DIGITS,
  type RowIntervals,
  type SummaryRow,
  type SummaryTable,
} from './summary-table.js';
export { renderSummaryTable, SUMMARY_TABLE_LEGEND } from './summary-text.js';
